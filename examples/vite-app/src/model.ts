/** softplus(z) = log(1 + eᶻ), written so that it does not overflow for large z. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The derivative of softplus is the logistic sigmoid: tsad uses this instead of differentiating the branches. */
/** @derivativeOf softplus */
export function softplusDerivative(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * The logistic loss of a line `w·x + b` on labelled points (labels ±1).
 * @differentiate wrt=w,b emit=grad
 */
export function loss(w: number, b: number, xs: number[], labels: number[]): number {
  let total = 0;
  for (let i = 0; i < xs.length; i++) total += softplus(-labels[i] * (w * xs[i] + b));
  return total / xs.length;
}
