/**
 * The numbers of a derivative value, one after another: the order SPEC §3 flattens Hessians and
 * Jacobians in (parameters in order, each depth-first: arrays by index, tuple positions, object
 * fields in declared order). Dense Hessians and Jacobians walk values with these, in IR.
 */
import type { IRBuilder } from "../ir/builder.ts";
import type { Operand, Stmt, Type } from "../ir/ir.ts";
import { capitalize } from "../ir/names.ts";
import { BOOLEAN, NUMBER, num, ref } from "../ir/ir.ts";
import { isDifferentiable } from "../ir/types.ts";

/** Where one number lives: a variable, an element of an array or tuple, or a record field. */
export type Leaf =
  | { kind: "variable"; name: string }
  | { kind: "index"; object: Operand; index: Operand }
  | { kind: "field"; object: Operand; name: string };

/**
 * Emits code that runs `visit` once for every number of `leaf`'s value (a value of derivative
 * type `type`), in flattening order. Arrays become loops; tuples and records are unrolled.
 */
export function forEachLeaf(b: IRBuilder, leaf: Leaf, type: Type, visit: (leaf: Leaf) => void): void {
  switch (type.kind) {
    case "number":
      visit(leaf);
      return;
    case "array": {
      const container = read(b, leaf, type);
      const length = b.temp({ kind: "length", object: container }, NUMBER, "n");
      const index = b.names.fresh("i");
      const more = b.names.fresh("more", true);
      const body = b.capture(() => forEachLeaf(b, { kind: "index", object: container, index: ref(index) }, type.element, visit));
      b.emit({
        kind: "loop",
        init: [{ kind: "let", name: index, type: NUMBER, init: { kind: "operand", value: num(0) }, mutable: true }],
        test: { prelude: [{ kind: "let", name: more, type: BOOLEAN, init: { kind: "binary", op: "<", left: ref(index), right: length }, mutable: false }], cond: ref(more) },
        update: [{ kind: "assign", name: index, value: { kind: "binary", op: "+", left: ref(index), right: num(1) } }],
        body,
        bodyFirst: false,
      });
      return;
    }
    case "tuple": {
      const container = read(b, leaf, type);
      type.elements.forEach((element, i) => {
        if (isDifferentiable(element)) forEachLeaf(b, { kind: "index", object: container, index: num(i) }, element, visit);
      });
      return;
    }
    case "record": {
      const container = read(b, leaf, type);
      for (const field of type.fields) {
        if (isDifferentiable(field.type)) forEachLeaf(b, { kind: "field", object: container, name: field.name }, field.type, visit);
      }
      return;
    }
    default:
      return;
  }
}

/** How many numbers a value of derivative type `type` holds, when the type alone says (no arrays). */
export function staticLeafCount(type: Type): number | undefined {
  switch (type.kind) {
    case "number":
      return 1;
    case "tuple":
    case "record": {
      const parts = type.kind === "tuple" ? type.elements : type.fields.map((f) => f.type);
      let total = 0;
      for (const part of parts.filter(isDifferentiable)) {
        const count = staticLeafCount(part);
        if (count === undefined) return undefined;
        total += count;
      }
      return total;
    }
    default:
      return undefined;
  }
}

/** Emits code adding the number of numbers in `leaf`'s value to the counter variable `counter`. */
export function countLeaves(b: IRBuilder, leaf: Leaf, type: Type, counter: string): void {
  const add = (amount: Operand) => b.emit({ kind: "assign", name: counter, value: { kind: "binary", op: "+", left: ref(counter), right: amount } });
  const known = staticLeafCount(type);
  if (known !== undefined) return add(num(known));
  if (type.kind === "array" && type.element.kind === "number") return add(b.temp({ kind: "length", object: read(b, leaf, type) }, NUMBER));
  if (type.kind === "array") {
    forEachLeaf(b, leaf, type, () => add(num(1)));
    return;
  }
  const container = read(b, leaf, type);
  const parts = type.kind === "tuple" ? type.elements.map((t, i) => ({ type: t, leaf: { kind: "index", object: container, index: num(i) } as Leaf })) : type.kind === "record" ? type.fields.map((f) => ({ type: f.type, leaf: { kind: "field", object: container, name: f.name } as Leaf })) : [];
  for (const part of parts) if (isDifferentiable(part.type)) countLeaves(b, part.leaf, part.type, counter);
}

/** The value at `leaf`, as an operand (reading it into a temporary when it is inside a container). */
export function read(b: IRBuilder, leaf: Leaf, type: Type): Operand {
  if (leaf.kind === "variable") return ref(leaf.name);
  if (leaf.kind === "index") return b.temp({ kind: "index", object: leaf.object, index: leaf.index }, type);
  // `direction.x` reads as `directionX`: the walks below use it more than once.
  const base = leaf.object.kind === "var" ? `${leaf.object.name}${capitalize(leaf.name)}` : "t";
  return b.temp({ kind: "field", object: leaf.object, name: leaf.name }, type, base);
}

/** The statement storing `value` at `leaf`. */
export function write(leaf: Leaf, value: Operand): Stmt {
  switch (leaf.kind) {
    case "variable":
      return { kind: "assign", name: leaf.name, value: { kind: "operand", value } };
    case "index":
      return { kind: "setIndex", object: leaf.object, index: leaf.index, value };
    case "field":
      return { kind: "setField", object: leaf.object, name: leaf.name, value };
  }
}
