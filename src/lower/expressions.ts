/**
 * Expressions and operators: the dispatch from an expression to the operand holding its value,
 * literals, unary and binary operators, `&&`/`||`/`?:` (a plain operation when the right-hand
 * side is safe to evaluate eagerly, else an `if` that keeps the short circuit), template strings,
 * and reads the checker has narrowed to a present value. Places (names, fields, elements) and
 * writes to them are in access.ts, calls in calls.ts, array and object literals in literals.ts.
 */
import { Node, SyntaxKind, type BinaryExpression, type ConditionalExpression, type Expression, type PrefixUnaryExpression } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import type { BinaryOperator, Operand, Stmt, Type } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../ir/ir.ts";
import { irTypeOf, toIRType } from "./types.ts";
import { assignment, elementAccess, increment, propertyAccess } from "./access.ts";
import { call } from "./calls.ts";
import { identifier } from "./identifiers.ts";
import { arrayLiteral, newExpression, objectLiteral } from "./literals.ts";
import { LOGICAL_ASSIGNMENTS, logicalAssignment, narrowValue, nullish } from "./optional.ts";
import { shorten, unsupportedAt } from "./unsupported.ts";
import type { FunctionLowerer } from "./function-lowerer.ts";

/** Lowers an expression; returns the operand holding its value. */
export function lowerExpression(l: FunctionLowerer, node: Expression, discarded: boolean): Operand {
  node = skipParens(node);
  if (Node.isNumericLiteral(node)) return num(node.getLiteralValue(), node.getText());
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return { kind: "string", value: node.getLiteralValue() };
  if (node.getKind() === SyntaxKind.TrueKeyword) return { kind: "boolean", value: true };
  if (node.getKind() === SyntaxKind.FalseKeyword) return { kind: "boolean", value: false };
  if (node.getKind() === SyntaxKind.ThisKeyword) {
    const self = l.lookup("this");
    if (!self) throw new DiagnosticError([diagnostics.classOrThis(positionOfNode(node))]);
    return ref(self);
  }
  if (Node.isAwaitExpression(node)) throw new DiagnosticError([diagnostics.asyncCode(positionOfNode(node))]);
  if (Node.isYieldExpression(node)) throw new DiagnosticError([diagnostics.generator(positionOfNode(node))]);
  if (Node.isIdentifier(node)) return narrowed(l, node, identifier(l, node));
  if (Node.isNonNullExpression(node)) return narrowed(l, node, l.expr(node.getExpression()));
  if (Node.isAsExpression(node) || Node.isSatisfiesExpression(node) || Node.isTypeAssertion(node)) {
    return l.expr(node.getExpression());
  }
  if (Node.isPrefixUnaryExpression(node)) return prefix(l, node);
  if (Node.isPostfixUnaryExpression(node)) {
    const operand = node.getOperand();
    const old = discarded ? undefined : l.temp(l.asExpr(l.expr(operand)), NUMBER);
    increment(l, operand, node.getOperatorToken() === SyntaxKind.PlusPlusToken ? "+" : "-");
    return old ?? num(0);
  }
  if (Node.isBinaryExpression(node)) return binary(l, node);
  if (Node.isConditionalExpression(node)) return conditional(l, node);
  if (Node.isCallExpression(node)) return call(l, node);
  if (Node.isNewExpression(node)) return newExpression(l, node);
  if (Node.isPropertyAccessExpression(node)) return narrowed(l, node, propertyAccess(l, node));
  if (Node.isElementAccessExpression(node)) return narrowed(l, node, elementAccess(l, node));
  if (Node.isArrayLiteralExpression(node)) return arrayLiteral(l, node);
  if (Node.isObjectLiteralExpression(node)) return objectLiteral(l, node);
  if (isFunctionLike(node)) throw new DiagnosticError([diagnostics.closure(positionOfNode(node))]);
  if (Node.isTemplateExpression(node)) {
    // `a${x}b` → "a" + x + "b": strings are never differentiated, only passed along.
    const STRING: Type = { kind: "string" };
    let text: Operand = { kind: "string", value: node.getHead().getLiteralText() };
    for (const span of node.getTemplateSpans()) {
      text = l.temp({ kind: "binary", op: "+", left: text, right: l.expr(span.getExpression()) }, STRING);
      const tail = span.getLiteral().getLiteralText();
      if (tail) text = l.temp({ kind: "binary", op: "+", left: text, right: { kind: "string", value: tail } }, STRING);
    }
    return text;
  }
  throw unsupportedAt(`the expression \`${shorten(node.getText())}\``, node);
}

