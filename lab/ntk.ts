/**
 * The empirical neural tangent kernel Θ(x, x′) = Σ_p ∂f(x)/∂θ_p · ∂f(x′)/∂θ_p, that is Θ = J·Jᵀ
 * with J the Jacobian of the outputs at the points xs with respect to every parameter, from the
 * generated `predictionsJacobian`.
 */
import { predictionsJacobian } from "./models/mlp.grad.ts";
import type { Layer } from "./network.ts";

export function outputJacobian(layers: readonly Layer[], xs: readonly number[]): number[][] {
  return predictionsJacobian(layers as Layer[], xs as number[]).jacobian;
}

export function tangentKernel(layers: readonly Layer[], xs: readonly number[]): number[][] {
  const J = outputJacobian(layers, xs);
  return J.map((a) => J.map((b) => {
    let sum = 0;
    for (let p = 0; p < a.length; p++) sum += a[p]! * b[p]!;
    return sum;
  }));
}

/** ‖after − before‖_F / ‖before‖_F. */
export function relativeChange(before: readonly (readonly number[])[], after: readonly (readonly number[])[]): number {
  let difference = 0;
  let size = 0;
  before.forEach((row, i) => row.forEach((v, j) => {
    difference += (after[i]![j]! - v) ** 2;
    size += v * v;
  }));
  return Math.sqrt(difference / size);
}
