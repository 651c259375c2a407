/** Data sets and gradient descent θ ← θ − η∇L, with the gradient from the generated `lossGrad`. */
import { loss } from "./models/mlp.ts";
import { lossGrad } from "./models/mlp.grad.ts";
import { addScaled, type Layer } from "./network.ts";
import { normal, permutation, uniform } from "./random.ts";

export interface Dataset {
  xs: number[];
  ys: number[];
}

/** `n` evenly spaced points of `f` on [lo, hi], ends included. */
export function grid(f: (x: number) => number, n: number, lo = -1, hi = 1): Dataset {
  const xs = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  return { xs, ys: xs.map(f) };
}

/** `n` points drawn uniformly from [lo, hi] (sorted), each f(x) plus Gaussian noise of deviation `noise`. */
export function noisySamples(f: (x: number) => number, { n, noise, seed, lo = -1, hi = 1 }: { n: number; noise: number; seed: number; lo?: number; hi?: number }): Dataset {
  const random = uniform(seed);
  const gauss = normal(random);
  const xs = Array.from({ length: n }, () => lo + (hi - lo) * random()).sort((a, b) => a - b);
  return { xs, ys: xs.map((x) => f(x) + noise * gauss()) };
}

export function meanSquaredError(layers: readonly Layer[], { xs, ys }: Dataset): number {
  return loss(layers as Layer[], xs, ys);
}

export interface DescentOptions {
  steps: number;
  /** η. */
  rate: number;
  /** Samples per step (default: all of them, plain gradient descent). Batches go through a reshuffled epoch. */
  batchSize?: number;
  seed?: number;
  /** Called after each step with the loss of the batch before the step; returning false stops. */
  onStep?: (step: number, batchLoss: number) => boolean | void;
}

/** Runs gradient descent on `layers` in place; returns the batch loss before each step. */
export function gradientDescent(layers: Layer[], data: Dataset, { steps, rate, batchSize, seed = 1, onStep }: DescentOptions): number[] {
  const n = data.xs.length;
  const batch = Math.min(n, Math.max(1, batchSize ?? n));
  const random = uniform(seed);
  let order = permutation(n, random);
  let at = 0;
  const losses: number[] = [];
  for (let step = 1; step <= steps; step++) {
    let xs = data.xs;
    let ys = data.ys;
    if (batch < n) {
      if (at + batch > n) {
        order = permutation(n, random);
        at = 0;
      }
      const picked = order.slice(at, at + batch);
      at += batch;
      xs = picked.map((i) => data.xs[i]!);
      ys = picked.map((i) => data.ys[i]!);
    }
    const { value, grad } = lossGrad(layers, xs, ys);
    addScaled(layers, grad.layers, -rate);
    losses.push(value);
    if (onStep?.(step, value) === false) break;
  }
  return losses;
}
