/**
 * `ht`: input `{theta: 26, data: {model, correspondences, points: c×3}, us}`; the model's JSON
 * fields are snake_case (`base_relatives`, …; transforms 4×4 row by row, `base_positions` V×4
 * homogeneous, `weights` V×bones). An empty `us` is the simple variant (correspondences name
 * vertices), otherwise the complicated one (they name triangles; `us` holds c pairs, or 2c
 * numbers).
 *
 * `objective` → the 3c residuals. `jacobian` → 3c rows: the simple variant's 26 columns are the
 * generated Jacobian with respect to theta; the complicated variant's 28 are the derivatives
 * with respect to each residual's own u and v (two generated JVPs: residual i depends on us[i]
 * alone) followed by the generated Jacobian with respect to theta.
 */
import { handErrors, handErrorsOnSurface, type HandModel } from "../../problems/ht.ts";
import { handErrorsAlongUsJvp, handErrorsJacobian, handErrorsOnSurfaceJacobian } from "../../problems/ht.grad.ts";
import { InputError, integer, matrix, record, vector } from "../decode.ts";
import { evaluation, type GradBenchModule } from "./module.ts";

interface HandInput {
  theta: number[];
  model: HandModel;
  correspondences: number[];
  points: number[][];
  /** Empty for the simple variant. */
  us: number[][];
}

function transforms(value: unknown, name: string, count: number): number[][][] {
  if (!Array.isArray(value) || value.length !== count) throw new InputError(`${name} must hold ${count} 4×4 matrices`);
  return value.map((m, i) => matrix(m, `${name}[${i}]`, 4, 4));
}

function indices(value: unknown, name: string, below: number): number[] {
  const list = vector(value, name);
  for (const [i, index] of list.entries()) {
    if (!Number.isInteger(index) || index < 0 || index >= below) throw new InputError(`${name}[${i}] must be an index below ${below}`);
  }
  return list;
}

function read(input: unknown): HandInput {
  const fields = record(input);
  const data = record(fields.data, "data");
  const model = record(data.model, "data.model");
  const parents = vector(model.parents, "parents");
  const bones = parents.length;
  if (bones + 3 < 25) throw new InputError(`the model needs at least 22 bones for the 26 pose parameters, not ${bones}`);
  parents.forEach((parent, bone) => {
    if (!Number.isInteger(parent) || parent < -1 || parent >= bone) throw new InputError(`parents[${bone}] must be −1 or an earlier bone`);
  });
  if (model.bone_count !== undefined && integer(model.bone_count, "bone_count") !== bones) throw new InputError("bone_count must equal the number of parents");
  const basePositions = matrix(model.base_positions, "base_positions", undefined, 4);
  const vertices = basePositions.length;
  const triangles = matrix(model.triangles, "triangles", undefined, 3);
  triangles.forEach((triangle, t) => indices(triangle, `triangles[${t}]`, vertices));
  if (typeof model.is_mirrored !== "boolean") throw new InputError("is_mirrored must be a boolean");
  const hand: HandModel = {
    parents,
    baseRelatives: transforms(model.base_relatives, "base_relatives", bones),
    inverseBaseAbsolutes: transforms(model.inverse_base_absolutes, "inverse_base_absolutes", bones),
    basePositions,
    weights: matrix(model.weights, "weights", vertices, bones),
    triangles,
    isMirrored: model.is_mirrored,
  };
  const rawUs = Array.isArray(fields.us) ? fields.us : [];
  const complicated = rawUs.length > 0;
  const correspondences = indices(data.correspondences, "correspondences", complicated ? triangles.length : vertices);
  const c = correspondences.length;
  const points = matrix(data.points, "points", c, 3);
  // The eval's README says double[]; its reference tool reads pairs: both are accepted.
  const us = complicated ? (Array.isArray(rawUs[0]) ? matrix(rawUs, "us", c, 2) : pairs(vector(rawUs, "us", 2 * c))) : [];
  return { theta: vector(fields.theta, "theta", 26), model: hand, correspondences, points, us };
}

function pairs(flat: number[]): number[][] {
  return Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);
}

/** The directions "every u" and "every v" in us. */
function usDirections(count: number): { us: number[][] }[] {
  return [
    { us: Array.from({ length: count }, () => [1, 0]) },
    { us: Array.from({ length: count }, () => [0, 1]) },
  ];
}

/** The complicated variant's Jacobian: the u column, the v column, then theta's 26. */
function surfaceJacobian({ theta, us, model, correspondences, points }: HandInput, [alongU, alongV]: { us: number[][] }[]): number[][] {
  const du = handErrorsAlongUsJvp(us, theta, model, correspondences, points, alongU!).tangent;
  const dv = handErrorsAlongUsJvp(us, theta, model, correspondences, points, alongV!).tangent;
  const { jacobian } = handErrorsOnSurfaceJacobian(theta, us, model, correspondences, points);
  return jacobian.map((row, i) => [du[i]!, dv[i]!, ...row]);
}

export const functions: GradBenchModule = {
  objective: (input) => {
    const hand = read(input);
    const { theta, us, model, correspondences, points } = hand;
    return evaluation(() => (us.length > 0 ? handErrorsOnSurface(theta, us, model, correspondences, points) : handErrors(theta, model, correspondences, points)), (errors) => errors);
  },
  jacobian: (input) => {
    const hand = read(input);
    const { theta, us, model, correspondences, points } = hand;
    const directions = usDirections(us.length);
    return evaluation(() => (us.length > 0 ? surfaceJacobian(hand, directions) : handErrorsJacobian(theta, model, correspondences, points).jacobian), (jacobian) => jacobian);
  },
};
