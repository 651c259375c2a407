/**
 * Calls: what a call expression is (a local function inlined, a function with a user rule, a
 * tsad-generated derivative, a user function, `Math.*`, `Number.*`, `Array.from`, a method), and
 * their arguments: spreads into `Math.max/min/hypot` (a loop folding the arguments two at a
 * time), arguments gathered into a rest parameter, and the `Number` functions and constants.
 */
import { Node, type CallExpression, type Expression, type ParameterDeclaration } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import type { Operand } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../ir/ir.ts";
import { resolveFunction } from "../load/functions.ts";
import { MATH_FUNCTIONS } from "../rules/math.ts";
import { irTypeOf, isClassValue } from "./types.ts";
import { arrayFrom, lowerMethod } from "./array-methods.ts";
import { inlineValue, ruledCall } from "./callbacks.ts";
import { methodCall } from "./classes.ts";
import { isModuleVariable } from "./identifiers.ts";
import { arrayOf } from "./literals.ts";
import { indexLoop } from "./loops.ts";
import { fenceFunctionKind, unsupportedAt } from "./unsupported.ts";
import type { FunctionLowerer } from "./function-lowerer.ts";

export function call(l: FunctionLowerer, node: CallExpression): Operand {
  const callee = node.getExpression();
  const args = node.getArguments() as Expression[];
  if (Node.isIdentifier(callee)) {
    const name = callee.getText();
    if (name === "eval" || name === "Function") throw new DiagnosticError([diagnostics.evalCode(positionOfNode(node))]);
    const local = l.lookupFunction(name);
    if (local) {
      const operands = spreadArguments(l, local.node, args);
      return inlineValue(l, callee, operands.map((o) => () => o), irTypeOf(node));
    }
    const rule = l.rules.forCallee(callee);
    if (rule) return ruledCall(l, rule, args.map((a) => l.expr(a)));
    const derivative = l.nested?.resolve(callee, l.functionName);
    if (derivative) return l.temp({ kind: "call", callee: derivative, args: args.map((a) => l.expr(a)) }, irTypeOf(node));
    const target = resolveFunction(callee);
    if (!target) throw new DiagnosticError([diagnostics.unknownCallee(name, positionOfNode(callee))]);
    fenceFunctionKind(target.node, node);
    const operands = spreadArguments(l, target.node, args);
    const type = irTypeOf(node);
    if (type.kind === "void") {
      l.emit({ kind: "callStmt", callee: l.functionName(target), args: operands });
      return num(0);
    }
    return l.temp({ kind: "call", callee: l.functionName(target), args: operands }, type);
  }
  if (Node.isPropertyAccessExpression(callee)) {
    const receiver = callee.getExpression();
    const method = callee.getName();
    if (callee.hasQuestionDotToken() || node.hasQuestionDotToken()) throw unsupportedAt("an optional method call (`o?.m()`)", node);
    if (Node.isIdentifier(receiver) && isClassValue(receiver)) throw new DiagnosticError([diagnostics.classOrThis(positionOfNode(receiver))]);
    if (Node.isIdentifier(receiver) && !l.lookup(receiver.getText()) && !isModuleVariable(receiver)) {
      const owner = receiver.getText();
      if (owner === "Math") {
        if (!MATH_FUNCTIONS.has(method)) throw new DiagnosticError([diagnostics.unknownCallee(`Math.${method}`, positionOfNode(callee))]);
        if (args.some((a) => Node.isSpreadElement(a))) return spreadMath(l, node, method, args);
        const operands = args.map((a) => l.expr(a));
        return l.temp({ kind: "math", fn: method, args: operands }, NUMBER);
      }
      if ((owner === "Array" || owner === "Float64Array" || owner === "Float32Array") && method === "from") return arrayFrom(l, node, args);
      if (owner === "Number") return numberFunction(l, node, method, args);
      throw new DiagnosticError([diagnostics.unknownCallee(`${owner}.${method}`, positionOfNode(callee))]);
    }
    const called = methodCall(l, node, receiver, method, args);
    if (called) return called;
    const spread = args.find((a) => Node.isSpreadElement(a));
    if (spread) throw unsupportedAt("a spread argument to a method", spread);
    return lowerMethod(l, node, receiver, method, args);
  }
  throw unsupportedAt("this kind of call", node);
}

