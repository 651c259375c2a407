/**
 * Sample arguments built from parameter types, and random directions shaped like their
 * derivatives.
 *
 * Every array of one sample has the same length (`size`), so that a matrix and a vector it
 * multiplies fit together whatever their names. Numbers are dyadic (multiples of 2⁻¹⁰), and
 * directions multiples of 2⁻⁶, so that `x + h·d` is exact for the power-of-two steps of the
 * finite differences, in float64 and in float32. A parameter used as a count or an index
 * (`integer`) gets a small whole number and is never perturbed.
 */
import type { Type } from "../ir/ir.ts";
import { isDifferentiable } from "../ir/types.ts";
import { isTypedArray } from "./values.ts";

export interface ParameterShape {
  name: string;
  type: Type;
  /** Used as an array index, a loop bound, a length: a whole number, held fixed. */
  integer: boolean;
  /** String literals the function compares with (choices for a string parameter). */
  strings: readonly string[];
}

export interface SampleContext {
  random: () => number;
  /** The length of every array. */
  size: number;
  /** Draw numbers from [0.25, 1.75] instead of [−1, 1] (for logarithms and square roots). */
  positive: boolean;
}

/** The whole number a count or index parameter gets: inside every array, and more than one step of a loop. */
export function integerValue(size: number): number {
  return Math.max(1, Math.min(2, size - 1));
}

export function sampleArguments(params: readonly ParameterShape[], context: SampleContext): unknown[] {
  return params.map((p) => (p.integer && p.type.kind === "number" ? integerValue(context.size) : sampleValue(p.type, context, p.strings)));
}

function sampleValue(type: Type, context: SampleContext, strings: readonly string[]): unknown {
  const { random, size } = context;
  switch (type.kind) {
    case "number":
      return dyadic(context.positive ? 0.25 + 1.5 * random() : 2 * random() - 1, 10);
    case "boolean":
      return random() < 0.5;
    case "string":
      return strings.length === 0 ? "" : strings[Math.floor(random() * strings.length)]!;
    case "void":
      return undefined;
    case "array": {
      const elements = Array.from({ length: size }, () => sampleValue(type.element, context, strings));
      if (type.typed === "Float32Array") return Float32Array.from(elements as number[]);
      if (type.typed === "Float64Array") return Float64Array.from(elements as number[]);
      return elements;
    }
    case "tuple":
      return type.elements.map((e) => sampleValue(e, context, strings));
    case "record":
      return Object.fromEntries(type.fields.map((f) => [f.name, sampleValue(f.type, context, strings)]));
  }
}

/** A random direction for a value of type `type`: the shape of its derivative, no entry zero. */
export function sampleDirection(type: Type, value: unknown, random: () => number): unknown {
  switch (type.kind) {
    case "number": {
      const magnitude = dyadic(0.25 + 0.75 * random(), 6);
      return random() < 0.5 ? -magnitude : magnitude;
    }
    case "array": {
      const values = Array.from(value as ArrayLike<unknown>);
      const entries = values.map((e) => sampleDirection(type.element, e, random));
      if (isTypedArray(value)) return value instanceof Float32Array ? Float32Array.from(entries as number[]) : Float64Array.from(entries as number[]);
      return entries;
    }
    case "tuple":
      return type.elements.map((e, i) => (isDifferentiable(e) ? sampleDirection(e, (value as unknown[])[i], random) : 0));
    case "record": {
      const record = value as Record<string, unknown>;
      return Object.fromEntries(type.fields.filter((f) => isDifferentiable(f.type)).map((f) => [f.name, sampleDirection(f.type, record[f.name], random)]));
    }
    case "optional":
      // An optional number has a tangent whether or not it is present (it moves nothing when missing).
      return type.value.kind === "number" ? sampleDirection(type.value, value, random) : undefined;
    default:
      return undefined;
  }
}

/** The derivative-shaped zero of a value of type `type` (a parameter that is held fixed). */
export function zeroDirection(type: Type, value: unknown): unknown {
  switch (type.kind) {
    case "number":
      return 0;
    case "array": {
      if (value instanceof Float32Array) return new Float32Array(value.length);
      if (value instanceof Float64Array) return new Float64Array(value.length);
      return Array.from(value as ArrayLike<unknown>, (e) => zeroDirection(type.element, e));
    }
    case "tuple":
      return type.elements.map((e, i) => (isDifferentiable(e) ? zeroDirection(e, (value as unknown[])[i]) : 0));
    case "record": {
      const record = value as Record<string, unknown>;
      return Object.fromEntries(type.fields.filter((f) => isDifferentiable(f.type)).map((f) => [f.name, zeroDirection(f.type, record[f.name])]));
    }
    case "optional":
      return type.value.kind === "number" ? 0 : undefined;
    default:
      return undefined;
  }
}

/** `value` with each number moved by up to ±scale (a nearby point of a user's example). */
export function jitter(type: Type, value: unknown, scale: number, random: () => number): unknown {
  switch (type.kind) {
    case "number":
      return typeof value === "number" ? value + dyadic(scale * (2 * random() - 1), 16) : value;
    case "array": {
      const moved = Array.from(value as ArrayLike<unknown>, (e) => jitter(type.element, e, scale, random));
      if (value instanceof Float32Array) return Float32Array.from(moved as number[]);
      if (value instanceof Float64Array) return Float64Array.from(moved as number[]);
      return moved;
    }
    case "tuple":
      return type.elements.map((e, i) => jitter(e, (value as unknown[])[i], scale, random));
    case "record": {
      const record = value as Record<string, unknown>;
      return Object.fromEntries(Object.entries(record).map(([k, e]) => {
        const field = type.fields.find((f) => f.name === k);
        return [k, field ? jitter(field.type, e, scale, random) : e];
      }));
    }
    default:
      return value;
  }
}

function dyadic(x: number, bits: number): number {
  const scale = 2 ** bits;
  return Math.round(x * scale) / scale;
}
