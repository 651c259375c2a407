/**
 * `ba`: input `{n, m, p, cam: 11, x: 3, w, feat: 2}`, one camera, point, weight and feature that
 * stand for n cameras, m points and p observations (observation i sees camera i mod n and point
 * i mod m), as the eval's reference tool expands them.
 *
 * `objective` computes the 2p reprojection errors and the p weight errors, and answers with the
 * first observation's pair and the first weight error, each with its count:
 * `{reproj_error: {elements: [e0, e1], repeated: p}, w_err: {element, repeated: p}}`.
 * `jacobian` assembles the (3p) × (11n + 3m + p) sparse Jacobian in compressed rows, from the
 * generated 2 × 15 Jacobian of each observation's reprojection error (camera, point, weight) and
 * the generated derivative of each weight error, and answers with the first 30 entries of its
 * `rows`, `cols` and `vals` (the first observation's two rows) followed by the last entry of each.
 */
import { reprojectionError, weightError } from "../../problems/ba.ts";
import { reprojectionErrorJacobian, weightErrorGrad } from "../../problems/ba.grad.ts";
import { InputError, double, integer, record, vector } from "../decode.ts";
import { evaluation, type GradBenchModule } from "./module.ts";

const CAMERA = 11;
/** Nonzeros in each reprojection-error row: 11 camera, 3 point and 1 weight derivatives. */
const ROW_NONZEROS = CAMERA + 3 + 1;

export interface BundleProblem {
  n: number;
  m: number;
  p: number;
  cameras: number[][];
  points: number[][];
  weights: number[];
  features: number[][];
  /** For each observation, its camera and its point. */
  observations: [number, number][];
}

function read(input: unknown): BundleProblem {
  const fields = record(input);
  const [n, m, p] = (["n", "m", "p"] as const).map((name) => {
    const count = integer(fields[name], name);
    if (count < 1) throw new InputError(`${name} must be at least 1`);
    return count;
  }) as [number, number, number];
  const cam = vector(fields.cam, "cam", CAMERA);
  const x = vector(fields.x, "x", 3);
  const w = double(fields.w, "w");
  const feat = vector(fields.feat, "feat", 2);
  return {
    n,
    m,
    p,
    cameras: Array.from({ length: n }, () => cam.slice()),
    points: Array.from({ length: m }, () => x.slice()),
    weights: new Array<number>(p).fill(w),
    features: Array.from({ length: p }, () => feat.slice()),
    observations: Array.from({ length: p }, (_, i) => [i % n, i % m]),
  };
}

/** Every reprojection error (2 per observation) and every weight error. */
export function objective(problem: BundleProblem): { reprojectionErrors: Float64Array; weightErrors: Float64Array } {
  const { p, cameras, points, weights, features, observations } = problem;
  const reprojectionErrors = new Float64Array(2 * p);
  const weightErrors = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const [camera, point] = observations[i]!;
    const error = reprojectionError(cameras[camera]!, points[point]!, weights[i]!, features[i]!);
    reprojectionErrors[2 * i] = error[0]!;
    reprojectionErrors[2 * i + 1] = error[1]!;
  }
  for (let i = 0; i < p; i++) weightErrors[i] = weightError(weights[i]!);
  return { reprojectionErrors, weightErrors };
}

export interface SparseJacobian {
  rows: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/**
 * The sparse Jacobian in compressed rows: rows 2i and 2i+1 are observation i's reprojection
 * errors (columns: its camera's 11, its point's 3, its weight), row 2p + i its weight error.
 */
export function jacobian(problem: BundleProblem): SparseJacobian {
  const { n, m, p, cameras, points, weights, features, observations } = problem;
  const nonzeros = 2 * ROW_NONZEROS * p + p;
  const rows = new Int32Array(3 * p + 1);
  const cols = new Int32Array(nonzeros);
  const vals = new Float64Array(nonzeros);
  const pointColumns = CAMERA * n;
  const weightColumns = pointColumns + 3 * m;
  let next = 0;
  for (let i = 0; i < p; i++) {
    const [camera, point] = observations[i]!;
    const block = reprojectionErrorJacobian(cameras[camera]!, points[point]!, weights[i]!, features[i]!).jacobian;
    for (let row = 0; row < 2; row++) {
      const derivatives = block[row]!;
      for (let j = 0; j < CAMERA; j++) {
        cols[next] = CAMERA * camera + j;
        vals[next++] = derivatives[j]!;
      }
      for (let j = 0; j < 3; j++) {
        cols[next] = pointColumns + 3 * point + j;
        vals[next++] = derivatives[CAMERA + j]!;
      }
      cols[next] = weightColumns + i;
      vals[next++] = derivatives[CAMERA + 3]!;
      rows[2 * i + row + 1] = next;
    }
  }
  for (let i = 0; i < p; i++) {
    cols[next] = weightColumns + i;
    vals[next++] = weightErrorGrad(weights[i]!).grad.weight;
    rows[2 * p + i + 1] = next;
  }
  return { rows, cols, vals };
}

/** The first `count` entries and the last one, as the eval compares them. */
function headAndLast(array: Int32Array | Float64Array, count: number): number[] {
  return [...array.subarray(0, count), array[array.length - 1]!];
}

export const functions: GradBenchModule = {
  objective: (input) => {
    const problem = read(input);
    return evaluation(
      () => objective(problem),
      ({ reprojectionErrors, weightErrors }) => ({
        reproj_error: { elements: [reprojectionErrors[0], reprojectionErrors[1]], repeated: problem.p },
        w_err: { element: weightErrors[0], repeated: problem.p },
      }),
    );
  },
  jacobian: (input) => {
    const problem = read(input);
    return evaluation(
      () => jacobian(problem),
      ({ rows, cols, vals }) => ({ rows: headAndLast(rows, 2 * ROW_NONZEROS), cols: headAndLast(cols, 2 * ROW_NONZEROS), vals: headAndLast(vals, 2 * ROW_NONZEROS) }),
    );
  },
};
