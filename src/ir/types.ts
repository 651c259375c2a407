/** Questions about IR types: what is differentiable, what its derivative looks like. */
import type { Operand, Type } from "./ir.ts";

/** Whether a value of this type carries derivative information at all. */
export function isDifferentiable(type: Type): boolean {
  switch (type.kind) {
    case "number":
      return true;
    case "array":
      return isDifferentiable(type.element);
    case "tuple":
      return type.elements.some(isDifferentiable);
    case "record":
      return type.fields.some((field) => isDifferentiable(field.type));
    case "optional":
      // An optional number carries a derivative (0 where it is missing); optional containers do not.
      return type.value.kind === "number";
    default:
      return false;
  }
}

/** Values of these types are shared by reference: writing through one name is seen by all. */
export function isReference(type: Type): boolean {
  return type.kind === "array" || type.kind === "tuple" || type.kind === "record";
}

/**
 * The derivative type: the same shape with non-differentiable parts left out. Tuples keep
 * every position (a non-differentiable position holds 0) so that indices stay the same.
 */
export function derivativeType(type: Type): Type {
  switch (type.kind) {
    case "array":
      return { kind: "array", element: derivativeType(type.element), typed: type.typed };
    case "tuple":
      return { kind: "tuple", elements: type.elements.map((e) => (isDifferentiable(e) ? derivativeType(e) : { kind: "number" })) };
    case "record":
      return {
        kind: "record",
        fields: type.fields.filter((f) => isDifferentiable(f.type)).map((f) => ({ name: f.name, type: derivativeType(f.type) })),
      };
    case "optional":
      return type.value.kind === "number" ? type.value : type;
    default:
      return type;
  }
}

export function sameType(a: Type, b: Type): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The element type of an array or tuple position. */
export function elementType(type: Type, index?: number): Type {
  if (type.kind === "array") return type.element;
  // `s[i]` on a string is a string of one character (never differentiated, only compared).
  if (type.kind === "string") return type;
  if (type.kind === "tuple") {
    if (index === undefined) throw new Error("tuple indexed by a non-constant");
    return type.elements[index]!;
  }
  throw new Error(`not indexable: ${type.kind}`);
}

export function fieldType(type: Type, name: string): Type {
  if (type.kind !== "record") throw new Error(`not a record: ${type.kind}`);
  const field = type.fields.find((f) => f.name === name);
  if (!field) throw new Error(`no field ${name}`);
  return field.type;
}

export function describeType(type: Type): string {
  switch (type.kind) {
    case "array":
      return type.typed ?? `${describeType(type.element)}[]`;
    case "tuple":
      return `[${type.elements.map(describeType).join(", ")}]`;
    case "optional":
      return `${describeType(type.value)} | undefined`;
    case "record":
      return `{ ${type.fields.map((f) => `${f.name}: ${describeType(f.type)}`).join("; ")} }`;
    default:
      return type.kind;
  }
}

/** The type of a literal operand (`undefined` is an optional value that is missing). */
export function literalType(operand: Exclude<Operand, { kind: "var" }>): Type {
  return operand.kind === "undefined" ? { kind: "optional", value: { kind: "void" } } : { kind: operand.kind };
}
