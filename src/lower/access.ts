/**
 * Places, read and written: `o.x` (a record's field, `.length`, `Math.PI`, a getter), `a[i]`,
 * optional links `o?.x`, and the writes to them: `=`, destructuring assignment `[a, b] = …`,
 * compound assignment `x += e` and `x++` (read, operate, `assign`/`setIndex`/`setField`). Also
 * the analysis of whether a function assigns a new value to one of its parameters.
 */
import { Node, SyntaxKind, type BinaryExpression, type ElementAccessExpression, type Expression, type PropertyAccessExpression } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import type { Operand } from "../ir/ir.ts";
import { NUMBER, num, ref } from "../ir/ir.ts";
import { fieldType } from "../ir/types.ts";
import { MATH_CONSTANTS } from "../rules/math.ts";
import { irTypeOf } from "./types.ts";
import { numberConstant } from "./calls.ts";
import { getterCall } from "./classes.ts";
import { skipParens } from "./expressions.ts";
import { optionalLink } from "./optional.ts";
import { unsupportedAt } from "./unsupported.ts";
import type { FunctionLowerer } from "./function-lowerer.ts";

/** `o.name`: a constant of `Math` or `Number`, a getter's call, or a member of the object's value. */
export function propertyAccess(l: FunctionLowerer, node: PropertyAccessExpression): Operand {
  const objectNode = node.getExpression();
  const name = node.getName();
  if (Node.isIdentifier(objectNode) && objectNode.getText() === "Math" && !l.lookup("Math")) {
    const value = MATH_CONSTANTS[name];
    if (value === undefined) throw unsupportedAt(`\`Math.${name}\` as a value`, node);
    return num(value, `Math.${name}`);
  }
  if (Node.isIdentifier(objectNode) && objectNode.getText() === "Number" && !l.lookup("Number")) return numberConstant(node, name);
  const got = getterCall(l, node, objectNode, name);
  if (got) return got;
  const object = l.expr(objectNode);
  if (l.typeOfOperand(object).kind === "optional") return optionalLink(l, node, object, (present) => memberRead(l, node, present, name));
  return memberRead(l, node, object, name);
}

/** `object.name` on a value that is present: `.length`, a record's field. */
function memberRead(l: FunctionLowerer, node: Node, object: Operand, name: string): Operand {
  const objectType = l.typeOfOperand(object);
  if (name === "length" && objectType.kind === "string") return l.temp({ kind: "length", object }, NUMBER);
  if (name === "length" && (objectType.kind === "array" || objectType.kind === "tuple")) {
    return objectType.kind === "tuple" ? num(objectType.elements.length) : l.temp({ kind: "length", object }, NUMBER);
  }
  if (objectType.kind !== "record") throw unsupportedAt(`the property \`${name}\``, node);
  return l.temp({ kind: "field", object, name }, fieldType(l.typeOfOperand(object), name));
}

/** `a[i]` (or `a?.[i]`: the index is computed only when `a` is present). */
export function elementAccess(l: FunctionLowerer, node: ElementAccessExpression): Operand {
  const object = l.expr(node.getExpression());
  return optionalLink(l, node, object, (present) => {
    const index = l.expr(node.getArgumentExpressionOrThrow());
    return l.temp({ kind: "index", object: present, index }, l.indexType(present, index));
  });
}

const COMPOUND_OPERATORS: Partial<Record<SyntaxKind, "+" | "-" | "*" | "/" | "%" | "**">> = {
  [SyntaxKind.PlusEqualsToken]: "+",
  [SyntaxKind.MinusEqualsToken]: "-",
  [SyntaxKind.AsteriskEqualsToken]: "*",
  [SyntaxKind.SlashEqualsToken]: "/",
  [SyntaxKind.PercentEqualsToken]: "%",
  [SyntaxKind.AsteriskAsteriskEqualsToken]: "**",
};

