/**
 * Values that may be missing, and the operators that test for them: `a ?? b`, `a?.b`, and the
 * logical assignments `x ||= e`, `x &&= e`, `x ??= e`. Each lowers to an `if` on the test, so
 * that the right-hand side runs only when the source would run it, and derivatives flow through
 * whichever value is taken.
 */
import { Node, SyntaxKind, type BinaryExpression, type Expression } from "ts-morph";
import type { Operand, Type } from "../ir/ir.ts";
import { BOOLEAN, num, ref } from "../ir/ir.ts";
import { irTypeOf } from "./types.ts";
import { store } from "./access.ts";
import { unsupportedAt } from "./unsupported.ts";
import type { FunctionLowerer } from "./function-lowerer.ts";
import { findCall, findOr } from "./array-methods.ts";

/** Whether a value is present (not `undefined`): an operand, or undefined when it always is. */
export function presence(l: FunctionLowerer, value: Operand): Operand | undefined {
  if (l.typeOfOperand(value).kind !== "optional") return undefined;
  return l.temp({ kind: "binary", op: "!==", left: value, right: { kind: "undefined" } }, BOOLEAN);
}

/**
 * A value known to be present, as its own type: `value !== undefined ? value : zero`. The test
 * is what the source already checked; it makes the generated code type-check and keeps every
 * IR variable of one type.
 */
export function narrowValue(l: FunctionLowerer, value: Operand, type: Type): Operand {
  const present = presence(l, value);
  if (!present) return value;
  return l.temp({ kind: "select", cond: present, whenTrue: value, whenFalse: zeroOf(l, type) }, type);
}

/**
 * A zero of `type` (0, false, "", empty arrays, records of zeros): the placeholder for the branch
 * a narrowed read never takes, and a class field's value before its constructor sets it.
 * `otherwise` gives the value of a type with no zero (an optional, a void).
 */
export function zeroOf(l: FunctionLowerer, type: Type, otherwise: () => Operand = () => ({ kind: "undefined" })): Operand {
  switch (type.kind) {
    case "number":
      return num(0);
    case "boolean":
      return { kind: "boolean", value: false };
    case "string":
      return { kind: "string", value: "" };
    case "array":
      return type.typed ? l.temp({ kind: "newArray", length: num(0), fill: num(0), type }, type) : l.temp({ kind: "arrayLiteral", elements: [], type }, type);
    case "tuple":
      return l.temp({ kind: "arrayLiteral", elements: type.elements.map((e) => zeroOf(l, e, otherwise)), type }, type);
    case "record":
      return l.temp({ kind: "recordLiteral", fields: type.fields.map((f) => ({ name: f.name, value: zeroOf(l, f.type, otherwise) })), type }, type);
    default:
      return otherwise();
  }
}

/** A parameter's default: the argument where one was passed, else `fallback()` (evaluated only then). */
export function defaulted(l: FunctionLowerer, value: Operand, fallback: () => Operand, type: Type): Operand {
  const present = presence(l, value);
  if (!present) return value;
  // A fallback computed by no statement (a literal, a name): `value !== undefined ? value : d`.
  let simple: Operand | undefined;
  const block = l.captureBlock(() => {
    simple = fallback();
  });
  if (block.length === 0) return l.temp({ kind: "select", cond: present, whenTrue: value, whenFalse: simple! }, type);
  return choose(l, present, () => narrowValue(l, value, type), () => {
    for (const s of block) l.emit(s);
    return simple!;
  }, type);
}

/**
 * One link of an optional chain, `object?.x` (or a later link of the same chain): `undefined`
 * when `object` is missing, else `read(object)`. A present object is read directly.
 */
export function optionalLink(l: FunctionLowerer, node: Node, object: Operand, read: (present: Operand) => Operand): Operand {
  const objectType = l.typeOfOperand(object);
  if (objectType.kind !== "optional") return read(object);
  const present = presence(l, object)!;
  let type: Type | undefined;
  const result = l.names.fresh("t", true);
  const then = l.captureBlock(() => {
    const value = read(narrowValue(l, object, objectType.value));
    const valueType = l.typeOfOperand(value);
    type = valueType.kind === "optional" ? valueType : { kind: "optional", value: valueType };
    l.emit({ kind: "assign", name: result, value: l.asExpr(value) });
  });
  void node;
  l.types.set(result, type!);
  l.emit({ kind: "let", name: result, type: type!, init: l.asExpr({ kind: "undefined" }), mutable: true });
  l.emit({ kind: "if", cond: present, then, else: [] });
  return ref(result);
}

/** `a ?? b`: `a` where it is present, else `b` (evaluated only then). */
export function nullish(l: FunctionLowerer, node: BinaryExpression): Operand {
  const find = findCall(node.getLeft());
  if (find) return findOr(l, find, () => l.expr(node.getRight()), irTypeOf(node));
  const left = l.expr(node.getLeft());
  const present = presence(l, left);
  if (!present) return left;
  const type = irTypeOf(node);
  return defaulted(l, left, () => l.expr(node.getRight()), type);
}

/** `cond ? a() : b()` with each side evaluated only on its branch, into a variable of `type`. */
export function choose(l: FunctionLowerer, cond: Operand, whenTrue: () => Operand, whenFalse: () => Operand, type: Type): Operand {
  const result = l.names.fresh("t", true);
  l.types.set(result, type);
  l.emit({ kind: "let", name: result, type, mutable: true, definite: true });
  const branch = (value: () => Operand) => l.captureBlock(() => l.emit({ kind: "assign", name: result, value: l.asExpr(value()) }));
  l.emit({ kind: "if", cond, then: branch(whenTrue), else: branch(whenFalse) });
  return ref(result);
}

/** `x ||= e`, `x &&= e`, `x ??= e`: `if (test(x)) x = e`. */
export function logicalAssignment(l: FunctionLowerer, node: BinaryExpression): Operand {
  const token = node.getOperatorToken().getKind();
  const target = node.getLeft();
  if (target.getDescendants().some((d) => Node.isCallExpression(d) || Node.isPostfixUnaryExpression(d) || Node.isPrefixUnaryExpression(d) || (Node.isBinaryExpression(d) && d.getOperatorToken().getText().endsWith("=")))) {
    throw unsupportedAt("a logical assignment whose target computes something (read the index into a variable first)", target);
  }
  const current = l.expr(target);
  let cond: Operand | undefined;
  if (token === SyntaxKind.QuestionQuestionEqualsToken) {
    const present = presence(l, current);
    // A value that is never missing is never replaced.
    if (!present) return current;
    cond = l.temp({ kind: "unary", op: "!", arg: present }, BOOLEAN);
  } else {
    cond = token === SyntaxKind.BarBarEqualsToken ? l.temp({ kind: "unary", op: "!", arg: current }, BOOLEAN) : l.truthy(current);
  }
  const assign = l.captureBlock(() => store(l, target as Expression, () => l.expr(node.getRight())));
  l.emit({ kind: "if", cond, then: assign, else: [] });
  return l.expr(target);
}

export const LOGICAL_ASSIGNMENTS = new Set([SyntaxKind.BarBarEqualsToken, SyntaxKind.AmpersandAmpersandEqualsToken, SyntaxKind.QuestionQuestionEqualsToken]);
