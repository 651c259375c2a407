/**
 * log-sum-exp, max-shifted (GradBench's `lse` eval).
 *
 * Exports:
 *   lse(x: number[]): number — max x + log Σ exp(x_i − max x).
 */
export function lse(x: number[]): number {
  let largest = -Infinity;
  for (const v of x) largest = Math.max(largest, v);
  let sum = 0;
  for (const v of x) sum += Math.exp(v - largest);
  return largest + Math.log(sum);
}
