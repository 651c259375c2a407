/**
 * Array methods and `Array.from`, lowered to index loops (src/ir/ir.ts's `loop`) with the
 * callback's body inlined: forward mode, reverse mode and their compositions differentiate the
 * loops and need no rule of their own.
 */
import { Node, type Expression } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import type { Operand, Type } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../ir/ir.ts";
import { irTypeOf } from "./types.ts";
import { inlineCallback } from "./callbacks.ts";
import { unsupportedAt, type FunctionLowerer, type JumpTarget } from "./lower.ts";

export function lowerMethod(l: FunctionLowerer, node: Node, receiverNode: Expression, method: string, args: Expression[]): Operand {
  // `new Array(n).fill(v)` in one step; without a type argument TypeScript calls it `any[]`.
  if (method === "fill" && Node.isNewExpression(receiverNode) && receiverNode.getExpression().getText() === "Array" && args.length === 1) {
    const lengthNode = receiverNode.getArguments()[0] as Expression | undefined;
    if (!lengthNode) throw unsupportedAt("`new Array()` without a length", receiverNode);
    const length = l.expr(lengthNode);
    const fill = l.expr(args[0]!);
    const type: Type = l.checkedType(node) ?? { kind: "array", element: l.typeOfOperand(fill) };
    return l.temp({ kind: "newArray", length, fill, type }, type);
  }
  const receiverType = irTypeOf(receiverNode);
  if (receiverType.kind !== "array" && receiverType.kind !== "tuple") {
    throw new DiagnosticError([diagnostics.unsupportedMethod(method, positionOfNode(node))]);
  }
  const type = method === "push" || method === "fill" ? receiverType : irTypeOf(node);
  const receiver = l.expr(receiverNode);
  switch (method) {
    case "push": {
      const values = args.map((a) => l.expr(a));
      l.emit({ kind: "push", object: receiver, values });
      return num(0);
    }
    case "fill": {
      if (args.length !== 1) throw unsupportedAt("`fill` with a start or end", node);
      l.emit({ kind: "fill", object: receiver, value: l.expr(args[0]!) });
      return receiver;
    }
    case "slice": {
      const [start, end] = args.map((a) => l.expr(a));
      return l.temp({ kind: "copy", source: receiver, start, end, type }, type);
    }
    case "map":
    case "forEach":
    case "reduce":
      return arrayMethod(l, node, method, receiver, receiverType, args, type);
    default:
      throw new DiagnosticError([diagnostics.unsupportedMethod(method, positionOfNode(node))]);
  }
}

export function arrayFrom(l: FunctionLowerer, node: Node, args: Expression[]): Operand {
  const type = irTypeOf(node);
  const [source, callback] = args;
  if (!source) throw unsupportedAt("`Array.from()` without arguments", node);
  if (Node.isObjectLiteralExpression(source)) {
    // Array.from({ length: n }, (_, i) => …)
    const lengthProperty = source.getProperty("length");
    if (!lengthProperty || !Node.isPropertyAssignment(lengthProperty) || source.getProperties().length !== 1) {
      throw unsupportedAt("`Array.from` of an object other than `{ length: n }`", source);
    }
    const length = l.expr(lengthProperty.getInitializerOrThrow());
    if (!callback) return l.temp({ kind: "newArray", length, fill: num(0), type }, type);
    const result = l.temp({ kind: "newArray", length, type }, type);
    const index = l.names.fresh("i");
    l.types.set(index, NUMBER);
    const target: JumpTarget = { kind: "loop", label: l.names.fresh("from"), labelUsed: false };
    const init = l.captureBlock(() => l.emit({ kind: "let", name: index, type: NUMBER, init: l.asExpr(num(0)), mutable: true }));
    const test = l.test0(() => l.temp({ kind: "binary", op: "<", left: ref(index), right: length }, BOOLEAN));
    const update = l.captureBlock(() => l.emit({ kind: "assign", name: index, value: { kind: "binary", op: "+", left: ref(index), right: num(1) } }));
    const loc = l.loc;
    const body = l.loopBody(target, () =>
      inlineCallback(l, callback, [() => num(0), () => ref(index)], target, (value) => {
        if (value) l.emit({ kind: "setIndex", object: result, index: ref(index), value });
      }),
    );
    l.loc = loc;
    l.emit({ kind: "loop", label: target.labelUsed ? target.label : undefined, init, test, update, body, bodyFirst: false });
    return result;
  }
  const sourceValue = l.expr(source);
  if (!callback) return l.temp({ kind: "copy", source: sourceValue, type }, type);
  return mapLoop(l, sourceValue, l.typeOfOperand(sourceValue), callback, type);
}

function arrayMethod(l: FunctionLowerer, node: Node, method: "map" | "forEach" | "reduce", receiver: Operand, receiverType: Type, args: Expression[], type: Type): Operand {
  const [callback, initial] = args;
  if (!callback) throw unsupportedAt(`\`.${method}\` without a callback`, node);
  if (method === "map") return mapLoop(l, receiver, receiverType, callback, type);
  if (method === "forEach") {
    const target: JumpTarget = { kind: "loop", label: l.names.fresh("forEach"), labelUsed: false };
    l.indexLoop(receiver, target, (element, index) => inlineCallback(l, callback, [element, () => index, () => receiver], target, () => {}), 0, false);
    return num(0);
  }
  // reduce
  const accumulator = l.names.fresh("acc");
  l.types.set(accumulator, type);
  const start = initial === undefined ? l.temp({ kind: "index", object: receiver, index: num(0) }, type) : l.expr(initial);
  l.emit({ kind: "let", name: accumulator, type, init: l.asExpr(start), mutable: true });
  const target: JumpTarget = { kind: "loop", label: l.names.fresh("reduce"), labelUsed: false };
  l.indexLoop(
    receiver,
    target,
    (element, index) =>
      inlineCallback(l, callback, [() => ref(accumulator), element, () => index, () => receiver], target, (value) => {
        if (value) l.emit({ kind: "assign", name: accumulator, value: l.asExpr(value) });
      }),
    initial === undefined ? 1 : 0,
    false,
  );
  return ref(accumulator);
}

function mapLoop(l: FunctionLowerer, source: Operand, sourceType: Type, callback: Expression, type: Type): Operand {
  const length = l.temp({ kind: "length", object: source }, NUMBER);
  const result = l.temp({ kind: "newArray", length, fill: type.kind === "array" && type.typed ? num(0) : undefined, type }, type);
  void sourceType;
  const target: JumpTarget = { kind: "loop", label: l.names.fresh("map"), labelUsed: false };
  l.indexLoop(source, target, (element, index) =>
    inlineCallback(l, callback, [element, () => index, () => source], target, (value) => {
      if (value) l.emit({ kind: "setIndex", object: result, index, value });
    }),
    0,
    false,
  );
  return result;
}
