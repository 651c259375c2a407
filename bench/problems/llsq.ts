/**
 * Linear least squares, GradBench's `llsq` eval: fit a polynomial with m coefficients to the sign
 * function sampled at n points of [−1, 1].
 *
 * Exports:
 *   llsq(x: number[], n: number): number — ½ Σ_i (s_i − Σ_j x_j·t_i^j)² with
 *     t_i = −1 + 2i/(n−1), s_i = sign(t_i); x has m entries; n is a count (not differentiated).
 */
export function llsq(x: number[], n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const t = -1 + (2 * i) / (n - 1);
    let residual = Math.sign(t);
    for (let j = 0; j < x.length; j++) {
      residual -= x[j] * t ** j;
    }
    sum += residual * residual;
  }
  return sum / 2;
}
