/** `llsq`: input `{x: double[], n: int}`; `primal` → double, `gradient` → d/dx (double[]). */
import { llsq } from "../../problems/llsq.ts";
import { llsqGrad } from "../../problems/llsq.grad.ts";
import { integer, record, vector } from "../decode.ts";
import { evaluation, type GradBenchModule } from "./module.ts";

function read(input: unknown): { x: number[]; n: number } {
  const fields = record(input);
  return { x: vector(fields.x, "x"), n: integer(fields.n, "n") };
}

export const functions: GradBenchModule = {
  primal: (input) => {
    const { x, n } = read(input);
    return evaluation(() => llsq(x, n), (value) => value);
  },
  gradient: (input) => {
    const { x, n } = read(input);
    return evaluation(() => llsqGrad(x, n), (result) => result.grad.x);
  },
};
