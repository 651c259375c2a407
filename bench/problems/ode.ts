/**
 * An ODE solved by classical Runge–Kutta, GradBench's `ode` eval (after cmpad's `an_ode`):
 * y_0' = x_0, y_i' = x_i·y_(i−1) for i ≥ 1, y(0) = 0, integrated over [0, 2] in s steps. (The eval's
 * README writes the right-hand side as a sum; its reference implementation, which validates the
 * outputs, uses the single term x_i·y_(i−1), and so does this file.)
 *
 * Exports:
 *   ode(x: number[], s: number): number[] — the solution y(2) (GradBench's `primal`).
 *   odeLast(x: number[], s: number): number — its last element; GradBench's `gradient` is the
 *     gradient of this with respect to x.
 *   rungeKutta(y0: number[], x: number[], s: number): number[] — the solution from y(0) = y0
 *     (used by ode-from-state.ts).
 */

/** The right-hand side f(y) for parameters x. */
function derivative(x: number[], y: number[]): number[] {
  const z = new Array(x.length).fill(0);
  z[0] = x[0];
  for (let i = 1; i < x.length; i++) {
    z[i] = x[i] * y[i - 1];
  }
  return z;
}

/** s classical Runge–Kutta steps over [0, 2] from y0. */
export function rungeKutta(y0: number[], x: number[], s: number): number[] {
  const n = x.length;
  const h = 2 / s;
  const y = y0.slice();
  const stage = new Array(n).fill(0);
  for (let step = 0; step < s; step++) {
    const k1 = derivative(x, y);
    for (let i = 0; i < n; i++) stage[i] = y[i] + (h * k1[i]) / 2;
    const k2 = derivative(x, stage);
    for (let i = 0; i < n; i++) stage[i] = y[i] + (h * k2[i]) / 2;
    const k3 = derivative(x, stage);
    for (let i = 0; i < n; i++) stage[i] = y[i] + h * k3[i];
    const k4 = derivative(x, stage);
    for (let i = 0; i < n; i++) {
      y[i] += (h * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i])) / 6;
    }
  }
  return y;
}

export function ode(x: number[], s: number): number[] {
  return rungeKutta(new Array(x.length).fill(0), x, s);
}

export function odeLast(x: number[], s: number): number {
  const y = ode(x, s);
  return y[y.length - 1];
}

