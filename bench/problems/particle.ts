/**
 * GradBench's `particle`: a charged particle starts at (0, 8) with velocity (0.75, 0) and is
 * pushed by the field of two fixed unit charges at (10, 10 − w) and (10, 0). Its path is
 * integrated by Euler steps (Δt = 0.1), the force being minus the gradient of the potential
 * p(x; w) = 1/‖x − (10, 10 − w)‖ + 1/‖x − (10, 0)‖ with respect to the position, until it would
 * cross the x axis; the crossing point is found by linear interpolation. The control w that
 * makes it cross at the origin minimises (crossing x)², found by gradient descent. The gradient
 * with respect to w differentiates the integration, which itself calls the gradient of p:
 * nested differentiation. Four variants choose forward or reverse mode for the outer (first
 * letter) and the inner (second letter) gradient.
 *
 * Regenerate particle.grad.ts with `npm run bench:generate particle.ts` (on a fresh checkout,
 * the potential's derivatives first: `tsad bench/problems/particle.ts --fn potential`).
 */
import { crossingForwardGrad, crossingForwardJvp, crossingReverseGrad, crossingReverseJvp, potentialGrad, potentialJvp } from "./particle.grad.ts";
import { argmin } from "./saddle.ts";

/** @differentiate wrt=x emit=grad,jvp */
export function potential(x: number[], w: number): number {
  const a = Math.hypot(x[0] - 10, x[1] - (10 - w));
  const b = Math.hypot(x[0] - 10, x[1]);
  return 1 / a + 1 / b;
}

const STEP = 0.1;

/** The force −∇ₓp by reverse mode. */
function forceReverse(x: number[], w: number): number[] {
  const g = potentialGrad(x, w).grad.x;
  return [-g[0], -g[1]];
}

/** The force −∇ₓp by forward mode, one direction per coordinate. */
function forceForward(x: number[], w: number): number[] {
  const gx = potentialJvp(x, w, { x: [1, 0] }).tangent;
  const gy = potentialJvp(x, w, { x: [0, 1] }).tangent;
  return [-gx, -gy];
}

/** (x coordinate where the path crosses the x axis)², the force by reverse mode. */
/** @differentiate wrt=w emit=grad,jvp */
export function crossingReverse(w: number): number {
  let x = [0, 8];
  let v = [0.75, 0];
  for (;;) {
    const a = forceReverse(x, w);
    const next = [x[0] + STEP * v[0], x[1] + STEP * v[1]];
    if (next[1] <= 0) break;
    x = next;
    v = [v[0] + STEP * a[0], v[1] + STEP * a[1]];
  }
  const dt = -x[1] / v[1];
  const cross = x[0] + dt * v[0];
  return cross * cross;
}

/** The same path with the force by forward mode. */
/** @differentiate wrt=w emit=grad,jvp */
export function crossingForward(w: number): number {
  let x = [0, 8];
  let v = [0.75, 0];
  for (;;) {
    const a = forceForward(x, w);
    const next = [x[0] + STEP * v[0], x[1] + STEP * v[1]];
    if (next[1] <= 0) break;
    x = next;
    v = [v[0] + STEP * a[0], v[1] + STEP * a[1]];
  }
  const dt = -x[1] / v[1];
  const cross = x[0] + dt * v[0];
  return cross * cross;
}

type Variant = "ff" | "fr" | "rf" | "rr";

/** The control w from the start `w0`; `variant` is (outer mode, inner mode). */
export function particle(variant: Variant, w0: number): number {
  const innerForward = variant[1] === "f";
  const outerForward = variant[0] === "f";
  const value = ([w]: number[]) => (innerForward ? crossingForward(w) : crossingReverse(w));
  const gradient = ([w]: number[]): number[] => {
    if (outerForward) return [(innerForward ? crossingForwardJvp(w, { w: 1 }) : crossingReverseJvp(w, { w: 1 })).tangent];
    return [(innerForward ? crossingForwardGrad(w) : crossingReverseGrad(w)).grad.w];
  };
  return argmin(value, gradient, [w0])[0];
}
