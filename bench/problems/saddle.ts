/**
 * GradBench's `saddle`: the saddle point of f(p, q) = (p₀² + p₁²) − (q₀² + q₁²), found as
 * min over p of (max over q of f(p, q)), both by gradient descent from the same start. The
 * inner maximum is itself a gradient method, so the outer gradient differentiates code that
 * calls a gradient: nested differentiation. Four variants choose forward or reverse mode for
 * the outer (first letter) and the inner (second letter) gradient.
 *
 * Regenerate saddle.grad.ts with `npm run bench:generate saddle.ts` (on a fresh checkout, the
 * objective's derivatives first: `tsad bench/problems/saddle.ts --fn saddleObjective --wrt q`).
 */
import { innerMaxForwardGrad, innerMaxForwardJvp, innerMaxReverseGrad, innerMaxReverseJvp, saddleObjectiveGrad, saddleObjectiveJvp } from "./saddle.grad.ts";

/** @differentiate wrt=q emit=grad,jvp */
export function saddleObjective(p: number[], q: number[]): number {
  return p[0] * p[0] + p[1] * p[1] - (q[0] * q[0] + q[1] * q[1]);
}

const TOLERANCE = 1e-5;

function norm(v: number[]): number {
  let sum = 0;
  for (const x of v) sum += x * x;
  return Math.sqrt(sum);
}

function distance(u: number[], v: number[]): number {
  let sum = 0;
  for (let i = 0; i < u.length; i++) sum += (u[i] - v[i]) * (u[i] - v[i]);
  return Math.sqrt(sum);
}

/** ∂f/∂q by reverse mode. */
function gradQReverse(p: number[], q: number[]): number[] {
  return saddleObjectiveGrad(p, q).grad.q;
}

/** ∂f/∂q by forward mode, one direction per coordinate. */
function gradQForward(p: number[], q: number[]): number[] {
  const g: number[] = [];
  for (let i = 0; i < q.length; i++) {
    const unit = q.map((_, j) => (j === i ? 1 : 0));
    g.push(saddleObjectiveJvp(p, q, { q: unit }).tangent);
  }
  return g;
}

/**
 * max over q of f(p, q) by gradient ascent from `start`: a step along the gradient is taken when
 * it improves f, otherwise the step size halves; ten good steps in a row double it. It stops when
 * the gradient or the step is smaller than the tolerance.
 */
/** @differentiate wrt=p emit=grad,jvp */
export function innerMaxReverse(p: number[], start: number[]): number {
  let q = [...start];
  let fq = saddleObjective(p, q);
  let g = gradQReverse(p, q);
  let eta = 1e-5;
  let good = 0;
  while (norm(g) > TOLERANCE) {
    if (good === 10) {
      eta = 2 * eta;
      good = 0;
      continue;
    }
    const next = q.map((x, i) => x + eta * g[i]);
    if (distance(q, next) <= TOLERANCE) break;
    const fNext = saddleObjective(p, next);
    if (fNext > fq) {
      q = next;
      fq = fNext;
      g = gradQReverse(p, q);
      good++;
    } else {
      eta = eta / 2;
      good = 0;
    }
  }
  return fq;
}

/** The same ascent with the inner gradient by forward mode. */
/** @differentiate wrt=p emit=grad,jvp */
export function innerMaxForward(p: number[], start: number[]): number {
  let q = [...start];
  let fq = saddleObjective(p, q);
  let g = gradQForward(p, q);
  let eta = 1e-5;
  let good = 0;
  while (norm(g) > TOLERANCE) {
    if (good === 10) {
      eta = 2 * eta;
      good = 0;
      continue;
    }
    const next = q.map((x, i) => x + eta * g[i]);
    if (distance(q, next) <= TOLERANCE) break;
    const fNext = saddleObjective(p, next);
    if (fNext > fq) {
      q = next;
      fq = fNext;
      g = gradQForward(p, q);
      good++;
    } else {
      eta = eta / 2;
      good = 0;
    }
  }
  return fq;
}

/** Gradient descent on any function given its value and gradient (the outer level: not differentiated). */
export function argmin(f: (x: number[]) => number, grad: (x: number[]) => number[], start: number[]): number[] {
  let x = [...start];
  let fx = f(x);
  let g = grad(x);
  let eta = 1e-5;
  let good = 0;
  while (norm(g) > TOLERANCE) {
    if (good === 10) {
      eta = 2 * eta;
      good = 0;
      continue;
    }
    const next = x.map((v, i) => v - eta * g[i]);
    if (distance(x, next) <= TOLERANCE) break;
    const fNext = f(next);
    if (fNext < fx) {
      x = next;
      fx = fNext;
      g = grad(x);
      good++;
    } else {
      eta = eta / 2;
      good = 0;
    }
  }
  return x;
}

/** ∂/∂p of an inner maximum by forward mode, one direction per coordinate. */
function forwardGradient(jvp: (p: number[], start: number[], tangent: { p: number[] }) => { tangent: number }, p: number[], start: number[]): number[] {
  return p.map((_, i) => jvp(p, start, { p: p.map((_, j) => (j === i ? 1 : 0)) }).tangent);
}

type Variant = "ff" | "fr" | "rf" | "rr";

/** The saddle point [p₀, p₁, q₀, q₁] from `start`; `variant` is (outer mode, inner mode). */
export function saddle(variant: Variant, start: number[]): number[] {
  const innerForward = variant[1] === "f";
  const outerForward = variant[0] === "f";
  const value = (p: number[]) => (innerForward ? innerMaxForward(p, start) : innerMaxReverse(p, start));
  const gradient = (p: number[]): number[] => {
    if (outerForward) return innerForward ? forwardGradient(innerMaxForwardJvp, p, start) : forwardGradient(innerMaxReverseJvp, p, start);
    return (innerForward ? innerMaxForwardGrad(p, start) : innerMaxReverseGrad(p, start)).grad.p;
  };
  const p = argmin(value, gradient, start);
  // Then the maximum over q at that p, with the outer level's mode.
  const negated = (q: number[]) => -saddleObjective(p, q);
  const negatedGradient = (q: number[]) => (outerForward ? gradQForward(p, q) : gradQReverse(p, q)).map((x) => -x);
  const q = argmin(negated, negatedGradient, start);
  return [...p, ...q];
}
