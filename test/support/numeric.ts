/**
 * Numeric helpers for the derivative checks: seeded random points and directions shaped like a
 * function's arguments, flattening, and central differences with Richardson extrapolation.
 */

/** A small seeded generator (mulberry32): the same points on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const isTypedArray = (v: unknown): v is Float64Array | Float32Array => v instanceof Float64Array || v instanceof Float32Array;

/** Whether a value holds any number (so it has a derivative). */
export function hasNumbers(v: unknown): boolean {
  if (typeof v === "number") return true;
  if (isTypedArray(v)) return true;
  if (Array.isArray(v)) return v.some(hasNumbers);
  if (v && typeof v === "object") return Object.values(v).some(hasNumbers);
  return false;
}

/** A value of the derivative shape of `v`, each number produced by `leaf(number)`. */
export function mapLeaves(v: unknown, leaf: (x: number) => number): unknown {
  if (typeof v === "number") return leaf(v);
  if (v instanceof Float64Array) return Float64Array.from(v, leaf);
  if (v instanceof Float32Array) return Float32Array.from(v, leaf);
  if (Array.isArray(v)) return v.map((e) => (hasNumbers(e) ? mapLeaves(e, leaf) : 0));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) if (hasNumbers(e)) out[k] = mapLeaves(e, leaf);
    return out;
  }
  return v;
}

/** The numbers of `value` that `shape` (a derivative-shaped value) has, depth first. */
export function flattenLike(value: unknown, shape: unknown): number[] {
  if (typeof shape === "number") return [typeof value === "number" ? value : 0];
  if (Array.isArray(shape) || isTypedArray(shape)) {
    const values = value as ArrayLike<unknown>;
    return Array.from(shape as ArrayLike<unknown>).flatMap((s, i) => flattenLike(values[i], s));
  }
  if (shape && typeof shape === "object") return Object.keys(shape).flatMap((k) => flattenLike((value as Record<string, unknown>)[k], (shape as Record<string, unknown>)[k]));
  return [];
}

/** `value + h·direction` on the leaves `direction` has. */
export function step(value: unknown, direction: unknown, h: number): unknown {
  if (typeof value === "number") return value + h * (direction as number);
  if (isTypedArray(value)) {
    const out = value.slice();
    const d = direction as ArrayLike<number>;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + h * d[i]!;
    return out;
  }
  if (Array.isArray(value)) return value.map((e, i) => (hasNumbers(e) ? step(e, (direction as unknown[])[i], h) : e));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(value)) out[k] = direction && k in (direction as object) ? step(e, (direction as Record<string, unknown>)[k], h) : e;
    return out;
  }
  return value;
}

export function deepClone<T>(v: T): T {
  if (isTypedArray(v)) return v.slice() as T;
  if (Array.isArray(v)) return v.map(deepClone) as T;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, deepClone(e)])) as T;
  return v;
}

/**
 * The directional derivative of `g` at 0 by central differences with one Richardson step, for
 * each step in a sweep; returns every estimate (the check accepts the best agreement).
 */
export function centralDifferences(g: (h: number) => number[], steps = [1e-2, 1e-3, 1e-4]): number[][] {
  const central = (h: number) => {
    const plus = g(h);
    const minus = g(-h);
    return plus.map((p, i) => (p - minus[i]!) / (2 * h));
  };
  return steps.map((h) => {
    const coarse = central(h);
    const fine = central(h / 2);
    return fine.map((v, i) => (4 * v - coarse[i]!) / 3);
  });
}

/** max |a − b| / max(1, max |b|). */
export function relativeError(a: number[], b: number[]): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}
