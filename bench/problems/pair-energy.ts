/**
 * A smooth pairwise interaction energy of n coordinates (a softened, oscillating potential):
 * every pair interacts, so the Hessian is dense. Newton's method and the normal modes of such a
 * system need the whole n × n Hessian.
 */
export function pairEnergy(x: number[]): number {
  const n = x.length;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    energy += 0.5 * x[i] * x[i];
    for (let j = i + 1; j < n; j++) {
      const d = x[i] - x[j];
      energy += Math.exp(-d * d) * Math.cos(x[i] + x[j]) / (1 + j - i);
    }
  }
  return energy;
}
