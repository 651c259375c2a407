/**
 * The extended Rosenbrock function.
 *
 * Exports:
 *   rosenbrock(x: number[]): number — Σ_i (1 − x_i)² + 100·(x_(i+1) − x_i²)².
 */
export function rosenbrock(x: number[]): number {
  let sum = 0;
  for (let i = 0; i < x.length - 1; i++) {
    sum += (1 - x[i]) ** 2 + 100 * (x[i + 1] - x[i] * x[i]) ** 2;
  }
  return sum;
}
