/**
 * Values shaped like a function's arguments and results: copying, comparing, stepping along a
 * direction, and flattening to the list of numbers a derivative-shaped value has.
 */

export type TypedArray = Float64Array | Float32Array;

export const isTypedArray = (v: unknown): v is TypedArray => v instanceof Float64Array || v instanceof Float32Array;

export function clone<T>(v: T): T {
  if (isTypedArray(v)) return v.slice() as T;
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, clone(e)])) as T;
  return v;
}

/** Deep equality; NaN equals NaN (an argument holding NaN is unchanged when it still does). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Object.is(a, b) || a === b;
  if (isTypedArray(a) || Array.isArray(a)) {
    if (!(isTypedArray(b) || Array.isArray(b)) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/**
 * The numbers of `value` at the positions a derivative-shaped `shape` has numbers, depth first.
 * A missing or non-numeric entry reads as NaN, so a result of the wrong shape cannot agree.
 */
export function flattenLike(value: unknown, shape: unknown): number[] {
  if (typeof shape === "number") return [typeof value === "number" ? value : NaN];
  if (Array.isArray(shape) || isTypedArray(shape)) {
    const values = (value ?? []) as ArrayLike<unknown>;
    return Array.from(shape as ArrayLike<unknown>).flatMap((s, i) => flattenLike(values[i], s));
  }
  if (shape && typeof shape === "object") {
    const record = (value ?? {}) as Record<string, unknown>;
    return Object.keys(shape).flatMap((k) => flattenLike(record[k], (shape as Record<string, unknown>)[k]));
  }
  return [];
}

/** A value of the same shape as the derivative-shaped `shape`, each number replaced by `leaf()`. */
export function mapNumbers(shape: unknown, leaf: (x: number) => number): unknown {
  if (typeof shape === "number") return leaf(shape);
  if (shape instanceof Float64Array) return Float64Array.from(shape, leaf);
  if (shape instanceof Float32Array) return Float32Array.from(shape, leaf);
  if (Array.isArray(shape)) return shape.map((e) => mapNumbers(e, leaf));
  if (shape && typeof shape === "object") return Object.fromEntries(Object.entries(shape).map(([k, e]) => [k, mapNumbers(e, leaf)]));
  return shape;
}

/** `value + h·direction`, where `direction` is derivative-shaped (it may leave fields out). */
export function stepAlong(value: unknown, direction: unknown, h: number): unknown {
  if (direction === undefined) return clone(value);
  if (typeof value === "number") return typeof direction === "number" ? value + h * direction : value;
  if (isTypedArray(value)) {
    const out = value.slice();
    const d = direction as ArrayLike<number>;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + h * d[i]!;
    return out;
  }
  if (Array.isArray(value)) return value.map((e, i) => stepAlong(e, (direction as unknown[])[i], h));
  if (value && typeof value === "object") {
    const d = direction as Record<string, unknown>;
    return Object.fromEntries(Object.entries(value).map(([k, e]) => [k, stepAlong(e, d[k], h)]));
  }
  return value;
}

export function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export function maxAbs(a: readonly number[]): number {
  let m = 0;
  for (const x of a) m = Math.max(m, Math.abs(x));
  return Number.isNaN(m) || a.some(Number.isNaN) ? NaN : m;
}

export function norm(a: readonly number[]): number {
  return Math.sqrt(dot(a, a));
}

/** Whether every number in a value is finite. */
export function allFinite(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (isTypedArray(v)) return v.every(Number.isFinite);
  if (Array.isArray(v)) return v.every(allFinite);
  if (v && typeof v === "object") return Object.values(v).every(allFinite);
  return true;
}

/** A short, readable rendering of an argument for reports: long arrays are cut. */
export function describeValue(v: unknown, budget = 60): string {
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v !== "object" || v === null) return String(v);
  const isList = isTypedArray(v) || Array.isArray(v);
  const entries: [string, unknown][] = isList ? Array.from(v as ArrayLike<unknown>, (e, i) => [String(i), e]) : Object.entries(v);
  const parts: string[] = [];
  let used = 0;
  for (const [key, e] of entries) {
    const text = (isList ? "" : `${key}: `) + describeValue(e, Math.max(12, budget - used));
    if (used + text.length > budget && parts.length > 0) {
      parts.push(`… ${entries.length - parts.length} more`);
      break;
    }
    parts.push(text);
    used += text.length + 2;
  }
  const body = parts.join(", ");
  if (!isList) return `{ ${body} }`;
  return v instanceof Float32Array ? `Float32Array [${body}]` : v instanceof Float64Array ? `Float64Array [${body}]` : `[${body}]`;
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x) || x === 0 || Number.isInteger(x)) return String(x);
  const text = x.toPrecision(4);
  return text.includes("e") ? text : String(Number(text));
}
