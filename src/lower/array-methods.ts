/**
 * Array methods and `Array.from`, lowered to index loops (src/ir/ir.ts's `loop`) with the
 * callback's body inlined: forward mode, reverse mode and their compositions differentiate the
 * loops and need no rule of their own.
 */
import { Node, type CallExpression, type Expression } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import type { Operand, Type } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../ir/ir.ts";
import { irTypeOf } from "./types.ts";
import { inlineCallback, inlineValue } from "./callbacks.ts";
import { choose } from "./optional.ts";
import { indexLoop, loopBody, loopTest } from "./loops.ts";
import { unsupportedAt } from "./unsupported.ts";
import type { FunctionLowerer, JumpTarget } from "./function-lowerer.ts";

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
  const receiver = l.expr(receiverNode);
  // `.at()`'s and `.find()`'s own types include `undefined`: they read an element of the receiver.
  const type = method === "push" || method === "fill" || method === "at" || method === "find" ? receiverType : irTypeOf(node);
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
    case "some":
    case "every":
    case "findIndex":
    case "filter":
      return search(l, node, method, receiver, args);
    case "find":
      return find(l, node, receiver, receiverType, args);
    case "indexOf":
    case "includes":
      return indexOf(l, node, method, receiver, args);
    case "concat":
      return concat(l, receiver, args, type);
    case "at":
      return at(l, node, receiver, receiverType, args);
    case "reverse":
      if (args.length > 0) throw unsupportedAt("`reverse` with arguments", node);
      reverseInPlace(l, receiver);
      return receiver;
    case "sort":
      sortInPlace(l, node, receiver, receiverType, args);
      return receiver;
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
    const test = loopTest(l, () => l.temp({ kind: "binary", op: "<", left: ref(index), right: length }, BOOLEAN));
    const update = l.captureBlock(() => l.emit({ kind: "assign", name: index, value: { kind: "binary", op: "+", left: ref(index), right: num(1) } }));
    const loc = l.loc;
    const body = loopBody(l, target, () =>
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
    indexLoop(l, receiver, target, (element, index) => inlineCallback(l, callback, [element, () => index, () => receiver], target, () => {}), 0, false);
    return num(0);
  }
  // reduce
  const accumulator = l.names.fresh("acc");
  l.types.set(accumulator, type);
  const start = initial === undefined ? l.temp({ kind: "index", object: receiver, index: num(0) }, type) : l.expr(initial);
  l.emit({ kind: "let", name: accumulator, type, init: l.asExpr(start), mutable: true });
  const target: JumpTarget = { kind: "loop", label: l.names.fresh("reduce"), labelUsed: false };
  indexLoop(
    l,
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
  indexLoop(l, source, target, (element, index) =>
    inlineCallback(l, callback, [element, () => index, () => source], target, (value) => {
      if (value) l.emit({ kind: "setIndex", object: result, index, value });
    }),
    0,
    false,
  );
  return result;
}

/** A mutable local of the lowered code (not a temporary: it is assigned). */
function variable(l: FunctionLowerer, base: string, type: Type, init: Operand): string {
  const name = l.names.fresh(base);
  l.types.set(name, type);
  l.emit({ kind: "let", name, type, init: l.asExpr(init), mutable: true });
  return name;
}

/**
 * `.some`/`.every`/`.findIndex` (a flag or an index set by the first element that decides, then
 * a `break`) and `.filter` (the elements the callback keeps, pushed into a new array).
 */
