/** Converts the checker's TypeScript types to IR types. */
import { Node, type ClassDeclaration, type Type as TsType } from "ts-morph";
import { classOfInstance, classProblem, instanceFields } from "../load/classes.ts";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import type { Type } from "../ir/ir.ts";

const TYPED_ARRAYS = new Set(["Float64Array", "Float32Array"]);

export function irTypeOf(node: Node): Type {
  return toIRType(node.getType(), node);
}

/** Object types being converted, to stop at one that contains itself. */
const recordsInProgress = new Set<unknown>();

export function toIRType(type: TsType, at: Node): Type {
  if (type.isAny() || type.isUnknown()) throw new DiagnosticError([diagnostics.anyType(describe(at), positionOfNode(at))]);
  // Values that come from the constructs SPEC §1 rejects get those constructs' own diagnostics.
  if (isClassType(type) && !type.isUnion()) return classRecord(type, at);
  const construct = type.getSymbol()?.getName();
  if (construct === "Promise" || construct === "PromiseLike") throw new DiagnosticError([diagnostics.asyncCode(positionOfNode(at))]);
  if (construct === "Generator" || construct === "AsyncGenerator") throw new DiagnosticError([diagnostics.generator(positionOfNode(at))]);
  if (type.isNumber() || type.isNumberLiteral()) return { kind: "number" };
  if (type.isBoolean() || type.isBooleanLiteral()) return { kind: "boolean" };
  if (type.isString() || type.isStringLiteral() || type.isTemplateLiteral()) return { kind: "string" };
  if (type.isVoid() || type.isUndefined()) return { kind: "void" };
  if (type.isUnion()) {
    // `T | undefined`: an optional value (`boolean | undefined` is `true | false | undefined`).
    const defined = type.getUnionTypes().filter((t) => !t.isUndefined());
    if (defined.length < type.getUnionTypes().length && defined.length > 0 && !defined.some((t) => t.isNull())) {
      const value = defined.length === 1 ? toIRType(defined[0]!, at) : toIRType(type.getNonNullableType(), at);
      if (value.kind !== "optional") return { kind: "optional", value };
    }
    const parts = type.getUnionTypes().map((t) => toIRType(t, at));
    if (parts.every((p) => p.kind === parts[0]!.kind && (p.kind === "number" || p.kind === "string" || p.kind === "boolean"))) return parts[0]!;
    throw unsupported(type, at);
  }
  const symbolName = type.getSymbol()?.getName();
  if (symbolName && TYPED_ARRAYS.has(symbolName)) return { kind: "array", element: { kind: "number" }, typed: symbolName as "Float64Array" };
  if (type.isTuple()) return { kind: "tuple", elements: type.getTupleElements().map((t) => toIRType(t, at)) };
  if (type.isArray() || type.isReadonlyArray()) return { kind: "array", element: toIRType(type.getArrayElementTypeOrThrow(), at) };
  if (type.isObject() && type.getCallSignatures().length === 0 && !symbolName?.match(/^(Map|Set|Promise|Date|RegExp|WeakMap|WeakSet)$/)) {
    if (type.getStringIndexType() || type.getNumberIndexType()) throw unsupported(type, at);
    if (recordsInProgress.has(type.compilerType)) throw new DiagnosticError([diagnostics.recursiveType(type.getText(at), positionOfNode(at))]);
    recordsInProgress.add(type.compilerType);
    try {
      const fields = type.getProperties().map((symbol) => ({ name: symbol.getName(), type: toIRType(symbol.getTypeAtLocation(at), at) }));
      return { kind: "record", fields };
    } finally {
      recordsInProgress.delete(type.compilerType);
    }
  }
  throw unsupported(type, at);
}

/** An instance of a value class: a record of its fields (its methods become functions of it). */
const converting = new Set<ClassDeclaration>();
function classRecord(type: TsType, at: Node): Type {
  const decl = classOfInstance(type);
  if (!decl) throw new DiagnosticError([diagnostics.classOrThis(positionOfNode(at))]);
  const problem = classProblem(decl);
  if (problem) throw new DiagnosticError([diagnostics.classFeature(problem.what, positionOfNode(problem.at))]);
  if (converting.has(decl)) throw new DiagnosticError([diagnostics.recursiveType(type.getText(at), positionOfNode(at))]);
  converting.add(decl);
  try {
    return { kind: "record", fields: instanceFields(decl).map((field) => ({ name: field.getName(), type: toIRType(field.getType(), field) })) };
  } finally {
    converting.delete(decl);
  }
}

/** Whether a type is a class's instance type or the class itself (`typeof Model`). */
export function isClassType(type: TsType): boolean {
  if (type.isUnion()) return type.getUnionTypes().some(isClassType);
  const symbol = type.getSymbol();
  return !!symbol && symbol.getDeclarations().some((d) => Node.isClassDeclaration(d) || Node.isClassExpression(d));
}

/**
 * Whether an expression is a class itself (used as a value), or an instance of a class that is
 * not a value type. Instances of value classes are records.
 */
export function isClassValue(node: Node): boolean {
  let symbol = node.getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  const declarations = symbol?.getDeclarations() ?? [];
  if (declarations.some((d) => Node.isClassDeclaration(d) || Node.isClassExpression(d))) return true;
  const type = node.getType();
  if (!isClassType(type)) return false;
  const decl = classOfInstance(type);
  return !decl || classProblem(decl) !== undefined;
}

function unsupported(type: TsType, at: Node) {
  return new DiagnosticError([diagnostics.unsupportedType(type.getText(at), positionOfNode(at))]);
}

function describe(node: Node): string {
  if (Node.isParameterDeclaration(node) || Node.isVariableDeclaration(node)) return `\`${node.getName()}\``;
  const text = node.getText();
  return text.length <= 40 ? `\`${text}\`` : "this expression";
}