/** Lowers an expression evaluated for its effects only. */
export function effect(l: FunctionLowerer, node: Expression): void {
  node = skipParens(node);
  if (Node.isPostfixUnaryExpression(node) || Node.isPrefixUnaryExpression(node)) {
    const op = node.getOperatorToken();
    if (op === SyntaxKind.PlusPlusToken || op === SyntaxKind.MinusMinusToken) {
      increment(l, node.getOperand(), op === SyntaxKind.PlusPlusToken ? "+" : "-");
      return;
    }
  }
  l.expr(node, true);
}

export function skipParens(node: Expression): Expression {
  while (Node.isParenthesizedExpression(node)) node = node.getExpression();
  return node;
}

export function isFunctionLike(node: Node): boolean {
  return Node.isArrowFunction(node) || Node.isFunctionExpression(node);
}

/** A read the checker has narrowed to a present value (`x` inside `if (x !== undefined)`). */
function narrowed(l: FunctionLowerer, node: Node, value: Operand): Operand {
  const type = l.typeOfOperand(value);
  if (type.kind !== "optional" || value.kind !== "var") return value;
  let checked: Type;
  try {
    checked = toIRType(node.getType(), node);
  } catch {
    return value;
  }
  return checked.kind === "optional" ? value : narrowValue(l, value, checked);
}

function prefix(l: FunctionLowerer, node: PrefixUnaryExpression): Operand {
  const token = node.getOperatorToken();
  const operandNode = node.getOperand();
  if (token === SyntaxKind.PlusPlusToken || token === SyntaxKind.MinusMinusToken) {
    increment(l, operandNode, token === SyntaxKind.PlusPlusToken ? "+" : "-");
    return l.expr(operandNode);
  }
  const op = token === SyntaxKind.MinusToken ? "-" : token === SyntaxKind.PlusToken ? "+" : token === SyntaxKind.ExclamationToken ? "!" : undefined;
  if (!op) throw unsupportedAt("this unary operator", node);
  const arg = l.expr(operandNode);
  if (op === "-" && arg.kind === "number") return num(-arg.value, arg.text ? `-${arg.text}` : undefined);
  return l.temp({ kind: "unary", op, arg }, op === "!" ? BOOLEAN : NUMBER);
}

const BINARY_OPERATORS: Partial<Record<SyntaxKind, Exclude<BinaryOperator, "&&" | "||">>> = {
  [SyntaxKind.PlusToken]: "+",
  [SyntaxKind.MinusToken]: "-",
  [SyntaxKind.AsteriskToken]: "*",
  [SyntaxKind.SlashToken]: "/",
  [SyntaxKind.PercentToken]: "%",
  [SyntaxKind.AsteriskAsteriskToken]: "**",
  [SyntaxKind.LessThanToken]: "<",
  [SyntaxKind.LessThanEqualsToken]: "<=",
  [SyntaxKind.GreaterThanToken]: ">",
  [SyntaxKind.GreaterThanEqualsToken]: ">=",
  [SyntaxKind.EqualsEqualsEqualsToken]: "===",
  [SyntaxKind.ExclamationEqualsEqualsToken]: "!==",
  [SyntaxKind.EqualsEqualsToken]: "===",
  [SyntaxKind.ExclamationEqualsToken]: "!==",
};

