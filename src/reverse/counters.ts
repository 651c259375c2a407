/**
 * Where a counted loop leaves its counter. `for (j = s; j < B; j++)` without an early exit ends
 * with j = s + max(0, ⌈B − s⌉), so reverse mode can set the counter to that value before
 * counting back down, instead of saving it on a tape every time the loop starts (for loops of a
 * few iterations inside others, those saves cost more than the loop). The formula is exact when
 * s is an integer (then B − s is exact below 2⁵²); other starts keep the tape.
 */
import { forEachStmt } from "../analysis/activity.ts";
import type { IRBuilder } from "../ir/builder.ts";
import type { Expr, Function, Operand, Stmt } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num } from "../ir/ir.ts";

export interface LoopExit {
  /** The bound: an operand that keeps its value, or the length of an array whose length never changes. */
  bound: { kind: "operand"; value: Operand } | { kind: "length"; array: string };
  /** `<=` or `>=`: the bound itself is a last iteration. */
  inclusive: boolean;
}

/**
 * The bound of a counted loop's test, when the test is only `counter < bound` (or `<=`, `>`,
 * `>=`) on a bound defined outside the loop or on `array.length` read in the test.
 * `fixedLength(array)` says whether nothing ever changes that array's length.
 */
export function loopExit(loop: Extract<Stmt, { kind: "loop" }>, counter: string, step: 1 | -1, fixedLength: (array: string) => boolean): LoopExit | undefined {
  const prelude = loop.test?.prelude;
  if (!prelude || prelude.length === 0 || prelude.length > 2) return undefined;
  const test = prelude[prelude.length - 1]!;
  if (test.kind !== "let" || test.init?.kind !== "binary" || loop.test!.cond.kind !== "var" || loop.test!.cond.name !== test.name) return undefined;
  const { op, left, right } = test.init;
  const counterLeft = left.kind === "var" && left.name === counter;
  const counterRight = right.kind === "var" && right.name === counter;
  if (counterLeft === counterRight) return undefined;
  const relation = counterLeft ? op : ({ "<": ">", "<=": ">=", ">": "<", ">=": "<=" } as Record<string, string>)[op];
  const operand = counterLeft ? right : left;
  const ascending = relation === "<" || relation === "<=";
  const descending = relation === ">" || relation === ">=";
  if ((step === 1 && !ascending) || (step === -1 && !descending)) return undefined;
  const inclusive = relation === "<=" || relation === ">=";
  const read = prelude.length === 2 ? prelude[0]! : undefined;
  if (read) {
    // `const n = array.length; counter < n`: re-read the length, if it never changes.
    if (read.kind !== "let" || read.init?.kind !== "length" || read.init.object.kind !== "var" || operand.kind !== "var" || operand.name !== read.name) return undefined;
    return fixedLength(read.init.object.name) ? { bound: { kind: "length", array: read.init.object.name }, inclusive } : undefined;
  }
  // The bound must not change while the loop runs.
  if (operand.kind === "var") {
    let changed = false;
    forEachStmt(loop.body, (s) => (s.kind === "let" || s.kind === "assign") && s.name === operand.name && (changed = true));
    if (changed) return undefined;
  }
  return { bound: { kind: "operand", value: operand }, inclusive };
}

/** The operand the backward sweep reads to compute the exit value (noted as a read, so it is kept). */
export function exitReads(exit: LoopExit): Operand {
  return exit.bound.kind === "operand" ? exit.bound.value : { kind: "var", name: exit.bound.array };
}

/** Whether a value is an integer whatever the inputs: literals, lengths, counters and sums of them. */
export function isIntegerValued(operand: Operand, fn: Function): boolean {
  const definitions = definitionsOf(fn);
  const visiting = new Set<string>();
  const integer = (o: Operand): boolean => {
    if (o.kind === "number") return Number.isInteger(o.value);
    if (o.kind !== "var") return false;
    // A parameter can be any number, whatever is later added to it.
    if (fn.params.some((p) => p.name === o.name)) return false;
    const defs = definitions.get(o.name);
    if (!defs) return false;
    if (visiting.has(o.name)) return true; // `i = i + 1` keeps an integer an integer
    visiting.add(o.name);
    const result = defs.every(integerExpr);
    visiting.delete(o.name);
    return result;
  };
  const integerExpr = (e: Expr): boolean => {
    switch (e.kind) {
      case "operand":
        return integer(e.value);
      case "length":
        return true;
      case "binary":
        return (e.op === "+" || e.op === "-" || e.op === "*") && integer(e.left) && integer(e.right);
      case "unary":
        return e.op === "-" && integer(e.arg);
      case "math":
        return ["floor", "ceil", "round", "trunc"].includes(e.fn);
      default:
        return false;
    }
  };
  return integer(operand);
}

/** Every value each variable of `fn` is given (a declaration without one counts as NaN), computed once per function. */
function definitionsOf(fn: Function): Map<string, Expr[]> {
  const known = definitionCache.get(fn);
  if (known) return known;
  const definitions = new Map<string, Expr[]>();
  const define = (name: string, value: Expr) => definitions.set(name, [...(definitions.get(name) ?? []), value]);
  forEachStmt(fn.body, (s) => {
    if (s.kind === "let") define(s.name, s.init ?? { kind: "operand", value: num(Number.NaN) });
    if (s.kind === "assign") define(s.name, s.value);
  });
  definitionCache.set(fn, definitions);
  return definitions;
}

const definitionCache = new WeakMap<Function, Map<string, Expr[]>>();

/** Emits `counter = <its value after the loop>`, for a loop that starts at `start`. */
export function setCounterToExit(b: IRBuilder, counter: string, start: Operand, step: 1 | -1, exit: LoopExit): void {
  // Ascending: the number of iterations is max(0, ⌈B − s⌉) for `<`, max(0, ⌊B − s⌋ + 1) for `<=`.
  const bound = exit.bound.kind === "operand" ? exit.bound.value : b.temp({ kind: "length", object: { kind: "var", name: exit.bound.array } }, NUMBER);
  const fromZero = start.kind === "number" && start.value === 0;
  // Counting up from 0, the distance is the bound itself.
  const distance = fromZero && step === 1 ? bound : b.temp({ kind: "binary", op: "-", left: step === 1 ? bound : start, right: step === 1 ? start : bound }, NUMBER);
  // A length minus an integer start is an integer already.
  const whole = exit.bound.kind === "length";
  let trips = whole ? distance : b.temp({ kind: "math", fn: exit.inclusive ? "floor" : "ceil", args: [distance] }, NUMBER);
  if (exit.inclusive) trips = b.temp({ kind: "binary", op: "+", left: trips, right: num(1) }, NUMBER);
  // `trips > 0 ? trips : 0`, so that a NaN bound (no iteration) leaves the counter at its start.
  const positive = b.temp({ kind: "binary", op: ">", left: trips, right: num(0) }, BOOLEAN);
  const count = b.temp({ kind: "select", cond: positive, whenTrue: trips, whenFalse: num(0) }, NUMBER);
  b.emit({ kind: "assign", name: counter, value: fromZero && step === 1 ? { kind: "operand", value: count } : { kind: "binary", op: step === 1 ? "+" : "-", left: start, right: count } });
}
