/**
 * What verify needs to know about a function before running it: its parameters' types, which of
 * them are counts or indices, the strings it compares with, and the examples its `@example`
 * tags give.
 *
 * An `@example` tag counts when its text calls the function by name with literal arguments:
 *
 *   /** @example rosenbrock([1, 2, 3]) *\/
 *
 * Other `@example` tags (prose, code calling something else) are documentation and are ignored.
 */
import { Node, SyntaxKind, ts, type Identifier } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError, type Diagnostic, type Position } from "../diagnostics/diagnostic.ts";
import type { Type } from "../ir/ir.ts";
import { positionOfNode } from "../load/load.ts";
import type { SourceFunction } from "../load/functions.ts";
import { tagsOf } from "../load/tags.ts";
import { toIRType } from "../lower/types.ts";
import type { ParameterShape } from "./inputs.ts";

export interface FunctionShape {
  params: ParameterShape[];
  returnType: Type;
}

export function functionShape(fn: SourceFunction): FunctionShape {
  const strings = stringLiterals(fn);
  const params = fn.node.getParameters().map((p) => ({
    name: p.getName(),
    type: toIRType(p.getType(), p),
    integer: usedAsWholeNumber(p.getNameNode() as Identifier, fn),
    strings,
  }));
  return { params, returnType: toIRType(fn.node.getReturnType(), fn.node) };
}

/** Operators whose operands are whole numbers in numeric code. */
const INTEGER_OPERATORS = new Set([SyntaxKind.PercentToken, SyntaxKind.BarToken, SyntaxKind.AmpersandToken, SyntaxKind.LessThanLessThanToken, SyntaxKind.GreaterThanGreaterThanToken, SyntaxKind.GreaterThanGreaterThanGreaterThanToken, SyntaxKind.CaretToken]);
const ARITHMETIC = new Set([SyntaxKind.PlusToken, SyntaxKind.MinusToken, SyntaxKind.AsteriskToken, SyntaxKind.SlashToken, SyntaxKind.LessThanToken, SyntaxKind.LessThanEqualsToken, SyntaxKind.GreaterThanToken, SyntaxKind.GreaterThanEqualsToken]);
/** Methods whose arguments are positions or counts (`fill`'s first argument is the value; its others are positions). */
const COUNT_METHODS = new Set(["slice", "subarray", "fill", "at", "splice"]);
/** Constructors whose argument is a length; any other class takes data. */
const SIZED = new Set(["Array", "Float64Array", "Float32Array"]);

/**
 * Whether a parameter is used as an index, a length or a loop bound: read (through arithmetic)
 * inside `a[…]`, `new Array(…)`, `.slice(…)`, `{ length: … }`, `%`, or a loop's condition (not as
 * the value of `.fill(v)` or a constructor's argument: those are data).
 */
function usedAsWholeNumber(name: Identifier, fn: SourceFunction): boolean {
  const symbol = name.getSymbol();
  if (!symbol) return false;
  const uses = fn.node.getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => id !== name && id.getText() === name.getText() && id.getSymbol() === symbol);
  return uses.some((use) => {
    let child: Node = use;
    for (let parent: Node | undefined = use.getParent(); parent; child = parent, parent = parent.getParent()) {
      if (Node.isElementAccessExpression(parent)) return parent.getArgumentExpression() === child;
      if (Node.isNewExpression(parent)) return SIZED.has(parent.getExpression().getText()) && parent.getArguments().includes(child);
      if (Node.isPropertyAssignment(parent)) return parent.getName() === "length";
      if (Node.isCallExpression(parent)) {
        const callee = parent.getExpression();
        if (!Node.isPropertyAccessExpression(callee) || !COUNT_METHODS.has(callee.getName())) return false;
        const position = parent.getArguments().indexOf(child as never);
        return position >= (callee.getName() === "fill" ? 1 : 0);
      }
      if (Node.isForStatement(parent) || Node.isWhileStatement(parent) || Node.isDoStatement(parent)) {
        const condition = Node.isForStatement(parent) ? parent.getCondition() : parent.getExpression();
        return condition === child;
      }
      if (Node.isBinaryExpression(parent)) {
        const operator = parent.getOperatorToken().getKind();
        if (INTEGER_OPERATORS.has(operator)) return true;
        if (!ARITHMETIC.has(operator)) return false;
        continue;
      }
      if (Node.isParenthesizedExpression(parent) || Node.isPrefixUnaryExpression(parent)) continue;
      return false;
    }
    return false;
  });
}

