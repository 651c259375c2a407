/**
 * `ode`: input `{x: double[], s: int}`; `primal` → the solution y(2) (double[]), `gradient` → the
 * gradient of its last element with respect to x (double[]).
 */
import { ode } from "../../problems/ode.ts";
import { odeLastGrad } from "../../problems/ode.grad.ts";
import { InputError, integer, record, vector } from "../decode.ts";
import { evaluation, type GradBenchModule } from "./module.ts";

function read(input: unknown): { x: number[]; s: number } {
  const fields = record(input);
  const x = vector(fields.x, "x");
  if (x.length === 0) throw new InputError("x must not be empty");
  const s = integer(fields.s, "s");
  if (s < 1) throw new InputError("s must be at least 1");
  return { x, s };
}

export const functions: GradBenchModule = {
  primal: (input) => {
    const { x, s } = read(input);
    return evaluation(() => ode(x, s), (y) => y);
  },
  gradient: (input) => {
    const { x, s } = read(input);
    return evaluation(() => odeLastGrad(x, s), (result) => result.grad.x);
  },
};
