/**
 * Declarations: `const`/`let` statements (a local function stored in a `const` is remembered, to
 * be inlined where it is called) and destructuring, which becomes one read per name.
 */
import { Node, type ArrowFunction, type FunctionExpression, type VariableStatement } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import type { Expr, Operand, Type } from "../ir/ir.ts";
import { NUMBER, num } from "../ir/ir.ts";
import { elementType, fieldType } from "../ir/types.ts";
import { irTypeOf } from "./types.ts";
import { isFunctionLike } from "./expressions.ts";
import { unsupportedAt } from "./unsupported.ts";
import type { FunctionLowerer } from "./function-lowerer.ts";

/** `const a = …, [b, c] = …;` (and `let`): each name declared in the current scope. */
export function declareVariables(l: FunctionLowerer, node: VariableStatement): void {
  const kind = node.getDeclarationKind();
  const mutable = kind !== "const";
  if (kind === "var") throw unsupportedAt("`var`", node);
  if (kind === "await using") throw new DiagnosticError([diagnostics.asyncCode(positionOfNode(node))]);
  if (kind === "using") throw unsupportedAt("a `using` declaration", node);
  const declarations = node.getDeclarations();
  for (const decl of declarations) {
    l.loc = l.locOf(declarations.length === 1 ? node : decl);
    const init = decl.getInitializer();
    const nameNode = decl.getNameNode();
    if (Node.isIdentifier(nameNode)) {
      if (init && isFunctionLike(init)) {
        if (mutable) throw new DiagnosticError([diagnostics.closure(positionOfNode(init))]);
        l.defineLocalFunction(nameNode.getText(), init as ArrowFunction | FunctionExpression);
        continue;
      }
      const value = init ? l.expr(init) : undefined;
      const type = l.checkedType(decl) ?? (value ? l.typeOfOperand(value) : irTypeOf(decl));
      l.declare(nameNode.getText(), type, value ? l.asExpr(value) : undefined, mutable);
    } else {
      if (!init) throw unsupportedAt("destructuring without an initializer", decl);
      destructure(l, nameNode, l.expr(init), mutable);
    }
  }
}

/** `x = value` for a name, or `[a, b] = value` / `{ a, b } = value` for a pattern, declared. */
export function declarePattern(l: FunctionLowerer, nameNode: Node, value: Operand, mutable: boolean, type: Type = l.typeOfOperand(value)): void {
  if (Node.isIdentifier(nameNode)) l.declare(nameNode.getText(), type, l.asExpr(value), mutable);
  else destructure(l, nameNode, value, mutable);
}

/** A binding pattern over `value`: one read (index or field) per name, nested patterns in turn. */
export function destructure(l: FunctionLowerer, pattern: Node, value: Operand, mutable: boolean): void {
  const type = l.typeOfOperand(value);
  if (Node.isArrayBindingPattern(pattern)) {
    pattern.getElements().forEach((element, index) => {
      if (Node.isOmittedExpression(element)) return;
      if (element.getDotDotDotToken()) {
        const rest: Expr = { kind: "copy", source: value, start: num(index), type: type.kind === "tuple" ? { kind: "array", element: type.elements[index] ?? NUMBER } : type };
        bindName(l, element.getNameNode(), rest, irTypeOf(element), mutable);
        return;
      }
      if (element.hasInitializer()) throw unsupportedAt("a default value in destructuring", element);
      const read: Expr = { kind: "index", object: value, index: num(index) };
      bindName(l, element.getNameNode(), read, elementType(type, index), mutable);
    });
    return;
  }
  if (Node.isObjectBindingPattern(pattern)) {
    for (const element of pattern.getElements()) {
      if (element.getDotDotDotToken()) throw unsupportedAt("a rest element in object destructuring", element);
      if (element.hasInitializer()) throw unsupportedAt("a default value in destructuring", element);
      const key = element.getPropertyNameNode()?.getText() ?? element.getName();
      bindName(l, element.getNameNode(), { kind: "field", object: value, name: key }, fieldType(type, key), mutable);
    }
    return;
  }
  throw unsupportedAt("this destructuring pattern", pattern);
}

function bindName(l: FunctionLowerer, nameNode: Node, read: Expr, type: Type, mutable: boolean): void {
  if (Node.isIdentifier(nameNode)) {
    l.declare(nameNode.getText(), type, read, mutable);
    return;
  }
  destructure(l, nameNode, l.temp(read, type), mutable);
}