/** What `Math.max()`, `Math.min()` and `Math.hypot()` give without arguments. */
const EMPTY: Record<string, number> = { max: -Infinity, min: Infinity, hypot: 0 };

/**
 * `Math.max(a, ...xs, b)`: the arguments folded left to right, `m = Math.max(m, x)`, so the
 * derivative still goes to the first argument equal to the result.
 */
export function spreadMath(l: FunctionLowerer, node: Node, fn: string, args: Expression[]): Operand {
  const empty = EMPTY[fn];
  if (empty === undefined) throw unsupportedAt(`a spread argument to \`Math.${fn}\` (only \`Math.max\`, \`Math.min\` and \`Math.hypot\` take any number of arguments)`, node);
  if (fn === "hypot") return hypotOf(l, arrayOf(l, args, { kind: "array", element: NUMBER }));
  const accumulator = l.names.fresh(fn);
  l.types.set(accumulator, NUMBER);
  let started = false;
  const fold = (value: Operand) => {
    if (!started) {
      started = true;
      l.emit({ kind: "let", name: accumulator, type: NUMBER, init: l.asExpr(value), mutable: true });
      return;
    }
    l.emit({ kind: "assign", name: accumulator, value: { kind: "math", fn, args: [ref(accumulator), value] } });
  };
  for (const arg of args) {
    if (!Node.isSpreadElement(arg)) {
      fold(l.expr(arg));
      continue;
    }
    if (!started) {
      started = true;
      l.emit({ kind: "let", name: accumulator, type: NUMBER, init: l.asExpr(num(empty)), mutable: true });
    }
    const source = l.expr(arg.getExpression());
    indexLoop(l, source, { kind: "loop", labelUsed: false }, (read) => fold(read()), 0, false);
  }
  return ref(accumulator);
}

/**
 * `Math.hypot(...values)` computed step for step as the engine computes it (the values scaled by
 * the largest magnitude, their squares summed with Kahan's compensation), so that the value is
 * the one `Math.hypot` returns, to the last bit; derivatives follow those steps.
 */
function hypotOf(l: FunctionLowerer, values: Operand): Operand {
  const variable = (base: string, init: Operand) => {
    const name = l.names.fresh(base);
    l.types.set(name, NUMBER);
    l.emit({ kind: "let", name, type: NUMBER, init: l.asExpr(init), mutable: true });
    return name;
  };
  const magnitude = (read: () => Operand) => l.temp({ kind: "math", fn: "abs", args: [read()] }, NUMBER);
  const largest = variable("largest", num(0));
  indexLoop(l, values, { kind: "loop", labelUsed: false }, (read) => l.emit({ kind: "assign", name: largest, value: { kind: "math", fn: "max", args: [ref(largest), magnitude(read)] } }), 0, false);
  // All zeros: every term is 0, and so is the result (scaled by 1 instead of dividing 0 by 0).
  const positive = l.temp({ kind: "binary", op: ">", left: ref(largest), right: num(0) }, BOOLEAN);
  const scale = l.temp({ kind: "select", cond: positive, whenTrue: ref(largest), whenFalse: num(1) }, NUMBER);
  const sum = variable("sum", num(0));
  const compensation = variable("compensation", num(0));
  indexLoop(
    l,
    values,
    { kind: "loop", labelUsed: false },
    (read) => {
      const scaled = l.temp({ kind: "binary", op: "/", left: magnitude(read), right: scale }, NUMBER);
      const square = l.temp({ kind: "binary", op: "*", left: scaled, right: scaled }, NUMBER);
      const summand = l.temp({ kind: "binary", op: "-", left: square, right: ref(compensation) }, NUMBER);
      const preliminary = l.temp({ kind: "binary", op: "+", left: ref(sum), right: summand }, NUMBER);
      const lost = l.temp({ kind: "binary", op: "-", left: preliminary, right: ref(sum) }, NUMBER);
      l.emit({ kind: "assign", name: compensation, value: { kind: "binary", op: "-", left: lost, right: summand } });
      l.emit({ kind: "assign", name: sum, value: l.asExpr(preliminary) });
    },
    0,
    false,
  );
  const root = l.temp({ kind: "binary", op: "*", left: l.temp({ kind: "math", fn: "sqrt", args: [ref(sum)] }, NUMBER), right: ref(largest) }, NUMBER);
  const infinite = l.temp({ kind: "binary", op: "===", left: ref(largest), right: num(Infinity) }, BOOLEAN);
  return l.temp({ kind: "select", cond: infinite, whenTrue: num(Infinity), whenFalse: root }, NUMBER);
}

