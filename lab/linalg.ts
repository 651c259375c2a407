/** The linear algebra the experiments need: vectors, power iteration, a symmetric eigensolver. */
import { normal, uniform } from "./random.ts";

export function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export function norm(a: readonly number[]): number {
  return Math.sqrt(dot(a, a));
}

export interface PowerIteration {
  /** The eigenvalue of largest magnitude (the Rayleigh quotient at the last vector). */
  value: number;
  vector: number[];
  iterations: number;
}

/**
 * The dominant eigenpair of a symmetric operator known only through products `apply(v)`: repeat
 * v ← Av/‖Av‖ until the Rayleigh quotient vᵀAv changes by less than `tolerance` (relative).
 */
export function powerIteration(apply: (v: number[]) => number[], n: number, { iterations = 100, tolerance = 1e-6, seed = 1 } = {}): PowerIteration {
  const gauss = normal(uniform(seed));
  let v = Array.from({ length: n }, () => gauss());
  const scale = 1 / norm(v);
  v = v.map((x) => x * scale);
  let value = 0;
  for (let k = 1; k <= iterations; k++) {
    const w = apply(v);
    const next = dot(v, w);
    const size = norm(w);
    if (size === 0) return { value: 0, vector: v, iterations: k };
    v = w.map((x) => x / size);
    if (k > 1 && Math.abs(next - value) <= tolerance * Math.abs(next)) return { value: next, vector: v, iterations: k };
    value = next;
  }
  return { value, vector: v, iterations };
}

/**
 * The largest (most positive) eigenvalue of a symmetric operator. Power iteration finds the one of
 * largest magnitude; when that is negative (a saddle's curvature outweighing the sharpest upward
 * direction), iterating again on A − μI with μ that eigenvalue makes every eigenvalue ≥ 0 and the
 * largest one dominant: λ_max = μ + (its dominant eigenvalue).
 */
export function largestEigenvalue(apply: (v: number[]) => number[], n: number, options: { iterations?: number; tolerance?: number; seed?: number } = {}): PowerIteration {
  const first = powerIteration(apply, n, options);
  if (first.value >= 0) return first;
  const shift = first.value;
  const shifted = powerIteration((v) => apply(v).map((x, i) => x - shift * v[i]!), n, options);
  return { value: shifted.value + shift, vector: shifted.vector, iterations: first.iterations + shifted.iterations };
}

/**
 * All eigenvalues of a symmetric matrix, ascending, by the cyclic Jacobi method: rotate away each
 * off-diagonal entry in turn until they are all negligible against the diagonal.
 */
export function symmetricEigenvalues(matrix: readonly (readonly number[])[], { tolerance = 1e-12, sweeps = 100 } = {}): number[] {
  const n = matrix.length;
  const a = matrix.map((row, i) => row.map((v, j) => 0.5 * (v + matrix[j]![i]!)));
  const offDiagonal = () => {
    let sum = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) sum += a[i]![j]! ** 2;
    return sum;
  };
  const total = a.reduce((sum, row) => sum + row.reduce((s, v) => s + v * v, 0), 0);
  for (let sweep = 0; sweep < sweeps && offDiagonal() > tolerance * tolerance * total; sweep++) {
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        // The angle that zeroes a[p][q]: tan 2θ = 2·a_pq / (a_qq − a_pp), taking the smaller root.
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]!).sort((x, y) => x - y);
}
