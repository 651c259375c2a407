/**
 * `particle`: input `{w: double}`, the starting control; `ff`, `fr`, `rf`, `rr` → the control w
 * found by gradient descent (a double). The letters name the mode of the outer derivative (of
 * the crossing point with respect to w) and of the inner one (the force, a gradient of the
 * potential, inside the integration): tsad differentiates code that calls tsad's derivatives.
 */
import { particle } from "../../problems/particle.ts";
import { double, record } from "../decode.ts";
import { evaluation, type GradBenchModule, type GradBenchFunction } from "./module.ts";

function variant(name: "ff" | "fr" | "rf" | "rr"): GradBenchFunction {
  return (input) => {
    const w = double(record(input).w, "w");
    return evaluation(() => particle(name, w), (found) => found);
  };
}

export const functions: GradBenchModule = { ff: variant("ff"), fr: variant("fr"), rf: variant("rf"), rr: variant("rr") };
