/**
 * log-sum-exp, max-shifted (GradBench's `lse` eval).
 *
 * Exports:
 *   lse(x: number[]): number — max x + log Σ exp(x_i − max x).
 */
export function lse(x: number[]): number {
  let largest = -Infinity;
  for (let i = 0; i < x.length; i++) {
    largest = Math.max(largest, x[i]);
  }
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    sum += Math.exp(x[i] - largest);
  }
  return largest + Math.log(sum);
}
