/**
 * The checks at one input point:
 *
 * - value: every generated function returns the primal's value;
 * - arguments: no generated function changes its arguments;
 * - jvp: the JVP along a random direction ẋ against central differences of the primal;
 * - vjp: the VJP (the gradient, for a number) against the JVP by the dot-product identity
 *   ⟨J·ẋ, ȳ⟩ = ⟨ẋ, Jᵀ·ȳ⟩ for a random cotangent ȳ (against finite differences of ⟨f, ȳ⟩ when
 *   a module checked as it is has no JVP);
 * - hvp: the Hessian-vector product against central differences of the gradient along ẋ.
 *
 * A comparison with finite differences is one of: within tolerance; unreliable (the differences
 * did not settle, or they show a kink at the point: see differences.ts), so the point is
 * resampled; or a mismatch.
 */
import { centralDifference, type DifferenceEstimate } from "./differences.ts";
import { sampleDirection, zeroDirection, type ParameterShape } from "./inputs.ts";
import { allFinite, clone, dot, flattenLike, mapNumbers, maxAbs, norm, sameValue, stepAlong, isTypedArray } from "./values.ts";

export const CHECKS = ["value", "arguments", "jvp", "vjp", "hvp"] as const;
export type CheckName = (typeof CHECKS)[number];

export interface Tolerances {
  /** Derivatives against finite differences (relative). */
  differences: number;
  /** The dot-product identity (relative to the sizes of both sides). */
  identity: number;
  /** Values against the primal's (relative). */
  value: number;
}

type AnyFunction = (...args: unknown[]) => unknown;

/** The functions checked for one target: the primal and what tsad generated for it. */
export interface Subject {
  primal: AnyFunction;
  jvp?: AnyFunction;
  /** `fGrad(...args)` for a function returning a number, else `fVjp(...args, cotangent)`. */
  reverse?: AnyFunction;
  scalar: boolean;
  hvp?: AnyFunction;
  params: readonly ParameterShape[];
  wrt: boolean[];
}

export type PointOutcome =
  /** Every comparison was conclusive: an error per check (0 when it passed exactly). */
  | { kind: "checked"; errors: Partial<Record<CheckName, number>>; failed: CheckName[]; messages: string[] }
  /** The point is not good for checking (the function is not finite or not smooth there). */
  | { kind: "unusable"; reason: string };

