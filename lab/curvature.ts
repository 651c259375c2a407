/**
 * The curvature of the loss in parameter space: its largest Hessian eigenvalue (the sharpness) by
 * power iteration on the generated `lossHvp`, which never forms the Hessian, and the whole
 * spectrum of a small network's Hessian from the generated `lossHessian`.
 */
import { lossHessian, lossHvp } from "./models/mlp.grad.ts";
import { largestEigenvalue, symmetricEigenvalues, type PowerIteration } from "./linalg.ts";
import { flatten, unflatten, type Layer } from "./network.ts";
import type { Dataset } from "./train.ts";

/** The Hessian of the loss times `direction` (a flat vector in the parameters' order). */
export function hessianTimes(layers: readonly Layer[], { xs, ys }: Dataset, direction: readonly number[]): number[] {
  return flatten(lossHvp(layers as Layer[], xs, ys, { layers: unflatten(direction, layers) }).hvp.layers);
}

/** The largest eigenvalue of the loss's Hessian, from Hessian-vector products alone. */
export function sharpness(layers: readonly Layer[], data: Dataset, options: { iterations?: number; tolerance?: number; seed?: number } = {}): PowerIteration {
  return largestEigenvalue((v) => hessianTimes(layers, data, v), flatten(layers).length, options);
}

export function denseHessian(layers: readonly Layer[], { xs, ys }: Dataset): number[][] {
  return lossHessian(layers as Layer[], xs, ys).hessian;
}

/** Every eigenvalue of the loss's Hessian, ascending. */
export function hessianSpectrum(layers: readonly Layer[], data: Dataset): number[] {
  return symmetricEigenvalues(denseHessian(layers, data));
}
