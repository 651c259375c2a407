/**
 * The sawtooth network: f_0 = x, f_l = 2·relu(f_(l−1)) + 2·relu(−f_(l−1)) − 2.
 * Its kinks double with each layer; between them the derivative is ±2^L.
 */
function relu(v: number): number {
  return Math.max(0, v);
}

export function sawtooth(x: number, depth: number): number {
  let f = x;
  for (let l = 1; l <= depth; l++) {
    f = 2 * relu(f) + 2 * relu(-f) - 2;
  }
  return f;
}
