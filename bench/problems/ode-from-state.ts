/**
 * The ODE of ode.ts started from a given initial state, so that the gradient covers the initial
 * state and the parameters together (the RK4 problem of `npm run bench`).
 *
 * Exports:
 *   odeLastFrom(y0: number[], x: number[], s: number): number — the last element of the
 *     solution at t = 2 from y(0) = y0, after s Runge–Kutta steps. Differentiate with respect to
 *     y0 and x.
 */
import { rungeKutta } from "./ode.ts";

export function odeLastFrom(y0: number[], x: number[], s: number): number {
  const y = rungeKutta(y0, x, s);
  return y[y.length - 1];
}
