/**
 * Lowering classes as value types (see src/load/classes.ts): `new C(…)` is a record of C's fields
 * (made by C's constructor, a function returning it), `o.m(…)` a call of the function `C_m(o, …)`,
 * a getter `o.g` a call `C_g(o)`. Inside them `this` names the instance: a parameter (`self`) of
 * methods and getters, a local of the constructor. Writes to `this.x` are writes into a record
 * argument, which every mode already handles.
 */
import { Node, type ClassDeclaration, type ConstructorDeclaration, type Expression } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import { classProblem, instanceFields, memberNamed } from "../load/classes.ts";
import { memberFunction } from "../load/functions.ts";
import type { Operand, Param, Type } from "../ir/ir.ts";
import { num, ref } from "../ir/ir.ts";
import { irTypeOf, toIRType } from "./types.ts";
import { spreadArguments } from "./calls.ts";
import { zeroOf } from "./optional.ts";
import type { FunctionLowerer } from "./function-lowerer.ts";

/** The value class an expression's type is an instance of (checked: a class with a problem is reported). */
export function instanceClass(node: Node): ClassDeclaration | undefined {
  const type = node.getType();
  if (type.getConstructSignatures().length > 0) return undefined;
  const decl = type.getSymbol()?.getDeclarations().find((d) => Node.isClassDeclaration(d));
  if (!decl || !Node.isClassDeclaration(decl)) return undefined;
  const problem = classProblem(decl);
  if (problem) throw new DiagnosticError([diagnostics.classFeature(problem.what, positionOfNode(problem.at))]);
  return decl;
}

/** The class a `new` expression constructs, when it is one of the user's. */
export function constructedClass(ctor: Node): ClassDeclaration | undefined {
  let symbol = ctor.getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  const decl = symbol?.getDeclarations().find((d) => Node.isClassDeclaration(d) || Node.isClassExpression(d));
  if (!decl) return undefined;
  if (!Node.isClassDeclaration(decl) || decl.getParent() !== decl.getSourceFile()) throw new DiagnosticError([diagnostics.classOrThis(positionOfNode(ctor))]);
  const problem = classProblem(decl);
  if (problem) throw new DiagnosticError([diagnostics.classFeature(problem.what, positionOfNode(problem.at))]);
  return decl;
}

/** `new C(args)`: a call of C's constructor, or, without one, the record of C's field initializers. */
export function newInstance(l: FunctionLowerer, node: Node, decl: ClassDeclaration, args: Expression[]): Operand {
  const type = irTypeOf(node);
  const ctor = decl.getConstructors().find((c) => c.hasBody());
  if (!ctor) {
    if (args.length > 0) throw new DiagnosticError([diagnostics.unsupportedSyntax("arguments to a class without a constructor", positionOfNode(node))]);
    return l.atModuleLevel(() => initialRecord(l, decl, type, new Map()));
  }
  const operands = spreadArguments(l, ctor, args);
  return l.temp({ kind: "call", callee: l.functionName(memberFunction(ctor)), args: operands }, type);
}

/**
 * The instance a constructor starts from, all fields present from the start (one shape for the
 * engine): parameter properties hold their arguments, other fields their initializers or a zero.
 */
export function initialRecord(l: FunctionLowerer, decl: ClassDeclaration, type: Type, parameterValues: ReadonlyMap<string, Operand>): Operand {
  if (type.kind !== "record") throw new Error("a class instance is a record");
  const values = new Map<string, Operand>();
  for (const field of instanceFields(decl)) {
    const name = field.getName();
    const fieldType = type.fields.find((f) => f.name === name)!.type;
    const given = parameterValues.get(name);
    const init = Node.isPropertyDeclaration(field) ? field.getInitializer() : undefined;
    // A field the constructor sets later starts as a zero of its type.
    const unset = () => {
      throw new DiagnosticError([diagnostics.unsupportedSyntax("a field of this type without an initializer", positionOfNode(field))]);
    };
    values.set(name, given ?? (init ? l.expr(init) : zeroOf(l, fieldType, unset)));
  }
  return l.temp({ kind: "recordLiteral", fields: type.fields.map((f) => ({ name: f.name, value: values.get(f.name)! })), type }, type);
}

/** `o.m(args)` → `C_m(o, args)`; undefined when `m` is not a method of a value class. */
export function methodCall(l: FunctionLowerer, node: Node, receiverNode: Expression, name: string, args: Expression[]): Operand | undefined {
  const decl = instanceClass(receiverNode);
  const member = decl && memberNamed(decl, name);
  if (!member || !Node.isMethodDeclaration(member)) return undefined;
  const receiver = l.expr(receiverNode);
  const operands = [receiver, ...spreadArguments(l, member, args)];
  const type = toIRType(member.getSignature().getReturnType(), node);
  const callee = l.functionName(memberFunction(member));
  if (type.kind === "void") {
    l.emit({ kind: "callStmt", callee, args: operands });
    return num(0);
  }
  return l.temp({ kind: "call", callee, args: operands }, type);
}

/** `o.g` for a getter `g` → `C_g(o)`; undefined when `g` is not a getter of a value class. */
export function getterCall(l: FunctionLowerer, node: Node, receiverNode: Expression, name: string): Operand | undefined {
  const decl = instanceClass(receiverNode);
  const member = decl && memberNamed(decl, name);
  if (!member || !Node.isGetAccessorDeclaration(member)) return undefined;
  const receiver = l.expr(receiverNode);
  return l.temp({ kind: "call", callee: l.functionName(memberFunction(member)), args: [receiver] }, irTypeOf(node));
}

/** Methods and getters take the instance first, as `self`; `this` names it in their body. */
export function selfParameter(l: FunctionLowerer, decl: ClassDeclaration, at: Node): Param {
  const name = l.names.fresh("self");
  const type = toIRType(decl.getType(), at);
  l.types.set(name, type);
  l.bind("this", name);
  return { name, type, loc: l.locOf(decl) };
}

/** A constructor's `this`: a local record made before its body runs. */
export function constructorSelf(l: FunctionLowerer, ctor: ConstructorDeclaration, params: Param[]): string {
  const decl = ctor.getParentOrThrow() as ClassDeclaration;
  const type = toIRType(decl.getType(), ctor);
  const values = new Map<string, Operand>();
  ctor.getParameters().forEach((p, i) => {
    if (p.isParameterProperty()) values.set(p.getName(), ref(params[i]!.name));
  });
  const record = initialRecord(l, decl, type, values);
  const name = l.names.fresh("self");
  l.types.set(name, type);
  l.emit({ kind: "let", name, type, init: l.asExpr(record), mutable: false });
  l.bind("this", name);
  return name;
}
