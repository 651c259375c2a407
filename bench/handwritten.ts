/**
 * Gradients written by hand, the baseline a generated gradient should be close to: what a
 * TypeScript user would write without tsad (one forward pass that keeps what the backward pass
 * needs, then the chain rule by hand).
 */
import type { Layer } from "../examples/mlp.ts";

export function rosenbrockGradient(x: number[]): number[] {
  const g = new Array<number>(x.length).fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const d = x[i + 1]! - x[i]! * x[i]!;
    g[i]! += -2 * (1 - x[i]!) - 400 * d * x[i]!;
    g[i + 1]! += 200 * d;
  }
  return g;
}

export function lseGradient(x: number[]): number[] {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  let s = 0;
  for (const v of x) s += Math.exp(v - m);
  return x.map((v) => Math.exp(v - m) / s);
}

/** ∂/∂x_j of ½ Σ_i (s_i − Σ_j x_j t_i^j)² = −Σ_i r_i t_i^j. */
export function llsqGradient(x: number[], n: number): number[] {
  const g = new Array<number>(x.length).fill(0);
  for (let i = 0; i < n; i++) {
    const t = -1 + (2 * i) / (n - 1);
    let residual = Math.sign(t);
    for (let j = 0; j < x.length; j++) residual -= x[j]! * t ** j;
    for (let j = 0; j < x.length; j++) g[j]! -= residual * t ** j;
  }
  return g;
}

/** Backpropagation through examples/mlp.ts's `loss` (ReLU hidden layers, mean squared error). */
export function mlpGradient(layers: Layer[], xs: number[][], ys: number[][]): Layer[] {
  const grads: Layer[] = layers.map((layer) => ({ W: layer.W.map((row) => new Array<number>(row.length).fill(0)), b: new Array<number>(layer.b.length).fill(0) }));
  const scale = 2 / xs.length;
  for (let s = 0; s < xs.length; s++) {
    // Forward, keeping every layer's input and pre-activation.
    const inputs: number[][] = [];
    const pre: number[][] = [];
    let h = xs[s]!;
    for (let l = 0; l < layers.length; l++) {
      const { W, b } = layers[l]!;
      inputs.push(h);
      const z = new Array<number>(W.length);
      for (let i = 0; i < W.length; i++) {
        let acc = b[i]!;
        const row = W[i]!;
        for (let j = 0; j < h.length; j++) acc += row[j]! * h[j]!;
        z[i] = acc;
      }
      pre.push(z);
      h = l < layers.length - 1 ? z.map((v) => Math.max(0, v)) : z;
    }
    // Backward.
    let delta = h.map((v, k) => scale * (v - ys[s]![k]!));
    for (let l = layers.length - 1; l >= 0; l--) {
      const { W } = layers[l]!;
      const input = inputs[l]!;
      const g = grads[l]!;
      if (l < layers.length - 1) delta = delta.map((d, i) => (pre[l]![i]! > 0 ? d : 0));
      const below = new Array<number>(input.length).fill(0);
      for (let i = 0; i < W.length; i++) {
        const d = delta[i]!;
        g.b[i]! += d;
        const row = W[i]!;
        const gRow = g.W[i]!;
        for (let j = 0; j < input.length; j++) {
          gRow[j]! += d * input[j]!;
          below[j]! += d * row[j]!;
        }
      }
      delta = below;
    }
  }
  return grads;
}
