/**
 * What a name in an expression reads: a local (through the scopes, renamed where it shadows),
 * `Infinity`/`NaN`/`undefined`, or a module-level `const`. A constant number, boolean or string
 * is lowered in place; a constant array or object written as a literal is re-created once, in
 * the function's prologue (correct because nothing writes into it: checked here).
 */
import { Node, type Expression, type VariableDeclaration } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import { isLiteralInitializer } from "../fence/module-constants.ts";
import type { Operand, Type } from "../ir/ir.ts";
import { num, ref } from "../ir/ir.ts";
import { irTypeOf, isClassValue } from "./types.ts";
import { isFunctionLike } from "./expressions.ts";
import { unsupportedAt } from "./unsupported.ts";
import type { FunctionLowerer } from "./function-lowerer.ts";

export function identifier(l: FunctionLowerer, node: Node): Operand {
  const text = node.getText();
  const local = l.lookup(text);
  if (local) return ref(local);
  if (text === "Infinity" || text === "NaN") return num(text === "Infinity" ? Infinity : NaN, text);
  if (text === "undefined") return { kind: "undefined" };
  if (isClassValue(node)) throw new DiagnosticError([diagnostics.classOrThis(positionOfNode(node))]);
  let symbol = node.getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  const decl = symbol?.getDeclarations()[0];
  if (decl && Node.isVariableDeclaration(decl) && decl.getVariableStatement()?.getParent() === decl.getSourceFile()) {
    if (decl.getVariableStatement()!.getDeclarationKind() !== "const") {
      throw new DiagnosticError([diagnostics.mutableModuleState(text, positionOfNode(node))]);
    }
    const init = decl.getInitializer();
    if (init && isFunctionLike(init)) throw unsupportedAt("a function used as a value", node);
    if (init && Node.isNewExpression(init) && isClassValue(init.getExpression())) {
      throw new DiagnosticError([diagnostics.classFeature(`\`${text}\`, a class instance kept at module level (state shared by every call),`, positionOfNode(node))]);
    }
    // A module-level constant: a number, boolean or string is lowered in place (it cannot
    // change); an array or object written as a literal is re-created at the function's start.
    if (init && isPrimitive(moduleType(decl))) return l.atModuleLevel(() => l.expr(init));
    if (init && isLiteralInitializer(init)) return moduleConstant(l, decl, init, text);
    throw new DiagnosticError([diagnostics.moduleConstantNotLiteral(text, positionOfNode(node))]);
  }
  if (decl && Node.isFunctionDeclaration(decl)) throw unsupportedAt("a function used as a value", node);
  throw unsupportedAt(`\`${text}\``, node);
}

/** Whether an identifier names a module-level variable of the user's files (not a global like `Math`). */
export function isModuleVariable(identifier: Node): boolean {
  let symbol = identifier.getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  const decl = symbol?.getDeclarations()[0];
  return !!decl && Node.isVariableDeclaration(decl) && !decl.getSourceFile().isDeclarationFile() && decl.getVariableStatement()?.getParent() === decl.getSourceFile();
}

/** A module-level constant's IR type, or undefined when it has none. */
function moduleType(decl: Node): Type | undefined {
  try {
    return irTypeOf(decl);
  } catch {
    return undefined;
  }
}

function isPrimitive(type: Type | undefined): boolean {
  return type?.kind === "number" || type?.kind === "boolean" || type?.kind === "string";
}

/**
 * A module-level constant array or object: evaluated once, in the function's prologue, from
 * its literal initializer. Correct because nothing ever writes into it (checked here).
 */
function moduleConstant(l: FunctionLowerer, decl: VariableDeclaration, init: Expression, useName: string): Operand {
  const write = l.constants.firstWrite(decl);
  if (write) throw new DiagnosticError([write]);
  const known = l.constantValues.get(decl);
  if (known) return known;
  const loc = l.loc;
  l.loc = l.locOf(l.fn.declaration);
  let value!: Operand;
  const statements = l.captureBlock(() =>
    l.atModuleLevel(() => {
      const operand = l.expr(init);
      const type = l.typeOfOperand(operand);
      const declaredHere = l.fn.node
        .getDescendants()
        .some((d) => (Node.isVariableDeclaration(d) || Node.isParameterDeclaration(d) || Node.isBindingElement(d)) && d.getNameNode().getText() === useName);
      const name = declaredHere || l.names.isClaimed(useName) ? l.names.fresh(useName) : l.names.claim(useName);
      l.types.set(name, type);
      l.emit({ kind: "let", name, type, init: l.asExpr(operand), mutable: false });
      value = ref(name);
    }),
  );
  l.loc = loc;
  l.prologue.push(...statements);
  l.constantValues.set(decl, value);
  return value;
}