/** The string literals a function mentions: the values a string parameter is compared with. */
function stringLiterals(fn: SourceFunction): string[] {
  const found = new Set<string>();
  for (const literal of fn.node.getDescendantsOfKind(SyntaxKind.StringLiteral)) found.add(literal.getLiteralValue());
  return [...found].slice(0, 16);
}

/** The argument lists of `fn`'s `@example` tags that call it. Throws a DiagnosticError for one that is not data. */
export function taggedExamples(fn: SourceFunction): unknown[][] {
  const examples: unknown[][] = [];
  const errors: Diagnostic[] = [];
  for (const tag of tagsOf(fn, "example")) {
    const text = (tag.getCommentText() ?? "").replace(/```\w*/g, "");
    const parsed = ts.createSourceFile("example.ts", text, ts.ScriptTarget.ES2022, true);
    const at = positionOfNode(tag);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === fn.name) {
        try {
          examples.push(node.arguments.map((a) => literalValue(a, at)));
        } catch (error) {
          if (error instanceof DiagnosticError) errors.push(...error.diagnostics);
          else throw error;
        }
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(parsed);
  }
  if (errors.length > 0) throw new DiagnosticError(errors);
  return examples;
}

const TYPED_ARRAY_CONSTRUCTORS: Record<string, (values: number[]) => unknown> = {
  Float64Array: (values) => Float64Array.from(values),
  Float32Array: (values) => Float32Array.from(values),
};

/** The value of a literal expression; anything computed is a diagnostic. */
function literalValue(node: ts.Expression, at: Position): unknown {
  if (ts.isParenthesizedExpression(node)) return literalValue(node.expression, at);
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (node.kind === SyntaxKind.TrueKeyword) return true;
  if (node.kind === SyntaxKind.FalseKeyword) return false;
  if (ts.isPrefixUnaryExpression(node) && (node.operator === SyntaxKind.MinusToken || node.operator === SyntaxKind.PlusToken)) {
    const value = literalValue(node.operand, at);
    if (typeof value === "number") return node.operator === SyntaxKind.MinusToken ? -value : value;
  }
  if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Math") {
    const constant = (Math as unknown as Record<string, unknown>)[node.name.text];
    if (typeof constant === "number") return constant;
  }
  if (ts.isArrayLiteralExpression(node)) return node.elements.map((e) => literalValue(e, at));
  if (ts.isObjectLiteralExpression(node)) {
    return Object.fromEntries(
      node.properties.map((p) => {
        if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) throw new DiagnosticError([diagnostics.exampleNotData(`\`${p.getText()}\``, at)]);
        return [p.name.text, literalValue(p.initializer, at)];
      }),
    );
  }
  // new Float64Array([...]) and Float64Array.from([...])
  const constructed = ts.isNewExpression(node) && ts.isIdentifier(node.expression) ? node.expression.text : ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "from" && ts.isIdentifier(node.expression.expression) ? node.expression.expression.text : undefined;
  const make = constructed ? TYPED_ARRAY_CONSTRUCTORS[constructed] : undefined;
  const args = ts.isNewExpression(node) || ts.isCallExpression(node) ? (node.arguments ?? []) : [];
  if (make && args.length === 1) {
    const values = literalValue(args[0]!, at);
    if (Array.isArray(values) && values.every((v) => typeof v === "number")) return make(values);
  }
  throw new DiagnosticError([diagnostics.exampleNotData(`\`${node.getText()}\``, at)]);
}
