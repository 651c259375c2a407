/** Logistic regression: the mean negative log-likelihood of labels y ∈ {0, 1} given features X. */
export function logisticLoss(w: number[], b: number, X: number[][], y: number[]): number {
  let total = 0;
  for (let i = 0; i < X.length; i++) {
    let z = b;
    for (let j = 0; j < w.length; j++) {
      z += w[j] * X[i][j];
    }
    // log(1 + e^(−z)) + (1 − y)·z = −[y·log σ(z) + (1 − y)·log(1 − σ(z))]
    total += Math.log(1 + Math.exp(-z)) + (1 - y[i]) * z;
  }
  return total / X.length;
}
