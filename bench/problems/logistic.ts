/**
 * Logistic regression's loss.
 *
 * Exports:
 *   logisticLoss(w: number[], b: number, X: number[][], y: number[]): number — the mean negative
 *     log-likelihood of labels y ∈ {0, 1} under P(y = 1) = σ(w·x + b). Differentiate with
 *     respect to w and b.
 */
export function logisticLoss(w: number[], b: number, X: number[][], y: number[]): number {
  let total = 0;
  for (let i = 0; i < X.length; i++) {
    let z = b;
    for (let j = 0; j < w.length; j++) z += w[j] * X[i][j];
    total += Math.log(1 + Math.exp(-z)) + (1 - y[i]) * z;
  }
  return total / X.length;
}
