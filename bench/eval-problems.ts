/**
 * The problems of GradBench's kmeans, ba, ht and det evals for `npm run bench`, timed through the same
 * preparation as the GradBench tool (bench/gradbench/modules/): the primal and tsad's derivative,
 * and where a peer exists in this repository, that peer checked against tsad's derivative first.
 */
import { functions as ba } from "./gradbench/modules/ba.ts";
import { functions as det } from "./gradbench/modules/det.ts";
import { functions as ht } from "./gradbench/modules/ht.ts";
import { functions as kmeans } from "./gradbench/modules/kmeans.ts";
import type { GradBenchModule } from "./gradbench/modules/module.ts";
import { htInputs } from "./problems/hand-inputs.ts";
import { baInputs, kmeansInputs, uniformVector } from "./problems/inputs.ts";
import type { Problem } from "./run.ts";

/** A prepared call of a tool function: `run` is timed, `value` is its output as the eval gets it. */
function prepared(module: GradBenchModule, fn: string, input: unknown): { run: () => unknown; value: () => unknown } {
  const evaluation = module[fn]!(input);
  return { run: evaluation.run, value: () => evaluation.output(evaluation.run()) };
}

function flat(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flat) : [value as number];
}

/** The Newton direction written by hand: each centroid minus the mean of its cluster. */
function handWrittenDirection(points: number[][], centroids: number[][]): number[][] {
  const d = centroids[0]!.length;
  const sums = centroids.map(() => new Float64Array(d));
  const counts = new Float64Array(centroids.length);
  for (const point of points) {
    let closest = Infinity;
    let best = 0;
    for (let j = 0; j < centroids.length; j++) {
      const centroid = centroids[j]!;
      let distance = 0;
      for (let l = 0; l < d; l++) distance += (point[l]! - centroid[l]!) ** 2;
      if (distance < closest) [closest, best] = [distance, j];
    }
    counts[best]!++;
    for (let l = 0; l < d; l++) sums[best]![l]! += point[l]!;
  }
  return centroids.map((centroid, j) => centroid.map((c, l) => c - sums[j]![l]! / counts[j]!));
}

export function kmeansProblem(k: number, n: number, d: number): Problem {
  const input = kmeansInputs(k, n, d, 2026);
  const cost = prepared(kmeans, "cost", input);
  const dir = prepared(kmeans, "dir", input);
  return {
    name: "kmeans Newton direction (GradBench)",
    size: `k=${k}, n=${n}, d=${d}`,
    primal: cost.run,
    reference: () => flat(dir.value()),
    contenders: [
      { name: "tsad grad ÷ hvp along ones", run: dir.run },
      { name: "hand-written direction", run: () => handWrittenDirection(input.points, input.centroids), gradient: () => flat(handWrittenDirection(input.points, input.centroids)) },
    ],
    skipped: [],
  };
}

export function baProblem(name: string, n: number, m: number, p: number): Problem {
  const input = baInputs(n, m, p, 2026);
  const objective = prepared(ba, "objective", input);
  const jacobian = prepared(ba, "jacobian", input);
  return {
    name: "bundle adjustment sparse Jacobian (GradBench)",
    size: name,
    primal: objective.run,
    reference: () => flat((jacobian.value() as { vals: number[] }).vals),
    contenders: [{ name: "tsad, one fJacobian per observation", run: jacobian.run }],
    skipped: ["finite differences: skipped (30 residual pairs per observation)"],
  };
}

export function htProblem(c: number, complicated: boolean): Problem {
  const input = htInputs(c, { complicated, seed: 2026 });
  const objective = prepared(ht, "objective", input);
  const jacobian = prepared(ht, "jacobian", input);
  const columns = complicated ? 28 : 26;
  // Central differences column by column, through the same objective (us columns: every u, then every v, at once).
  const finiteDifferences = () => {
    const h = 1e-6;
    const probe = structuredClone(input);
    const moves: ((delta: number) => void)[] = [];
    if (complicated) for (const lane of [0, 1]) moves.push((delta) => probe.us.forEach((pair, i) => (pair[lane] = input.us[i]![lane]! + delta)));
    input.theta.forEach((value, j) => moves.push((delta) => (probe.theta[j] = value + delta)));
    const jacobianColumns = moves.map((move) => {
      move(h);
      const plus = ht.objective!(probe);
      const up = plus.run() as number[];
      move(-h);
      const down = ht.objective!(probe).run() as number[];
      move(0);
      return up.map((u, i) => (u - down[i]!) / (2 * h));
    });
    return jacobianColumns[0]!.map((_, row) => jacobianColumns.map((column) => column[row]!));
  };
  return {
    name: `hand tracking Jacobian, ${complicated ? "complicated" : "simple"} (GradBench)`,
    size: `c=${c}, 544 vertices, ${columns} columns`,
    primal: objective.run,
    reference: () => flat(jacobian.value()),
    contenders: [
      { name: "tsad fJacobian (26 JVPs)" + (complicated ? " + 2 JVPs for us" : ""), run: jacobian.run },
      { name: "finite differences", run: finiteDifferences, gradient: () => flat(finiteDifferences()), tolerance: 1e-5 },
    ],
    skipped: [],
  };
}

/** det(A)·A⁻ᵀ by Gauss–Jordan elimination with partial pivoting: the gradient of the determinant, written by hand. */
function cofactorMatrix(a: number[], ell: number): number[] {
  const m = a.slice();
  const inverse = Array.from({ length: ell * ell }, (_, k): number => (k % (ell + 1) === 0 ? 1 : 0));
  let determinant = 1;
  for (let col = 0; col < ell; col++) {
    let pivot = col;
    for (let row = col + 1; row < ell; row++) if (Math.abs(m[row * ell + col]!) > Math.abs(m[pivot * ell + col]!)) pivot = row;
    if (pivot !== col) {
      for (let j = 0; j < ell; j++) {
        [m[col * ell + j], m[pivot * ell + j]] = [m[pivot * ell + j]!, m[col * ell + j]!];
        [inverse[col * ell + j], inverse[pivot * ell + j]] = [inverse[pivot * ell + j]!, inverse[col * ell + j]!];
      }
      determinant = -determinant;
    }
    const p = m[col * ell + col]!;
    determinant *= p;
    for (let j = 0; j < ell; j++) {
      m[col * ell + j]! /= p;
      inverse[col * ell + j]! /= p;
    }
    for (let row = 0; row < ell; row++) {
      if (row === col) continue;
      const f = m[row * ell + col]!;
      for (let j = 0; j < ell; j++) {
        m[row * ell + j]! -= f * m[col * ell + j]!;
        inverse[row * ell + j]! -= f * inverse[col * ell + j]!;
      }
    }
  }
  return Array.from({ length: ell * ell }, (_, k) => determinant * inverse[(k % ell) * ell + Math.floor(k / ell)]!);
}

export function detProblem(ell: number): Problem {
  const input = { A: uniformVector(ell * ell, 0, 1, 2026), ell };
  const primal = prepared(det, "primal", input);
  const gradient = prepared(det, "gradient", input);
  return {
    name: "determinant by minors (GradBench)",
    size: `ℓ=${ell}`,
    primal: primal.run,
    reference: () => flat(gradient.value()),
    contenders: [
      { name: "tsad grad (recursive)", run: gradient.run },
      { name: "hand-written det·A⁻ᵀ (elimination)", run: () => cofactorMatrix(input.A, ell), gradient: () => cofactorMatrix(input.A, ell), tolerance: 1e-8 },
    ],
    skipped: [],
  };
}