function search(l: FunctionLowerer, node: Node, method: "some" | "every" | "findIndex" | "filter", receiver: Operand, args: Expression[]): Operand {
  const [callback] = args;
  if (!callback || args.length > 1) throw unsupportedAt(`\`.${method}\` with ${callback ? "a `this` argument" : "no callback"}`, node);
  const type = method === "filter" ? irTypeOf(node) : method === "findIndex" ? NUMBER : BOOLEAN;
  const initial: Operand = method === "filter" ? l.temp({ kind: "arrayLiteral", elements: [], type }, type) : method === "findIndex" ? num(-1) : { kind: "boolean", value: method === "every" };
  const result = method === "filter" ? (initial as { name: string }).name : variable(l, method === "findIndex" ? "index" : method === "some" ? "found" : "all", type, initial);
  const target: JumpTarget = { kind: "loop", label: l.names.fresh(method), labelUsed: false };
  indexLoop(
    l,
    receiver,
    target,
    (element, index) =>
      inlineCallback(l, callback, [element, () => index, () => receiver], target, (value) => {
        if (!value) return;
        // `every` stops at the first element that fails, the others at the first that passes.
        const decides = method === "every" ? l.temp({ kind: "unary", op: "!", arg: value }, BOOLEAN) : l.truthy(value);
        const then = l.captureBlock(() => {
          if (method === "filter") {
            l.emit({ kind: "push", object: ref(result), values: [element()] });
            return;
          }
          l.emit({ kind: "assign", name: result, value: l.asExpr(method === "findIndex" ? index : { kind: "boolean", value: method === "some" }) });
          target.labelUsed = true;
          l.emit({ kind: "break", label: target.label });
        });
        l.emit({ kind: "if", cond: decides, then, else: [] });
      }),
    0,
    false,
  );
  return ref(result);
}

/** `.indexOf(v)` and `.includes(v)`: the first index whose element is `=== v`. */
function indexOf(l: FunctionLowerer, node: Node, method: "indexOf" | "includes", receiver: Operand, args: Expression[]): Operand {
  const [valueNode] = args;
  if (!valueNode || args.length > 1) throw unsupportedAt(`\`.${method}\` ${valueNode ? "with a start index" : "without a value"}`, node);
  const value = l.expr(valueNode);
  const result = method === "indexOf" ? variable(l, "index", NUMBER, num(-1)) : variable(l, "found", BOOLEAN, { kind: "boolean", value: false });
  const target: JumpTarget = { kind: "loop", label: l.names.fresh(method), labelUsed: true };
  indexLoop(
    l,
    receiver,
    target,
    (element, index) => {
      const equal = l.temp({ kind: "binary", op: "===", left: element(), right: value }, BOOLEAN);
      const then = l.captureBlock(() => {
        l.emit({ kind: "assign", name: result, value: l.asExpr(method === "indexOf" ? index : { kind: "boolean", value: true }) });
        l.emit({ kind: "break", label: target.label });
      });
      l.emit({ kind: "if", cond: equal, then, else: [] });
    },
    0,
    false,
  );
  return ref(result);
}

/** `a.concat(b, x, …)`: a copy of `a`, then each array's elements (or each value) pushed. */
function concat(l: FunctionLowerer, receiver: Operand, args: Expression[], type: Type): Operand {
  const result = l.temp({ kind: "copy", source: receiver, type }, type);
  for (const arg of args) {
    const argType = irTypeOf(arg);
    const value = l.expr(arg);
    if (argType.kind === "array" || argType.kind === "tuple") {
      indexLoop(l, value, { kind: "loop", labelUsed: false }, (read) => l.emit({ kind: "push", object: result, values: [read()] }), 0, false);
    } else {
      l.emit({ kind: "push", object: result, values: [value] });
    }
  }
  return result;
}

/** `a.at(i)`: `a[i < 0 ? a.length + i : i]`. */
function at(l: FunctionLowerer, node: Node, receiver: Operand, receiverType: Type, args: Expression[]): Operand {
  const [indexNode] = args;
  if (!indexNode || args.length > 1) throw unsupportedAt("this call of `.at`", node);
  const index = l.expr(indexNode);
  let position = index;
  if (index.kind !== "number" || index.value < 0) {
    const negative = l.temp({ kind: "binary", op: "<", left: index, right: num(0) }, BOOLEAN);
    const fromEnd = l.temp({ kind: "binary", op: "+", left: l.temp({ kind: "length", object: receiver }, NUMBER), right: index }, NUMBER);
    position = l.temp({ kind: "select", cond: negative, whenTrue: fromEnd, whenFalse: index }, NUMBER);
  }
  return l.temp({ kind: "index", object: receiver, index: position }, l.elementOf(receiverType, undefined));
}

