/**
 * Directional derivatives by central differences, with step control.
 *
 * For each step h of a sweep (2⁻³ down to 2⁻¹⁵, a factor 4 apart) the central difference
 * C(h) = (g(h) − g(−h)) / 2h is refined by one Richardson step, R(h) = (4·C(h/2) − C(h)) / 3,
 * whose error falls as h⁴ until rounding takes over. The estimate is the pair of neighbouring
 * steps that agree best; their disagreement is the estimate's uncertainty. Powers of two as steps
 * keep `x + h·d` exact for the dyadic points and directions verify draws.
 *
 * Kinks: at a point where the function has a kink (|x| at 0, a max of two equal values), the
 * central difference converges to the average of the two one-sided slopes, which no derivative
 * matches. The second difference divided by h, (g(h) − 2g(0) + g(−h)) / h, tends to 0 like h at a
 * smooth point but stays at the jump in slope at a kink; `kinkGap` is its value at the smallest
 * step and `kinkGapBefore` at the step 4× larger, so a caller can tell the two apart.
 */
import { maxAbs } from "./values.ts";

export const STEPS = [2 ** -3, 2 ** -5, 2 ** -7, 2 ** -9, 2 ** -11, 2 ** -13, 2 ** -15];

export interface DifferenceEstimate {
  /** The best estimate of the directional derivative, flattened; undefined when no step gave finite values. */
  value?: number[];
  /** ‖R(h) − R(h')‖∞ for the best-agreeing neighbouring steps. */
  uncertainty: number;
  /** The step of the chosen estimate. */
  step: number;
  /** ‖(g(h) − 2g(0) + g(−h)) / h‖∞ at the smallest step, and at the step 4× larger. */
  kinkGap: number;
  kinkGapBefore: number;
}

export function centralDifference(g: (h: number) => number[], steps: readonly number[] = STEPS): DifferenceEstimate {
  const values = new Map<number, number[]>();
  const at = (h: number) => {
    let v = values.get(h);
    if (!v) values.set(h, (v = g(h)));
    return v;
  };
  const central = (h: number) => {
    const plus = at(h);
    const minus = at(-h);
    return plus.map((p, i) => (p - minus[i]!) / (2 * h));
  };
  const estimates = steps.map((h) => {
    const coarse = central(h);
    const fine = central(h / 2);
    const refined = fine.map((v, i) => (4 * v - coarse[i]!) / 3);
    return refined.every(Number.isFinite) ? refined : undefined;
  });
  let best: DifferenceEstimate = { uncertainty: Infinity, step: NaN, kinkGap: NaN, kinkGapBefore: NaN };
  for (let k = 0; k + 1 < estimates.length; k++) {
    const a = estimates[k];
    const b = estimates[k + 1];
    if (!a || !b || a.length !== b.length) continue;
    const gap = maxAbs(a.map((x, i) => x - b[i]!));
    if (gap < best.uncertainty || best.value === undefined) best = { ...best, value: b, uncertainty: gap, step: steps[k + 1]! };
  }
  if (best.value === undefined) {
    const last = estimates.map((e, k) => (e ? k : -1)).reduce((a, b) => Math.max(a, b), -1);
    if (last >= 0) best = { ...best, value: estimates[last], uncertainty: Infinity, step: steps[last]! };
  }
  const zero = at(0);
  const secondDifference = (h: number) => maxAbs(at(h).map((p, i) => (p - 2 * zero[i]! + at(-h)[i]!) / h));
  const smallest = steps[steps.length - 1]!;
  const before = steps[steps.length - 2] ?? smallest;
  return { ...best, kinkGap: secondDifference(smallest), kinkGapBefore: secondDifference(before) };
}
