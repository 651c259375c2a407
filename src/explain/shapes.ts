/**
 * What `tsad explain` knows about a value without running it: numbers that are sizes (as
 * polynomials in the size symbols) and the lengths of arrays. Every element of an array is
 * assumed shaped like a typical one (rectangular data, layers alike).
 */
import type { Type } from "../ir/ir.ts";
import { isDifferentiable } from "../ir/types.ts";
import { add, constant, mul, symbol, type Poly } from "./poly.ts";

export interface Shape {
  /** A number known as a polynomial in the sizes (a length, a count, a literal). */
  value?: Poly;
  /** An array's length. */
  length?: Poly;
  /** An array's typical element. */
  element?: Shape;
  /** A tuple's positions. */
  elements?: Shape[];
  /** A record's fields. */
  fields?: Map<string, Shape>;
  /** The loop depth the array was made at: a `push` at a deeper loop runs once per inner iteration. */
  depth?: number;
}

/** The shape of a parameter: its sizes become symbols named by their path (`x.length`, `layers[i].weights.length`). */
export function parameterShape(path: string, type: Type): Shape {
  switch (type.kind) {
    case "number":
      return { value: symbol(path) };
    case "array":
      return { length: symbol(`${path}.length`), element: parameterShape(`${path}[i]`, type.element), depth: 0 };
    case "tuple":
      return { elements: type.elements.map((t, i) => parameterShape(`${path}[${i}]`, t)) };
    case "record":
      return { fields: new Map(type.fields.map((f) => [f.name, parameterShape(`${path}.${f.name}`, f.type)])) };
    default:
      return {};
  }
}

/** A shape for a value of `type` nothing is known about, but what the type says. */
export function typeShape(type: Type, depth: number): Shape {
  switch (type.kind) {
    case "array":
      return { element: typeShape(type.element, depth), depth };
    case "tuple":
      return { elements: type.elements.map((t) => typeShape(t, depth)), length: constant(type.elements.length) };
    case "record":
      return { fields: new Map(type.fields.map((f) => [f.name, typeShape(f.type, depth)])) };
    default:
      return {};
  }
}

/** How many differentiable numbers a value of `type` with this shape holds, or undefined if a length is unknown. */
export function countNumbers(shape: Shape, type: Type): Poly | undefined {
  if (!isDifferentiable(type)) return constant(0);
  switch (type.kind) {
    case "number":
      return constant(1);
    case "array": {
      const inner = countNumbers(shape.element ?? {}, type.element);
      return shape.length && inner ? mul(shape.length, inner) : undefined;
    }
    case "tuple": {
      let total = constant(0);
      for (const [i, t] of type.elements.entries()) {
        const part = countNumbers(shape.elements?.[i] ?? {}, t);
        if (!part) return undefined;
        total = add(total, part);
      }
      return total;
    }
    case "record": {
      let total = constant(0);
      for (const f of type.fields) {
        const part = countNumbers(shape.fields?.get(f.name) ?? {}, f.type);
        if (!part) return undefined;
        total = add(total, part);
      }
      return total;
    }
    default:
      return constant(0);
  }
}

/** Every value a tape entry of `type` holds (numbers, flags and counters alike). */
export function countValues(shape: Shape, type: Type): Poly | undefined {
  switch (type.kind) {
    case "array": {
      const inner = countValues(shape.element ?? {}, type.element);
      return shape.length && inner ? mul(shape.length, inner) : undefined;
    }
    case "tuple":
    case "record": {
      const parts = type.kind === "tuple" ? type.elements.map((t, i) => countValues(shape.elements?.[i] ?? {}, t)) : type.fields.map((f) => countValues(shape.fields?.get(f.name) ?? {}, f.type));
      return parts.every(Boolean) ? parts.reduce((a, b) => add(a!, b!), constant(0)) : undefined;
    }
    case "void":
      return constant(0);
    default:
      return constant(1);
  }
}