function binary(l: FunctionLowerer, node: BinaryExpression): Operand {
  const assigned = assignment(l, node);
  if (assigned) return assigned;
  const token = node.getOperatorToken().getKind();
  const left = node.getLeft();
  const right = node.getRight();
  if (token === SyntaxKind.AmpersandAmpersandToken || token === SyntaxKind.BarBarToken) {
    const op = token === SyntaxKind.AmpersandAmpersandToken ? "&&" : "||";
    const type = irTypeOf(node);
    const leftValue = l.expr(left);
    let rightValue!: Operand;
    const rightBlock = l.captureBlock(() => {
      rightValue = l.expr(right);
    });
    if (isSafeToHoist(rightBlock)) {
      l.block.push(...rightBlock);
      return l.temp({ kind: "binary", op, left: leftValue, right: rightValue }, type);
    }
    // Keep the short circuit: the right side may call functions or read through undefined.
    const result = l.names.fresh("t", true);
    l.types.set(result, type);
    l.emit({ kind: "let", name: result, type, init: l.asExpr(leftValue), mutable: true });
    const assign: Stmt = { kind: "assign", name: result, value: l.asExpr(rightValue), loc: l.loc };
    const evaluateRight = [...rightBlock, assign];
    l.emit({ kind: "if", cond: ref(result), then: op === "&&" ? evaluateRight : [], else: op === "&&" ? [] : evaluateRight });
    return ref(result);
  }
  if (token === SyntaxKind.QuestionQuestionToken) return nullish(l, node);
  if (LOGICAL_ASSIGNMENTS.has(token)) return logicalAssignment(l, node);
  if (token === SyntaxKind.CommaToken) throw unsupportedAt("the comma operator", node);
  const op = BINARY_OPERATORS[token];
  if (!op) throw unsupportedAt(`the operator \`${node.getOperatorToken().getText()}\``, node);
  const a = l.expr(left);
  const b = l.expr(right);
  return l.temp({ kind: "binary", op, left: a, right: b }, irTypeOf(node));
}

function conditional(l: FunctionLowerer, node: ConditionalExpression): Operand {
  const type = irTypeOf(node);
  const cond = l.truthy(l.expr(node.getCondition()));
  let whenTrue!: Operand;
  let whenFalse!: Operand;
  const trueBlock = l.captureBlock(() => {
    whenTrue = l.expr(node.getWhenTrue());
  });
  const falseBlock = l.captureBlock(() => {
    whenFalse = l.expr(node.getWhenFalse());
  });
  if (isSafeToHoist(trueBlock) && isSafeToHoist(falseBlock)) {
    l.block.push(...trueBlock, ...falseBlock);
    return l.temp({ kind: "select", cond, whenTrue, whenFalse }, type);
  }
  const result = l.names.fresh("t", true);
  l.types.set(result, type);
  l.emit({ kind: "let", name: result, type, mutable: true });
  const set = (value: Operand): Stmt => ({ kind: "assign", name: result, value: l.asExpr(value), loc: l.loc });
  l.emit({ kind: "if", cond, then: [...trueBlock, set(whenTrue)], else: [...falseBlock, set(whenFalse)] });
  return ref(result);
}

/**
 * Whether statements computed for the right side of `&&`/`||`/`?:` may run even when the source
 * would skip them: only arithmetic, `Math` calls and reads of named arrays (which cannot throw).
 */
function isSafeToHoist(block: Stmt[]): boolean {
  const readResults = new Set<string>();
  for (const stmt of block) {
    if (stmt.kind !== "let" || !stmt.init) return false;
    const e = stmt.init;
    switch (e.kind) {
      case "operand":
      case "unary":
      case "binary":
      case "select":
      case "math":
        break;
      case "index":
      case "field":
      case "length":
        if (e.object.kind === "var" && readResults.has(e.object.name)) return false;
        readResults.add(stmt.name);
        break;
      default:
        return false;
    }
  }
  return true;
}