/** Runs every check at `args`. `random` draws the direction and the cotangent. */
export function checkPoint(subject: Subject, args: readonly unknown[], random: () => number, tolerances: Tolerances): PointOutcome {
  let value: unknown;
  try {
    value = subject.primal(...clone(args));
  } catch (error) {
    return { kind: "unusable", reason: `the function throws here (${(error as Error).message})` };
  }
  if (!allFinite(value)) return { kind: "unusable", reason: "the function's value is not finite here" };

  const errors: Partial<Record<CheckName, number>> = {};
  const failed = new Set<CheckName>();
  const messages: string[] = [];
  const record = (check: CheckName, error: number, tolerance: number, message?: string) => {
    errors[check] = Math.max(errors[check] ?? 0, Number.isNaN(error) ? Infinity : error);
    if (!(error <= tolerance)) {
      failed.add(check);
      if (message) messages.push(message);
    }
  };
  /** Calls a generated function on copies of the arguments; records whether it changed them. */
  const call = (fn: AnyFunction, label: string, extra: unknown[]): unknown => {
    const copies = clone(args) as unknown[];
    const result = fn(...copies, ...extra);
    const changed = copies.findIndex((c, i) => !sameValue(c, args[i]));
    record("arguments", changed < 0 ? 0 : Infinity, 0, changed < 0 ? undefined : `${label} changed its argument \`${subject.params[changed]!.name}\``);
    return result;
  };
  const checkValue = (result: unknown, label: string) => {
    const error = valueError((result as { value?: unknown })?.value, value);
    record("value", error, tolerances.value, `${label} returned the value ${String(error)} away from the function's`);
  };

  const tangent = Object.fromEntries(
    subject.params.flatMap((p, i) => (subject.wrt[i] ? [[p.name, p.integer ? zeroDirection(p.type, args[i]) : sampleDirection(p.type, args[i], random)]] : [])),
  );
  const stepped = (h: number) => subject.params.map((p, i) => stepAlong(args[i], tangent[p.name], h));

  let jvp: { value: unknown; tangent: unknown } | undefined;
  if (subject.jvp) {
    try {
      jvp = call(subject.jvp, "the JVP", [clone(tangent)]) as { value: unknown; tangent: unknown };
    } catch (error) {
      return threw("jvp", "the JVP", error, errors, failed, messages);
    }
    checkValue(jvp, "the JVP");
  }
  // The derivative's shape: the JVP's tangent, or the value itself (flattening skips what is not a number).
  const outputShape = jvp ? jvp.tangent : value;
  if (jvp) {
    const forwardEstimate = centralDifference((h) => orNaN(() => flattenLike(subject.primal(...stepped(h)), outputShape)));
    const forward = judge(flattenLike(jvp.tangent, outputShape), forwardEstimate, tolerances.differences);
    if (forward.verdict === "unreliable") return { kind: "unusable", reason: forward.reason };
    record("jvp", forward.error, tolerances.differences, "the JVP disagrees with finite differences");
  }
  let reverse: { value: unknown; grad: unknown } | undefined;
  if (subject.reverse) {
    const cotangent = subject.scalar ? 1 : mapNumbers(outputShape, () => dyadicDirection(random));
    try {
      reverse = (subject.scalar ? call(subject.reverse, "the gradient", []) : call(subject.reverse, "the VJP", [clone(cotangent)])) as { value: unknown; grad: unknown };
    } catch (error) {
      return threw("vjp", subject.scalar ? "the gradient" : "the VJP", error, errors, failed, messages);
    }
    checkValue(reverse, subject.scalar ? "the gradient" : "the VJP");
    const directionDotGrad = dot(flattenLike(tangent, tangent), flattenLike(reverse.grad, tangent));
    if (jvp) {
      const jvpDotCotangent = dot(flattenLike(jvp.tangent, outputShape), flattenLike(cotangent, outputShape));
      const identityScale = norm(flattenLike(jvp.tangent, outputShape)) * norm(flattenLike(cotangent, outputShape)) + norm(flattenLike(tangent, tangent)) * norm(flattenLike(reverse.grad, tangent));
      const identityError = identityScale === 0 ? Math.abs(jvpDotCotangent - directionDotGrad) : Math.abs(jvpDotCotangent - directionDotGrad) / identityScale;
      record("vjp", identityError, tolerances.identity, `⟨J·ẋ, ȳ⟩ = ${jvpDotCotangent} but ⟨ẋ, Jᵀ·ȳ⟩ = ${directionDotGrad}`);
    } else {
      // No JVP to compare with: ⟨ẋ, Jᵀ·ȳ⟩ against finite differences of ⟨f(x + hẋ), ȳ⟩.
      const weights = flattenLike(cotangent, outputShape);
      const projected = centralDifference((h) => orNaN(() => [dot(flattenLike(subject.primal(...stepped(h)), outputShape), weights)]));
      const reverseCheck = judge([directionDotGrad], projected, tolerances.differences);
      if (reverseCheck.verdict === "unreliable") return { kind: "unusable", reason: reverseCheck.reason };
      record("vjp", reverseCheck.error, tolerances.differences, `⟨ẋ, Jᵀ·ȳ⟩ = ${directionDotGrad} disagrees with finite differences`);
    }
  }

  if (subject.scalar && subject.hvp) {
    let hvp: { value: unknown; grad: unknown; hvp: unknown };
    try {
      hvp = call(subject.hvp, "the HVP", [clone(tangent)]) as typeof hvp;
    } catch (error) {
      return threw("hvp", "the HVP", error, errors, failed, messages);
    }
    checkValue(hvp, "the HVP");
    if (reverse) {
      const gradError = relativeDifference(flattenLike(hvp.grad, tangent), flattenLike(reverse.grad, tangent), 0);
      record("hvp", gradError, tolerances.value, "the HVP's gradient differs from the gradient's");
    }
    const gradientAt = (at: unknown[]) => ((subject.reverse ? subject.reverse(...at) : subject.hvp!(...at, clone(tangent))) as { grad: unknown }).grad;
    const gradient = (h: number) => orNaN(() => flattenLike(gradientAt(stepped(h)), tangent));
    const second = judge(flattenLike(hvp.hvp, tangent), centralDifference(gradient), tolerances.differences);
    if (second.verdict === "unreliable") return { kind: "unusable", reason: `${second.reason} (of the gradient)` };
    record("hvp", second.error, tolerances.differences, "the HVP disagrees with finite differences of the gradient");
  }
  return { kind: "checked", errors, failed: [...failed], messages };
}