/** `a.reverse()` in place: the ends swapped pairwise towards the middle. */
function reverseInPlace(l: FunctionLowerer, receiver: Operand): void {
  const receiverType = l.typeOfOperand(receiver);
  const element = l.elementOf(receiverType, undefined);
  const last = l.temp({ kind: "binary", op: "-", left: l.temp({ kind: "length", object: receiver }, NUMBER), right: num(1) }, NUMBER);
  counted(l, "i", (i) => l.temp({ kind: "binary", op: "<", left: i, right: l.temp({ kind: "binary", op: "-", left: last, right: i }, NUMBER) }, BOOLEAN), (i) => {
    const j = l.temp({ kind: "binary", op: "-", left: last, right: i }, NUMBER);
    const front = l.temp({ kind: "index", object: receiver, index: i }, element);
    const back = l.temp({ kind: "index", object: receiver, index: j }, element);
    l.emit({ kind: "setIndex", object: receiver, index: i, value: back });
    l.emit({ kind: "setIndex", object: receiver, index: j, value: front });
  });
}

/** `for (let i = 0; test(i); i++) body(i)`. */
function counted(l: FunctionLowerer, base: string, test: (i: Operand) => Operand, body: (i: Operand) => void, start: Operand = num(0)): void {
  const index = l.names.fresh(base);
  l.types.set(index, NUMBER);
  const init = l.captureBlock(() => l.emit({ kind: "let", name: index, type: NUMBER, init: l.asExpr(start), mutable: true }));
  const condition = loopTest(l, () => test(ref(index)));
  const update = l.captureBlock(() => l.emit({ kind: "assign", name: index, value: { kind: "binary", op: "+", left: ref(index), right: num(1) } }));
  const loc = l.loc;
  const statements = loopBody(l, { kind: "loop", labelUsed: false }, () => body(ref(index)));
  l.loc = loc;
  l.emit({ kind: "loop", init, test: condition, update, body: statements, bodyFirst: false });
}

/**
 * `a.sort(cmp)` in place, with the permutation explicit: an insertion sort (stable, as
 * `Array.prototype.sort` is) orders the indices `0…n-1` by comparing the elements they point
 * at, then the elements are gathered from a copy in that order. Derivatives follow the gather.
 */
function sortInPlace(l: FunctionLowerer, node: Node, receiver: Operand, receiverType: Type, args: Expression[]): void {
  const [comparator] = args;
  if (!comparator || args.length > 1) throw unsupportedAt("`.sort()` without a comparator (it would compare numbers as strings)", node);
  const element = l.elementOf(receiverType, undefined);
  const length = l.temp({ kind: "length", object: receiver }, NUMBER);
  const indexArray: Type = { kind: "array", element: NUMBER };
  const order = l.temp({ kind: "newArray", length, fill: num(0), type: indexArray }, indexArray, "order");
  counted(l, "i", (i) => l.temp({ kind: "binary", op: "<", left: i, right: length }, BOOLEAN), (i) => l.emit({ kind: "setIndex", object: order, index: i, value: i }));
  counted(
    l,
    "i",
    (i) => l.temp({ kind: "binary", op: "<", left: i, right: length }, BOOLEAN),
    (i) => {
      // Move order[i] down while the element before it compares greater.
      const j = variable(l, "j", NUMBER, i);
      const target: JumpTarget = { kind: "loop", labelUsed: false };
      const test = loopTest(l, () => l.temp({ kind: "binary", op: ">", left: ref(j), right: num(0) }, BOOLEAN));
      const body = loopBody(l, target, () => {
        const previous = l.temp({ kind: "binary", op: "-", left: ref(j), right: num(1) }, NUMBER);
        const left = l.temp({ kind: "index", object: order, index: previous }, NUMBER);
        const right = l.temp({ kind: "index", object: order, index: ref(j) }, NUMBER);
        const a = l.temp({ kind: "index", object: receiver, index: left }, element);
        const b = l.temp({ kind: "index", object: receiver, index: right }, element);
        const comparison = inlineValue(l, comparator, [() => a, () => b], NUMBER);
        const inOrder = l.temp({ kind: "unary", op: "!", arg: l.temp({ kind: "binary", op: ">", left: comparison, right: num(0) }, BOOLEAN) }, BOOLEAN);
        l.emit({ kind: "if", cond: inOrder, then: [{ kind: "break", loc: l.loc }], else: [] });
        l.emit({ kind: "setIndex", object: order, index: previous, value: right });
        l.emit({ kind: "setIndex", object: order, index: ref(j), value: left });
        l.emit({ kind: "assign", name: j, value: l.asExpr(previous) });
      });
      l.emit({ kind: "loop", init: [], test, update: [], body, bodyFirst: false });
    },
    num(1),
  );
  const unsorted = l.temp({ kind: "copy", source: receiver, type: receiverType }, receiverType, "unsorted");
  counted(l, "i", (i) => l.temp({ kind: "binary", op: "<", left: i, right: length }, BOOLEAN), (i) => {
    const from = l.temp({ kind: "index", object: order, index: i }, NUMBER);
    l.emit({ kind: "setIndex", object: receiver, index: i, value: l.temp({ kind: "index", object: unsorted, index: from }, element) });
  });
}

