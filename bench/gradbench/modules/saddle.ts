/**
 * `saddle`: input `{start: double[2]}`; `ff`, `fr`, `rf`, `rr` → the saddle point's x and y
 * concatenated (double[4]), from gradient steps for min over x of max over y, both from `start`.
 * The letters name the mode of the outer derivative (the argmin's, of a function that runs the
 * inner argmax) and of the inner one: tsad differentiates code that calls tsad's derivatives.
 */
import { saddle } from "../../problems/saddle.ts";
import { record, vector } from "../decode.ts";
import { evaluation, type GradBenchModule, type GradBenchFunction } from "./module.ts";

function variant(name: "ff" | "fr" | "rf" | "rr"): GradBenchFunction {
  return (input) => {
    const start = vector(record(input).start, "start", 2);
    return evaluation(() => saddle(name, start), (point) => point);
  };
}

export const functions: GradBenchModule = { ff: variant("ff"), fr: variant("fr"), rf: variant("rf"), rr: variant("rr") };