/** `target = e` and `target op= e`: the value stored. Undefined for any other operator. */
export function assignment(l: FunctionLowerer, node: BinaryExpression): Operand | undefined {
  const token = node.getOperatorToken().getKind();
  const left = node.getLeft();
  const right = node.getRight();
  if (token === SyntaxKind.EqualsToken) {
    if (Node.isArrayLiteralExpression(left)) {
      const source = l.temp(l.asExpr(l.expr(right)), irTypeOf(right));
      return store(l, left, () => source);
    }
    return store(l, left, () => l.expr(right));
  }
  const compound = COMPOUND_OPERATORS[token];
  if (!compound) return undefined;
  return store(l, left, (old) => {
    const previous = old();
    const operand = l.expr(right);
    return l.temp({ kind: "binary", op: compound, left: previous, right: operand }, NUMBER);
  });
}

/** `x++`, `x--`, `a[i]++`, … as writes. */
export function increment(l: FunctionLowerer, target: Expression, op: "+" | "-"): void {
  store(l, target, (old) => l.temp({ kind: "binary", op, left: old(), right: num(1) }, NUMBER));
}

/**
 * Writes to an assignable expression. `value` receives a reader of the old value (for compound
 * assignment) and returns the operand to store.
 */
export function store(l: FunctionLowerer, target: Expression, value: (old: () => Operand) => Operand): Operand {
  target = skipParens(target);
  if (Node.isIdentifier(target)) {
    const name = l.lookup(target.getText());
    if (!name) {
      const decl = target.getSymbol()?.getDeclarations()[0];
      throw new DiagnosticError([
        decl && Node.isVariableDeclaration(decl) ? diagnostics.mutableModuleState(target.getText(), positionOfNode(target)) : diagnostics.unsupportedSyntax(`assigning to \`${target.getText()}\``, positionOfNode(target)),
      ]);
    }
    const before = l.block.length;
    const stored = value(() => ref(name));
    // `x = x + 1` reads better than `t = x + 1; x = t`: fold the temporary computed just for it.
    const last = l.block[l.block.length - 1];
    if (l.block.length > before && last?.kind === "let" && stored.kind === "var" && last.name === stored.name && l.names.temporaries.has(last.name)) {
      l.block.pop();
      l.emit({ kind: "assign", name, value: last.init! });
    } else {
      l.emit({ kind: "assign", name, value: l.asExpr(stored) });
    }
    return ref(name);
  }
  if (Node.isElementAccessExpression(target)) {
    const object = l.expr(target.getExpression());
    const index = l.expr(target.getArgumentExpressionOrThrow());
    const stored = value(() => l.temp({ kind: "index", object, index }, l.indexType(object, index)));
    l.emit({ kind: "setIndex", object, index, value: stored });
    return stored;
  }
  if (Node.isPropertyAccessExpression(target)) {
    const object = l.expr(target.getExpression());
    const name = target.getName();
    const stored = value(() => l.temp({ kind: "field", object, name }, irTypeOf(target)));
    l.emit({ kind: "setField", object, name, value: stored });
    return stored;
  }
  if (Node.isArrayLiteralExpression(target)) {
    const source = value(() => {
      throw unsupportedAt("compound assignment to a pattern", target);
    });
    target.getElements().forEach((element, index) => {
      if (Node.isOmittedExpression(element)) return;
      store(l, element, () => l.temp({ kind: "index", object: source, index: num(index) }, irTypeOf(element)));
    });
    return source;
  }
  throw unsupportedAt("this assignment target", target);
}

const ASSIGNMENTS = new Set([
  SyntaxKind.EqualsToken,
  SyntaxKind.QuestionQuestionEqualsToken,
  SyntaxKind.BarBarEqualsToken,
  SyntaxKind.AmpersandAmpersandEqualsToken,
]);

/** Whether `body` assigns a new value to the parameter (`p = …`, `[p, q] = …`), not just into it. */
export function isReassigned(param: Node, body: Node): boolean {
  return body.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => {
    if (id.getSymbol()?.getDeclarations()[0] !== param) return false;
    let target: Node = id;
    let parent = target.getParent();
    while (parent && (Node.isArrayLiteralExpression(parent) || Node.isParenthesizedExpression(parent))) {
      target = parent;
      parent = parent.getParent();
    }
    return !!parent && Node.isBinaryExpression(parent) && parent.getLeft() === target && ASSIGNMENTS.has(parent.getOperatorToken().getKind());
  });
}
