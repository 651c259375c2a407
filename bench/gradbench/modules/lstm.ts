/**
 * `lstm`: input `{main_params: 2l×4b, extra_params: 3×b, state: 2l×b, sequence: c×b}`;
 * `objective` → double, `jacobian` → the gradient of main_params then of extra_params, each
 * flattened row by row, in one double[].
 */
import { lstmObjective } from "../../problems/lstm.ts";
import { lstmObjectiveGrad } from "../../problems/lstm.grad.ts";
import { InputError, matrix, record } from "../decode.ts";
import { evaluation, type GradBenchModule } from "./module.ts";

interface LstmArguments {
  mainParams: number[][];
  extraParams: number[][];
  state: number[][];
  sequence: number[][];
}

function read(input: unknown): LstmArguments {
  const fields = record(input);
  const rows = fields.main_params;
  if (!Array.isArray(rows) || rows.length === 0 || rows.length % 2 !== 0 || !Array.isArray(rows[0])) {
    throw new InputError("main_params must have 2l rows (l ≥ 1) of numbers");
  }
  const layers = rows.length / 2;
  const b = (rows[0] as unknown[]).length / 4;
  if (!Number.isInteger(b) || b === 0) throw new InputError("main_params rows must have 4b numbers");
  const sequence = matrix(fields.sequence, "sequence", undefined, b);
  if (sequence.length < 2) throw new InputError("sequence must have at least 2 characters");
  return {
    mainParams: matrix(rows, "main_params", 2 * layers, 4 * b),
    extraParams: matrix(fields.extra_params, "extra_params", 3, b),
    state: matrix(fields.state, "state", 2 * layers, b),
    sequence,
  };
}

export const functions: GradBenchModule = {
  objective: (input) => {
    const { mainParams, extraParams, state, sequence } = read(input);
    return evaluation(() => lstmObjective(mainParams, extraParams, state, sequence), (value) => value);
  },
  jacobian: (input) => {
    const { mainParams, extraParams, state, sequence } = read(input);
    return evaluation(
      () => lstmObjectiveGrad(mainParams, extraParams, state, sequence),
      ({ grad }) => [...grad.mainParams.flat(), ...grad.extraParams.flat()],
    );
  },
};