/** `a.entries()`, `a.keys()`, `a.values()` of an array, as the iterable of a `for…of`. */
export function arrayIteration(iterable: Expression): { receiver: Expression; kind: "entries" | "keys" | "values" } | undefined {
  if (!Node.isCallExpression(iterable) || iterable.getArguments().length > 0) return undefined;
  const callee = iterable.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const kind = callee.getName();
  if (kind !== "entries" && kind !== "keys" && kind !== "values") return undefined;
  const receiver = callee.getExpression();
  const type = irTypeOf(receiver);
  return type.kind === "array" || type.kind === "tuple" ? { receiver, kind } : undefined;
}

/**
 * `a.find(cb)`: the index of the first element the callback accepts (as `.findIndex`), then that
 * element. Where the source asserts one is found (`a.find(cb)!`) or gives a fallback
 * (`a.find(cb) ?? d`, see `findOr`), the value is the element itself, and derivatives flow
 * through it; a bare
 * `a.find(cb)` is an optional value (`undefined` when nothing is found), not differentiated.
 */
function find(l: FunctionLowerer, node: Node, receiver: Operand, receiverType: Type, args: Expression[]): Operand {
  const index = search(l, node, "findIndex", receiver, args);
  const element = l.elementOf(receiverType, undefined);
  const parent = node.getParentWhile((p) => Node.isParenthesizedExpression(p)) ?? node.getParent();
  const found = l.temp({ kind: "binary", op: ">=", left: index, right: num(0) }, BOOLEAN);
  if (parent && Node.isNonNullExpression(parent)) return l.temp({ kind: "index", object: receiver, index }, element);
  const optional: Type = { kind: "optional", value: element };
  const result = l.names.fresh("t", true);
  l.types.set(result, optional);
  l.emit({ kind: "let", name: result, type: optional, init: l.asExpr({ kind: "undefined" }), mutable: true });
  l.emit({ kind: "if", cond: found, then: l.captureBlock(() => l.emit({ kind: "assign", name: result, value: { kind: "index", object: receiver, index } })), else: [] });
  return ref(result);
}

/** `a.find(cb)` as a call, when `node` is one on an array. */
export function findCall(node: Expression): CallExpression | undefined {
  while (Node.isParenthesizedExpression(node)) node = node.getExpression();
  if (!Node.isCallExpression(node)) return undefined;
  const callee = node.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== "find") return undefined;
  const type = irTypeOf(callee.getExpression());
  return type.kind === "array" || type.kind === "tuple" ? node : undefined;
}

/** `a.find(cb) ?? fallback`: the element found, else the fallback (evaluated only then). */
export function findOr(l: FunctionLowerer, call: CallExpression, fallback: () => Operand, type: Type): Operand {
  const receiverNode = (call.getExpression() as import("ts-morph").PropertyAccessExpression).getExpression();
  const receiver = l.expr(receiverNode);
  const receiverType = l.typeOfOperand(receiver);
  const index = search(l, call, "findIndex", receiver, call.getArguments() as Expression[]);
  const found = l.temp({ kind: "binary", op: ">=", left: index, right: num(0) }, BOOLEAN);
  return choose(l, found, () => l.temp({ kind: "index", object: receiver, index }, l.elementOf(receiverType, undefined)), fallback, type);
}
