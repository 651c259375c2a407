/**
 * Networks as data: creating one (seeded), counting and flattening its parameters in the order
 * tsad's dense Hessian and Jacobian use (layer by layer, W row by row, then b), and the vector
 * arithmetic gradient descent and power iteration need on them.
 */
import type { Layer } from "./models/mlp.ts";
import { normal, uniform } from "./random.ts";

export type { Layer };

export interface Architecture {
  /** Hidden layers. */
  depth: number;
  /** Units per hidden layer. */
  width: number;
}

export interface InitOptions {
  seed: number;
  /** Multiplies every initial weight (standard normal otherwise). */
  scale?: number;
  /** Standard deviation of the hidden biases (the output bias starts at 0). */
  biasScale?: number;
}

/** Layer sizes from input to output: [1, width × depth, 1]. */
export function sizes({ depth, width }: Architecture): number[] {
  return [1, ...new Array<number>(depth).fill(width), 1];
}

export function parameterCount(architecture: Architecture): number {
  const n = sizes(architecture);
  let count = 0;
  for (let l = 1; l < n.length; l++) count += n[l]! * n[l - 1]! + n[l]!;
  return count;
}

/** The width whose parameter count at this depth is nearest `budget`. */
export function widthForBudget(depth: number, budget: number): number {
  let best = 1;
  for (let width = 1; width <= budget; width++) {
    const count = parameterCount({ depth, width });
    if (Math.abs(count - budget) < Math.abs(parameterCount({ depth, width: best }) - budget)) best = width;
    if (count > budget) break;
  }
  return best;
}

/** Weights N(0, scale²), hidden biases N(0, biasScale²), output bias 0. */
export function initNetwork(architecture: Architecture, { seed, scale = 1, biasScale = 1 }: InitOptions): Layer[] {
  const gauss = normal(uniform(seed));
  const n = sizes(architecture);
  const layers: Layer[] = [];
  for (let l = 1; l < n.length; l++) {
    const output = l === n.length - 1;
    layers.push({
      W: Array.from({ length: n[l]! }, () => Array.from({ length: n[l - 1]! }, () => scale * gauss())),
      b: Array.from({ length: n[l]! }, () => (output ? 0 : biasScale * gauss())),
    });
  }
  return layers;
}

export function flatten(layers: readonly Layer[]): number[] {
  const out: number[] = [];
  for (const { W, b } of layers) {
    for (const row of W) out.push(...row);
    out.push(...b);
  }
  return out;
}

/** The vector `values` in the shape of `like`. */
export function unflatten(values: readonly number[], like: readonly Layer[]): Layer[] {
  let at = 0;
  return like.map(({ W, b }) => ({
    W: W.map((row) => row.map(() => values[at++]!)),
    b: b.map(() => values[at++]!),
  }));
}

export function clone(layers: readonly Layer[]): Layer[] {
  return layers.map(({ W, b }) => ({ W: W.map((row) => row.slice()), b: b.slice() }));
}

/** layers += factor · step, in place. */
export function addScaled(layers: Layer[], step: readonly Layer[], factor: number): void {
  layers.forEach((layer, l) => {
    const { W, b } = step[l]!;
    layer.W.forEach((row, i) => {
      const delta = W[i]!;
      for (let j = 0; j < row.length; j++) row[j]! += factor * delta[j]!;
    });
    for (let i = 0; i < layer.b.length; i++) layer.b[i]! += factor * b[i]!;
  });
}

/**
 * The sawtooth network with `depth` hidden layers of two units, f_0 = x,
 * f_l = 2·relu(f_(l−1)) + 2·relu(−f_(l−1)) − 2, written in this parameterisation: layer l's units
 * get f_(l−1) and −f_(l−1), and its weights carry √2 to undo the 1/√(fan-in) of two inputs.
 */
export function sawtoothNetwork(depth: number): Layer[] {
  const r = Math.SQRT2;
  const layers: Layer[] = [{ W: [[1], [-1]], b: [0, 0] }];
  for (let l = 2; l <= depth; l++) layers.push({ W: [[2 * r, 2 * r], [-2 * r, -2 * r]], b: [-2, 2] });
  layers.push({ W: [[2 * r, 2 * r]], b: [-2] });
  return layers;
}
