/** `lse`: input `{x: double[]}`; `primal` → double, `gradient` → d/dx (double[]). */
import { lse } from "../../problems/lse.ts";
import { lseGrad } from "../../problems/lse.grad.ts";
import { record, vector } from "../decode.ts";
import { evaluation, type GradBenchModule } from "./module.ts";

function read(input: unknown): number[] {
  return vector(record(input).x, "x");
}

export const functions: GradBenchModule = {
  primal: (input) => {
    const x = read(input);
    return evaluation(() => lse(x), (value) => value);
  },
  gradient: (input) => {
    const x = read(input);
    return evaluation(() => lseGrad(x), (result) => result.grad.x);
  },
};
