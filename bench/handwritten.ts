/** Gradients written by hand, the baseline a generated gradient should be close to. */
export function rosenbrockGradient(x: number[]): number[] {
  const g = new Array<number>(x.length).fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const d = x[i + 1]! - x[i]! * x[i]!;
    g[i]! += -2 * (1 - x[i]!) - 400 * d * x[i]!;
    g[i + 1]! += 200 * d;
  }
  return g;
}

export function logsumexpGradient(x: number[]): number[] {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  let s = 0;
  for (const v of x) s += Math.exp(v - m);
  return x.map((v) => Math.exp(v - m) / s);
}
