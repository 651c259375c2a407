/**
 * Values that may be missing, and the operators that test for them: `a ?? b`, `a?.b`, and the
 * logical assignments `x ||= e`, `x &&= e`, `x ??= e`. Each lowers to an `if` on the test, so
 * that the right-hand side runs only when the source would run it, and derivatives flow through
 * whichever value is taken.
 */
import { Node, SyntaxKind, type BinaryExpression, type Expression } from "ts-morph";
import type { Operand, Type } from "../ir/ir.ts";
import { BOOLEAN, ref } from "../ir/ir.ts";
import { irTypeOf } from "./types.ts";
import { unsupportedAt, type FunctionLowerer } from "./lower.ts";

/** Whether a value is present (not `undefined`): an operand, or undefined when it always is. */
export function presence(l: FunctionLowerer, value: Operand): Operand | undefined {
  void l.typeOfOperand(value);
  // Every IR type so far is of a value that is always present.
  return undefined;
}

/** `a ?? b`: `a` where it is present, else `b` (evaluated only then). */
export function nullish(l: FunctionLowerer, node: BinaryExpression): Operand {
  const left = l.expr(node.getLeft());
  const present = presence(l, left);
  if (!present) return left;
  const type = irTypeOf(node);
  return choose(l, present, () => l.narrow(left, type), () => l.expr(node.getRight()), type);
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
  const assign = l.captureBlock(() => l.store(target as Expression, () => l.expr(node.getRight())));
  l.emit({ kind: "if", cond, then: assign, else: [] });
  return l.expr(target);
}

export const LOGICAL_ASSIGNMENTS = new Set([SyntaxKind.BarBarEqualsToken, SyntaxKind.AmpersandAmpersandEqualsToken, SyntaxKind.QuestionQuestionEqualsToken]);
