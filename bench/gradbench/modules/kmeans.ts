/**
 * `kmeans`: input `{points: n×d, centroids: k×d}`; `cost` → double, `dir` → the Newton direction
 * J·H⁻¹ (k×d): the cost's gradient divided entrywise by the Hessian's diagonal. The Hessian is
 * diagonal (each centroid's cost is a sum of squares over its own cluster), so the generated
 * Hessian-vector product along all ones is its diagonal, from the same call as the gradient.
 */
import { kmeansCost } from "../../problems/kmeans.ts";
import { kmeansCostHvp } from "../../problems/kmeans.grad.ts";
import { InputError, matrix, record } from "../decode.ts";
import { evaluation, type GradBenchModule } from "./module.ts";

function read(input: unknown): { points: number[][]; centroids: number[][] } {
  const fields = record(input);
  const first = Array.isArray(fields.points) ? (fields.points[0] as unknown) : undefined;
  if (!Array.isArray(first) || first.length === 0) throw new InputError("points must be a non-empty array of points");
  const points = matrix(fields.points, "points", undefined, first.length);
  const centroids = matrix(fields.centroids, "centroids", undefined, first.length);
  if (centroids.length === 0) throw new InputError("centroids must not be empty");
  return { points, centroids };
}

export const functions: GradBenchModule = {
  cost: (input) => {
    const { points, centroids } = read(input);
    return evaluation(() => kmeansCost(points, centroids), (cost) => cost);
  },
  dir: (input) => {
    const { points, centroids } = read(input);
    const ones = { centroids: centroids.map((row) => row.map(() => 1)) };
    return evaluation(
      () => {
        const { grad, hvp } = kmeansCostHvp(points, centroids, ones);
        return grad.centroids.map((row, j) => row.map((g, l) => g / hvp.centroids[j]![l]!));
      },
      (direction) => direction,
    );
  },
};