function threw(check: CheckName, label: string, error: unknown, errors: Partial<Record<CheckName, number>>, failed: Set<CheckName>, messages: string[]): PointOutcome {
  errors[check] = Infinity;
  failed.add(check);
  messages.push(`${label} threw: ${(error as Error)?.message ?? String(error)}`);
  return { kind: "checked", errors, failed: [...failed], messages };
}

type Judgement = { verdict: "ok" | "mismatch"; error: number } | { verdict: "unreliable"; error: number; reason: string };

/**
 * A derivative `ad` against a finite-difference estimate. The relative error is
 * ‖ad − fd‖∞ / max(‖fd‖∞, ‖ad‖∞, 10⁻⁸). Above tolerance, it is a mismatch only when the
 * differences themselves are trustworthy: settled to within tolerance, and no kink at the point.
 */
function judge(ad: number[], fd: DifferenceEstimate, tolerance: number): Judgement {
  if (!fd.value) return { verdict: "unreliable", error: NaN, reason: "the function is not finite near this point" };
  const error = relativeDifference(ad, fd.value, 1e-8);
  if (error <= tolerance) return { verdict: "ok", error };
  const scale = Math.max(maxAbs(fd.value), Number.isFinite(maxAbs(ad)) ? maxAbs(ad) : 0, 1e-8);
  if (!(fd.uncertainty <= tolerance * scale)) return { verdict: "unreliable", error, reason: "finite differences do not settle here (a kink or a jump nearby)" };
  if (fd.kinkGap > tolerance * scale && fd.kinkGap > 0.5 * fd.kinkGapBefore) return { verdict: "unreliable", error, reason: "the function has a kink at this point" };
  return { verdict: "mismatch", error };
}

/** ‖a − b‖∞ / max(‖a‖∞, ‖b‖∞, floor); NaN anywhere is Infinity. */
function relativeDifference(a: readonly number[], b: readonly number[], floor: number): number {
  if (a.length !== b.length) return Infinity;
  const difference = maxAbs(a.map((x, i) => x - b[i]!));
  if (Number.isNaN(difference)) return Infinity;
  const scale = Math.max(maxAbs(a), maxAbs(b), floor);
  return scale === 0 ? difference : difference / scale;
}

/** How far a returned value is from the primal's: relative on the numbers, Infinity if the rest differs. */
function valueError(actual: unknown, expected: unknown): number {
  const shape = mapNumbers(expected, (x) => x);
  const numbers = flattenLike(actual, shape);
  const reference = flattenLike(expected, shape);
  if (!sameStructure(actual, expected)) return Infinity;
  return relativeDifference(numbers, reference, 1e-300);
}

function sameStructure(a: unknown, b: unknown): boolean {
  if (typeof b === "number") return typeof a === "number";
  if (isTypedArray(b) || Array.isArray(b)) return (isTypedArray(a) || Array.isArray(a)) && a.length === b.length && Array.from(b as ArrayLike<unknown>).every((e, i) => sameStructure((a as ArrayLike<unknown>)[i], e));
  if (b && typeof b === "object") return !!a && typeof a === "object" && Object.keys(b).every((k) => sameStructure((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  return a === b;
}

/** A function that throws at a nearby point is not finite there. */
function orNaN(values: () => number[]): number[] {
  try {
    return values();
  } catch {
    return [NaN];
  }
}

function dyadicDirection(random: () => number): number {
  const magnitude = Math.round((0.25 + 0.75 * random()) * 64) / 64;
  return random() < 0.5 ? -magnitude : magnitude;
}