/**
 * The operands of a call of `fn`: one per parameter, with the arguments that fall on a rest
 * parameter gathered into an array. A spread argument must fall on the rest parameter.
 */
export function spreadArguments(l: FunctionLowerer, fn: { getParameters(): ParameterDeclaration[] }, args: Expression[]): Operand[] {
  const params = fn.getParameters();
  const restAt = params.findIndex((p) => p.isRestParameter());
  const fixed = restAt < 0 ? args : args.slice(0, restAt);
  const spread = fixed.find((a) => Node.isSpreadElement(a));
  if (spread) throw unsupportedAt(restAt < 0 ? "a spread argument to a function without a rest parameter" : "a spread argument before the rest parameter", spread);
  const operands = fixed.map((a) => l.expr(a));
  // Optional parameters the call leaves out are `undefined` (their defaults apply in the callee).
  const count = restAt < 0 ? params.length : restAt;
  while (operands.length < count) operands.push({ kind: "undefined" });
  if (restAt >= 0) operands.push(arrayOf(l, args.slice(restAt), irTypeOf(params[restAt]!)));
  return operands;
}

const NUMBER_CONSTANTS: Record<string, number> = {
  EPSILON: Number.EPSILON,
  MAX_VALUE: Number.MAX_VALUE,
  MIN_VALUE: Number.MIN_VALUE,
  MAX_SAFE_INTEGER: Number.MAX_SAFE_INTEGER,
  MIN_SAFE_INTEGER: Number.MIN_SAFE_INTEGER,
  POSITIVE_INFINITY: Infinity,
  NEGATIVE_INFINITY: -Infinity,
  NaN: NaN,
};

export function numberConstant(node: Node, name: string): Operand {
  const value = NUMBER_CONSTANTS[name];
  if (value === undefined) throw unsupportedAt(`\`Number.${name}\` as a value`, node);
  // Printed by name where a literal would be unreadable.
  return num(value, Number.isFinite(value) && !Number.isNaN(value) ? `Number.${name}` : undefined);
}

/**
 * `Number.isFinite(x)` → `x - x === 0`, `Number.isNaN(x)` → `x !== x`, `Number.isInteger(x)` →
 * `x - x === 0 && Math.trunc(x) === x`: tests with no derivative, in operations the IR has.
 */
export function numberFunction(l: FunctionLowerer, node: Node, fn: string, args: Expression[]): Operand {
  const [argNode] = args;
  if (!argNode || args.length !== 1 || Node.isSpreadElement(argNode)) throw unsupportedAt(`this call of \`Number.${fn}\``, node);
  if (irTypeOf(argNode).kind !== "number") throw unsupportedAt(`\`Number.${fn}\` of something other than a number`, argNode);
  const x = l.expr(argNode);
  const finite = () => l.temp({ kind: "binary", op: "===", left: l.temp({ kind: "binary", op: "-", left: x, right: x }, NUMBER), right: num(0) }, BOOLEAN);
  switch (fn) {
    case "isNaN":
      return l.temp({ kind: "binary", op: "!==", left: x, right: x }, BOOLEAN);
    case "isFinite":
      return finite();
    case "isInteger": {
      const isFinite = finite();
      const whole = l.temp({ kind: "binary", op: "===", left: l.temp({ kind: "math", fn: "trunc", args: [x] }, NUMBER), right: x }, BOOLEAN);
      return l.temp({ kind: "binary", op: "&&", left: isFinite, right: whole }, BOOLEAN);
    }
    default:
      throw new DiagnosticError([diagnostics.unknownCallee(`Number.${fn}`, positionOfNode(node))]);
  }
}
