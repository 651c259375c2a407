/**
 * Benchmark problems, written as a user would write them (see ../shared/BENCH-PROBLEMS.md),
 * with hand-written gradients where a TypeScript user would otherwise write one by hand.
 */
export function rosenbrock(x: number[]): number {
  let sum = 0;
  for (let i = 0; i < x.length - 1; i++) {
    sum += (1 - x[i]) ** 2 + 100 * (x[i + 1] - x[i] * x[i]) ** 2;
  }
  return sum;
}

export function logsumexp(x: number[]): number {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  let s = 0;
  for (const v of x) s += Math.exp(v - m);
  return m + Math.log(s);
}

/** Logistic regression: mean negative log-likelihood of labels y ∈ {0, 1}. */
export function logisticLoss(w: number[], b: number, X: number[][], y: number[]): number {
  let total = 0;
  for (let i = 0; i < X.length; i++) {
    let z = b;
    for (let j = 0; j < w.length; j++) z += w[j] * X[i][j];
    total += Math.log(1 + Math.exp(-z)) + (1 - y[i]) * z;
  }
  return total / X.length;
}
