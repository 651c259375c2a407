/**
 * `det`: input `{A: ℓ² numbers row by row, ell: ℓ}`; `primal` → det(A) by expansion by minors,
 * `gradient` → its gradient with respect to A, row by row (ℓ² numbers).
 */
import { det } from "../../problems/det.ts";
import { detGrad } from "../../problems/det.grad.ts";
import { InputError, integer, record, vector } from "../decode.ts";
import { evaluation, type GradBenchModule } from "./module.ts";

function read(input: unknown): { a: number[]; ell: number } {
  const fields = record(input);
  const ell = integer(fields.ell, "ell");
  if (ell < 1) throw new InputError("ell must be at least 1");
  return { a: vector(fields.A, "A", ell * ell), ell };
}

export const functions: GradBenchModule = {
  primal: (input) => {
    const { a, ell } = read(input);
    return evaluation(() => det(a, ell), (value) => value);
  },
  gradient: (input) => {
    const { a, ell } = read(input);
    return evaluation(() => detGrad(a, ell), (result) => result.grad.a);
  },
};
