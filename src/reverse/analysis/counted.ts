/**
 * Which loops reverse mode reverses by counting their counter back down (nothing stored), and
 * where such a loop leaves its counter.
 *
 * A loop is counted when its counter steps by one (the shape src/analysis/loops.ts
 * recognises), starts from an operand, and neither the counter nor that operand is assigned in
 * the body or the test; its test and its other init statements are pure reads. Any other loop
 * records its trip count.
 *
 * `for (j = s; j < B; j++)` without an early exit ends with j = s + max(0, ⌈B − s⌉), so the
 * backward sweep can set the counter to that value before counting back down instead of saving
 * it every time the loop starts (for loops of a few iterations inside others, those saves cost
 * more than the loop). The formula is exact when s is an integer (then B − s is exact below
 * 2⁵²); other starts keep the tape.
 */
import { forEachStmt, type Activity } from "../../analysis/activity.ts";
import { counterStart, counterStep, loopTest, mirror, type Loop } from "../../analysis/loops.ts";
import type { Expr, Function, Operand, Stmt } from "../../ir/ir.ts";
import { num } from "../../ir/ir.ts";

export interface LoopExit {
  /** The bound: an operand that keeps its value, or the length of an array whose length never changes. */
  bound: { kind: "operand"; value: Operand } | { kind: "length"; array: string };
  /** `<=` or `>=`: the bound itself is a last iteration. */
  inclusive: boolean;
  /** The bound is an integer whatever the inputs (a length, a count): the trip count needs no rounding. */
  integral: boolean;
}

export interface CountedLoop {
  counter: string;
  start: Operand;
  step: 1 | -1;
  /** Set when the counter's value after the loop can be computed (no tape needed for it). */
  exit?: LoopExit;
}

/** Every counted loop of a function, and by counter, the loops that count it. */
export interface CountedLoops {
  loops: Map<Loop, CountedLoop>;
  byCounter: Map<string, Loop[]>;
}

export function findCountedLoops(fn: Function, activity: Activity): CountedLoops {
  const fixedLength = arraysOfFixedLength(fn, activity);
  const loops = new Map<Loop, CountedLoop>();
  const byCounter = new Map<string, Loop[]>();
  forEachStmt(fn.body, (s) => {
    if (s.kind !== "loop") return;
    const counted = countedLoop(s, fn, fixedLength);
    if (!counted) return;
    loops.set(s, counted);
    byCounter.set(counted.counter, [...(byCounter.get(counted.counter) ?? []), s]);
  });
  return { loops, byCounter };
}

function countedLoop(s: Loop, fn: Function, fixedLength: (array: string) => boolean): CountedLoop | undefined {
  const shape = counterStep(s);
  if (!shape) return undefined;
  const { counter, step } = shape;
  const startValue = counterStart(s, counter);
  if (startValue?.kind !== "operand") return undefined;
  if (!s.init.slice(0, -1).every((x) => x.kind === "let" && x.init && x.init.kind !== "call")) return undefined;
  const start = startValue.value;
  let assigned = false;
  forEachStmt([...s.body, ...(s.test?.prelude ?? [])], (x) => {
    if ((x.kind === "let" || x.kind === "assign") && (x.name === counter || (start.kind === "var" && x.name === start.name))) assigned = true;
  });
  if (assigned) return undefined;
  // The test only decides when to stop: pure reads and comparisons are not reversed.
  if (s.test && !s.test.prelude.every((x) => x.kind === "let" && x.init && x.init.kind !== "call")) return undefined;
  const exit = isIntegerValued(start, fn) ? loopExit(s, counter, step, fixedLength, fn) : undefined;
  return { counter, start, step, exit };
}

/**
 * The bound of a counted loop's test, when the test is only `counter < bound` (or `<=`, `>`,
 * `>=`) on a bound defined outside the loop or on `array.length` read in the test.
 */
function loopExit(loop: Loop, counter: string, step: 1 | -1, fixedLength: (array: string) => boolean, fn: Function): LoopExit | undefined {
  const prelude = loop.test?.prelude;
  if (!prelude || prelude.length === 0 || prelude.length > 2) return undefined;
  const test = loopTest(loop);
  if (!test || test.test !== prelude[prelude.length - 1]) return undefined;
  const { op, left, right } = test;
  const counterLeft = left.kind === "var" && left.name === counter;
  const counterRight = right.kind === "var" && right.name === counter;
  if (counterLeft === counterRight) return undefined;
  const relation = counterLeft ? op : mirror(op);
  const operand = counterLeft ? right : left;
  const ascending = relation === "<" || relation === "<=";
  if ((step === 1) !== ascending) return undefined;
  const inclusive = relation === "<=" || relation === ">=";
  const read = prelude.length === 2 ? prelude[0]! : undefined;
  if (read) {
    // `const n = array.length; counter < n`: re-read the length, if it never changes.
    if (read.kind !== "let" || read.init?.kind !== "length" || read.init.object.kind !== "var" || operand.kind !== "var" || operand.name !== read.name) return undefined;
    return fixedLength(read.init.object.name) ? { bound: { kind: "length", array: read.init.object.name }, inclusive, integral: true } : undefined;
  }
  // The bound must not change while the loop runs.
  if (operand.kind === "var") {
    let changed = false;
    forEachStmt(loop.body, (s) => (s.kind === "let" || s.kind === "assign") && s.name === operand.name && (changed = true));
    if (changed) return undefined;
  }
  return { bound: { kind: "operand", value: operand }, inclusive, integral: isIntegerValued(operand, fn) };
}

/** Whether an array's length is the same all through the function (never pushed, dropped or replaced), for every array at once. */
function arraysOfFixedLength(fn: Function, activity: Activity): (array: string) => boolean {
  const changedClasses = new Set<string>();
  const assigned = new Set<string>();
  forEachStmt(fn.body, (s) => {
    if ((s.kind === "push" || s.kind === "drop") && s.object.kind === "var") changedClasses.add(activity.aliasClass(s.object.name));
    if (s.kind === "assign") assigned.add(s.name);
    const call = callOf(s);
    for (const a of call?.args ?? []) if (a.kind === "var") changedClasses.add(activity.aliasClass(a.name));
  });
  return (array) => !assigned.has(array) && !changedClasses.has(activity.aliasClass(array));
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
  const define = (name: string, value: Expr) => {
    const list = definitions.get(name);
    if (list) list.push(value);
    else definitions.set(name, [value]);
  };
  forEachStmt(fn.body, (s) => {
    if (s.kind === "let") define(s.name, s.init ?? { kind: "operand", value: num(Number.NaN) });
    if (s.kind === "assign") define(s.name, s.value);
  });
  definitionCache.set(fn, definitions);
  return definitions;
}

const definitionCache = new WeakMap<Function, Map<string, Expr[]>>();

export function callOf(s: Stmt): { callee: string; args: Operand[] } | undefined {
  if (s.kind === "callStmt") return s;
  const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
  return value?.kind === "call" ? value : undefined;
}
