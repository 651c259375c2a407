/** The Rosenbrock function: the classic test of optimisers, minimum 0 at x = (1, …, 1). */
export function rosenbrock(x: number[]): number {
  let sum = 0;
  for (let i = 0; i < x.length - 1; i++) {
    sum += (1 - x[i]) ** 2 + 100 * (x[i + 1] - x[i] * x[i]) ** 2;
  }
  return sum;
}
