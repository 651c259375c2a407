/**
 * Values built in place: array literals (with spreads: `[a, ...xs, b]`), object literals (with a
 * leading spread: `{ ...o, x }`), and `new`: a user class's instance, `new Array(n)`,
 * `new Float64Array(…)`.
 */
import { Node, type ArrayLiteralExpression, type Expression, type NewExpression, type ObjectLiteralExpression } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import type { Operand, Type } from "../ir/ir.ts";
import { num } from "../ir/ir.ts";
import { irTypeOf, toIRType } from "./types.ts";
import { constructedClass, newInstance } from "./classes.ts";
import { identifier } from "./identifiers.ts";
import { indexLoop } from "./loops.ts";
import { unsupportedAt } from "./unsupported.ts";
import type { FunctionLowerer } from "./function-lowerer.ts";

export function arrayLiteral(l: FunctionLowerer, node: ArrayLiteralExpression): Operand {
  // `[]` has type `never[]`: the declared type around it says what it will hold.
  const type = contextualType(node) ?? irTypeOf(node);
  return arrayOf(l, node.getElements(), type);
}

/** The type the context expects (`const xs: number[] = []`), if it is a usable one. */
function contextualType(node: Expression): Type | undefined {
  const contextual = node.getContextualType();
  if (!contextual) return undefined;
  try {
    return toIRType(contextual, node);
  } catch {
    return undefined;
  }
}

/** An array (or tuple) of `elements`, which may include spreads (`[a, ...xs, b]`). */
export function arrayOf(l: FunctionLowerer, elements: Node[], type: Type): Operand {
  const firstSpread = elements.findIndex((e) => Node.isSpreadElement(e));
  if (firstSpread < 0) return l.temp({ kind: "arrayLiteral", elements: elements.map((e) => l.expr(e as Expression)), type }, type);
  if (type.kind === "tuple") return tupleOf(l, elements);
  // `[a, ...xs, b]`: start from what precedes the first spread, then push the rest in order.
  const target = type;
  const first = elements[firstSpread]!;
  const leading = elements.slice(0, firstSpread).map((e) => l.expr(e as Expression));
  const result =
    firstSpread === 0 && Node.isSpreadElement(first)
      ? l.temp({ kind: "copy", source: l.expr(first.getExpression()), type: target }, target)
      : l.temp({ kind: "arrayLiteral", elements: leading, type: target }, target);
  for (const element of elements.slice(firstSpread === 0 ? 1 : firstSpread)) {
    if (Node.isSpreadElement(element)) {
      const source = l.expr(element.getExpression());
      indexLoop(l, source, { kind: "loop", labelUsed: false }, (read) => l.emit({ kind: "push", object: result, values: [read()] }), 0, false);
    } else {
      l.emit({ kind: "push", object: result, values: [l.expr(element as Expression)] });
    }
  }
  return result;
}

/**
 * A tuple built with spreads (`[...pair]`, `[x, ...rest]`): its length and element types are
 * fixed, so every spread source must be a tuple too, read element by element.
 */
function tupleOf(l: FunctionLowerer, elements: Node[]): Operand {
  const values: Operand[] = [];
  const types: Type[] = [];
  for (const element of elements) {
    if (!Node.isSpreadElement(element)) {
      const value = l.expr(element as Expression);
      values.push(value);
      types.push(l.typeOfOperand(value));
      continue;
    }
    const source = l.expr(element.getExpression());
    const sourceType = l.typeOfOperand(source);
    if (sourceType.kind !== "tuple") throw unsupportedAt("a spread of an array into a tuple (its length is not known)", element);
    sourceType.elements.forEach((elementType, i) => {
      values.push(l.temp({ kind: "index", object: source, index: num(i) }, elementType));
      types.push(elementType);
    });
  }
  const type: Type = { kind: "tuple", elements: types };
  return l.temp({ kind: "arrayLiteral", elements: values, type }, type);
}

export function objectLiteral(l: FunctionLowerer, node: ObjectLiteralExpression): Operand {
  const type = irTypeOf(node);
  const properties = node.getProperties();
  const spreadAt = properties.findIndex((p) => Node.isSpreadAssignment(p));
  if (spreadAt > 0) throw unsupportedAt("a spread after other properties (put `...object` first)", properties[spreadAt]!);
  const fieldValue = (p: Node): { name: string; value: Operand } => {
    if (Node.isPropertyAssignment(p)) {
      const nameNode = p.getNameNode();
      if (Node.isComputedPropertyName(nameNode)) throw unsupportedAt("a computed property name", nameNode);
      return { name: p.getName().replace(/^["']|["']$/g, ""), value: l.expr(p.getInitializerOrThrow()) };
    }
    if (Node.isShorthandPropertyAssignment(p)) return { name: p.getName(), value: identifier(l, p.getNameNode()) };
    throw unsupportedAt("this kind of property", p);
  };
  if (spreadAt === 0) {
    const spread = properties[0]!;
    if (!Node.isSpreadAssignment(spread)) throw unsupportedAt("this spread", spread);
    const copy = l.temp({ kind: "copy", source: l.expr(spread.getExpression()), type }, type);
    for (const p of properties.slice(1)) {
      const { name, value } = fieldValue(p);
      l.emit({ kind: "setField", object: copy, name, value });
    }
    return copy;
  }
  const values = new Map(properties.map((p) => {
    const { name, value } = fieldValue(p);
    return [name, value] as const;
  }));
  if (type.kind !== "record") throw unsupportedAt("this object literal", node);
  const fields = type.fields.map((f) => ({ name: f.name, value: values.get(f.name)! }));
  return l.temp({ kind: "recordLiteral", fields, type }, type);
}

export function newExpression(l: FunctionLowerer, node: NewExpression): Operand {
  const ctorNode = node.getExpression();
  const ctor = ctorNode.getText();
  // Before the type: `new Function(…)` is `Function`, a user class's instance is no IR type.
  if (ctor === "Function") throw new DiagnosticError([diagnostics.evalCode(positionOfNode(node))]);
  const args = node.getArguments() as Expression[];
  const constructed = constructedClass(ctorNode);
  if (constructed) return newInstance(l, node, constructed, args);
  const type = irTypeOf(node);
  if (ctor === "Array" && args.length === 1) {
    return l.temp({ kind: "newArray", length: l.expr(args[0]!), type }, type);
  }
  if ((ctor === "Float64Array" || ctor === "Float32Array") && args.length === 1) {
    const argType = irTypeOf(args[0]!);
    if (argType.kind === "number") return l.temp({ kind: "newArray", length: l.expr(args[0]!), fill: num(0), type }, type);
    if (Node.isArrayLiteralExpression(args[0]!) && !args[0]!.getElements().some((e) => Node.isSpreadElement(e))) {
      return l.temp({ kind: "arrayLiteral", elements: args[0]!.getElements().map((e) => l.expr(e)), type }, type);
    }
    return l.temp({ kind: "copy", source: l.expr(args[0]!), type }, type);
  }
  throw unsupportedAt(`\`new ${ctor}\``, node);
}
