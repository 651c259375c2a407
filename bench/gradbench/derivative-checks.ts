/**
 * Checks of the derivatives the tool returns for the evals whose derivative is not a plain
 * gradient (kmeans' Newton direction, ba's sparse Jacobian, ht's dense Jacobian), made before the
 * ratio driver trusts their timings: each compares with central differences of the tool's own
 * objective along a random direction, or with a closed form.
 */
import { seededRandom } from "../problems/inputs.ts";
import type { ToolClient } from "./client.ts";

type Json = Record<string, unknown>;

async function objective(tool: ToolClient, module: string, fn: string, input: Json): Promise<unknown> {
  const response = await tool.send({ kind: "evaluate", module, function: fn, input: { ...input, min_runs: 1, min_seconds: 0 } });
  if (!response.success) throw new Error(`${module} ${fn} failed: ${response.error}`);
  return response.output;
}

function expectClose(what: string, actual: number, expected: number, tolerance: number): void {
  if (!(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)))) throw new Error(`${what}: ${actual}, expected ${expected}`);
}

/** kmeans' direction is each centroid minus the mean of the points closest to it. */
export async function checkKmeans(_tool: ToolClient, input: Json, output: unknown): Promise<void> {
  const points = input.points as number[][];
  const centroids = input.centroids as number[][];
  const d = centroids[0]!.length;
  const sums = centroids.map(() => new Array<number>(d).fill(0));
  const counts = new Array<number>(centroids.length).fill(0);
  for (const point of points) {
    let best = 0;
    let closest = Infinity;
    centroids.forEach((c, k) => {
      const distance = c.reduce((s, cj, j) => s + (cj - point[j]!) ** 2, 0);
      if (distance < closest) [closest, best] = [distance, k];
    });
    counts[best]!++;
    point.forEach((x, j) => (sums[best]![j]! += x));
  }
  const direction = output as number[][];
  centroids.forEach((c, k) => c.forEach((cj, j) => expectClose(`kmeans dir[${k}][${j}]`, direction[k]![j]!, cj - sums[k]![j]! / counts[k]!, 1e-9)));
}

/** ba's first two rows (observation 0) along a random direction in (cam, x, w) against differences of its residuals. */
export async function checkBa(tool: ToolClient, input: Json, output: unknown): Promise<void> {
  const random = seededRandom(7);
  const direction = Array.from({ length: 15 }, () => (random() < 0.5 ? -1 : 1));
  const scale = [...(input.cam as number[]), ...(input.x as number[]), input.w as number].map((v) => 1e-6 * Math.max(1, Math.abs(v)));
  const at = async (sign: number) => {
    const moved = (values: number[], offset: number) => values.map((v, i) => v + sign * scale[offset + i]! * direction[offset + i]!);
    const shifted = { ...input, cam: moved(input.cam as number[], 0), x: moved(input.x as number[], 11), w: (input.w as number) + sign * scale[14]! * direction[14]! };
    return ((await objective(tool, "ba", "objective", shifted)) as { reproj_error: { elements: number[] } }).reproj_error.elements;
  };
  const [plus, minus] = [await at(1), await at(-1)];
  const vals = (output as { vals: number[] }).vals;
  for (const row of [0, 1]) {
    const product = direction.reduce((s, v, i) => s + vals[15 * row + i]! * v * scale[i]!, 0);
    expectClose(`ba row ${row} along a random direction`, product, (plus[row]! - minus[row]!) / 2, 1e-5);
  }
}

/** ht's theta columns (the last 26) along a random direction against differences of the residuals. */
export async function checkHt(tool: ToolClient, input: Json, output: unknown): Promise<void> {
  const random = seededRandom(8);
  const theta = input.theta as number[];
  const direction = theta.map(() => (random() < 0.5 ? -1 : 1));
  const h = 1e-6;
  const at = async (sign: number) => (await objective(tool, "ht", "objective", { ...input, theta: theta.map((t, i) => t + sign * h * direction[i]!) })) as number[];
  const [plus, minus] = [await at(1), await at(-1)];
  const jacobian = output as number[][];
  jacobian.forEach((row, r) => {
    const product = row.slice(row.length - 26).reduce((s, v, i) => s + v * direction[i]!, 0);
    expectClose(`ht row ${r} along a random direction`, product, (plus[r]! - minus[r]!) / (2 * h), 1e-5);
  });
}
