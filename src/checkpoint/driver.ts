/**
 * The code of a checkpointed loop, built as IR: the reverse-mode writer supplies one step of the
 * loop three ways (primal only, with its tape, and its adjoint) and the loop's state; this module
 * lays out the schedule around them (schedule.ts says why it is optimal).
 *
 * Forward sweep: a snapshot of the state at the loop's start, then the primal loop, no tape;
 * it leaves the counter past the last step, so the trip count is known from then on.
 *
 * Backward sweep, binomial: a stack of step ranges still to reverse, each with the snapshots it
 * may still take. A range of one step (or with none left) restores its snapshot, runs its steps
 * with their tape and reverses them. A longer one restores its snapshot, advances by the first
 * advance schedule.ts prescribes, takes a snapshot there, and leaves two ranges: the steps after
 * the snapshot (reversed first, one snapshot fewer) and the steps before it.
 *
 * Snapshots are kept in arrays indexed by a counter (writes and reads, no push or pop), so the
 * code stays in the subset forward mode differentiates again (Hessian-vector products).
 */
import type { IRBuilder } from "../ir/builder.ts";
import type { Expr, Operand, Stmt, Type } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../ir/ir.ts";
import { mapNestedBlocks } from "../ir/rename.ts";

/** A variable the loop writes that is live when it starts: what a snapshot holds. */
export interface StateVariable {
  name: string;
  type: Type;
  /**
   * The loop writes into the container (its elements) but never assigns the variable: restored
   * by copying the snapshot's elements back, so that every alias sees them. Otherwise the
   * variable is assigned a copy of the snapshot.
   */
  inPlace: boolean;
}

export interface CheckpointedLoop {
  /** The loop's counter (binomial) or a step counter the writer keeps (periodic). */
  counter: string;
  /** One step of the primal loop, no tape, at the counter's value; it does not move the counter. */
  advance: Stmt[];
  /** The same step, saving what its adjoint reads. */
  tapedStep: Stmt[];
  /** The adjoint of the step at the counter's value. */
  backwardStep: Stmt[];
  state: StateVariable[];
  /** The source line, for comments. */
  line: number;
}

/** Names shared by the forward and the backward part of one checkpointed loop. */
export interface SnapshotStore {
  /** By state variable: the array of its snapshots. */
  arrays: Map<string, string>;
  /** How many snapshots the arrays hold. */
  top: string;
}

const binary = (op: Extract<Expr, { kind: "binary" }>["op"], left: Operand, right: Operand): Expr => ({ kind: "binary", op, left, right });
const operand = (value: Operand): Expr => ({ kind: "operand", value });

/** Declares the snapshot arrays (at the function's top: the forward sweep fills them, the backward sweep reads them). */
export function declareSnapshots(b: IRBuilder, loop: CheckpointedLoop): SnapshotStore {
  const arrays = new Map<string, string>();
  for (const v of loop.state) {
    const name = b.names.fresh(`${v.name}Snapshots`);
    const type: Type = { kind: "array", element: v.type };
    b.types.set(name, type);
    b.emit({ kind: "let", name, type, init: { kind: "arrayLiteral", elements: [], type }, mutable: false });
    arrays.set(v.name, name);
  }
  const top = b.names.fresh("snapshotCount");
  b.types.set(top, NUMBER);
  b.emit({ kind: "let", name: top, type: NUMBER, init: operand(num(0)), mutable: true });
  return { arrays, top };
}

/** `arrays[top] = copy of each state variable; top++`. */
export function takeSnapshot(b: IRBuilder, loop: CheckpointedLoop, store: SnapshotStore): void {
  for (const v of loop.state) {
    const copy = v.type.kind === "number" || v.type.kind === "boolean" ? ref(v.name) : b.temp({ kind: "copy", source: ref(v.name), type: v.type, deep: true }, v.type, `${v.name}Copy`);
    b.emit({ kind: "setIndex", object: ref(store.arrays.get(v.name)!), index: ref(store.top), value: copy });
  }
  b.emit({ kind: "assign", name: store.top, value: binary("+", ref(store.top), num(1)) });
}

/** Sets each state variable back to the newest snapshot (which stays). */
export function restoreSnapshot(b: IRBuilder, loop: CheckpointedLoop, store: SnapshotStore): void {
  const last = b.temp(binary("-", ref(store.top), num(1)), NUMBER, "newest");
  for (const v of loop.state) {
    const saved = b.temp({ kind: "index", object: ref(store.arrays.get(v.name)!), index: last }, v.type, `${v.name}Saved`);
    if (v.inPlace && v.type.kind !== "number") copyInto(b, ref(v.name), saved, v.type);
    else b.emit({ kind: "assign", name: v.name, value: v.type.kind === "number" || v.type.kind === "boolean" ? operand(saved) : { kind: "copy", source: saved, type: v.type, deep: true } });
  }
}

export function dropSnapshot(b: IRBuilder, store: SnapshotStore): void {
  b.emit({ kind: "assign", name: store.top, value: binary("-", ref(store.top), num(1)) });
}

/** Copies `source`'s numbers into the container `target` of the same shape, element by element. */
function copyInto(b: IRBuilder, target: Operand, source: Operand, type: Type): void {
  if (type.kind === "array") {
    const k = b.names.fresh("k");
    b.types.set(k, NUMBER);
    const body = b.capture(() => {
      const from = b.temp({ kind: "index", object: source, index: ref(k) }, type.element, "element");
      if (type.element.kind === "array" || type.element.kind === "record" || type.element.kind === "tuple") {
        const into = b.temp({ kind: "index", object: target, index: ref(k) }, type.element, "row");
        copyInto(b, into, from, type.element);
      } else {
        b.emit({ kind: "setIndex", object: target, index: ref(k), value: from });
      }
    });
    b.emit(countingLoop(b, k, num(0), lengthOf(b, source), body));
    return;
  }
  if (type.kind === "record") {
    for (const field of type.fields) {
      const from = b.temp({ kind: "field", object: source, name: field.name }, field.type, field.name);
      if (field.type.kind === "array" || field.type.kind === "record" || field.type.kind === "tuple") copyInto(b, b.temp({ kind: "field", object: target, name: field.name }, field.type, field.name), from, field.type);
      else b.emit({ kind: "setField", object: target, name: field.name, value: from });
    }
    return;
  }
  if (type.kind === "tuple") {
    type.elements.forEach((element, i) => {
      const from = b.temp({ kind: "index", object: source, index: num(i) }, element, "element");
      if (element.kind === "array" || element.kind === "record" || element.kind === "tuple") copyInto(b, b.temp({ kind: "index", object: target, index: num(i) }, element, "row"), from, element);
      else b.emit({ kind: "setIndex", object: target, index: num(i), value: from });
    });
  }
}

function lengthOf(b: IRBuilder, array: Operand): Operand {
  return b.temp({ kind: "length", object: array }, NUMBER, "length");
}

/** `for (counter = from; counter < to; counter++) body` (the counter declared by the caller). */
function countingLoop(b: IRBuilder, counter: string, from: Operand, to: Operand, body: Stmt[], declare = true): Stmt {
  const init: Stmt[] = declare ? [{ kind: "let", name: counter, type: NUMBER, init: operand(from), mutable: true }] : [{ kind: "assign", name: counter, value: operand(from) }];
  const cond = b.names.fresh("more", true);
  b.types.set(cond, BOOLEAN);
  return {
    kind: "loop",
    init,
    test: { prelude: [{ kind: "let", name: cond, type: BOOLEAN, init: binary("<", ref(counter), to), mutable: false }], cond: ref(cond) },
    update: [{ kind: "assign", name: counter, value: binary("+", ref(counter), num(1)) }],
    body,
    bodyFirst: false,
  };
}

/** `while (counter > from) { counter--; body }`: the adjoints of steps from..counter, last first. */
function countingDown(b: IRBuilder, counter: string, from: Operand, body: Stmt[]): Stmt {
  const cond = b.names.fresh("more", true);
  b.types.set(cond, BOOLEAN);
  return {
    kind: "loop",
    init: [],
    test: { prelude: [{ kind: "let", name: cond, type: BOOLEAN, init: binary(">", ref(counter), from), mutable: false }], cond: ref(cond) },
    update: [],
    body: [{ kind: "assign", name: counter, value: binary("-", ref(counter), num(1)) }, ...body],
    bodyFirst: false,
  };
}

/**
 * Forward sweep of a checkpointed loop: a snapshot at the start, then `primal`, the loop as
 * written with its body free of tape. The counter ends where the loop's own test stops it, so
 * the trip count is known when the backward sweep starts, whether or not it was at the start.
 */
export function forwardPrimal(b: IRBuilder, loop: CheckpointedLoop, store: SnapshotStore, primal: Stmt): void {
  b.emit({ kind: "comment", text: `checkpointed loop (line ${loop.line}): no tape on the way forward, a snapshot of its state at the start` });
  takeSnapshot(b, loop, store);
  b.emit(primal);
}

/** `let name = 0` (a counter the driver and the taped steps share). */
export function declareCounter(b: IRBuilder, base: string): string {
  const name = b.names.fresh(base);
  b.types.set(name, NUMBER);
  b.emit({ kind: "let", name, type: NUMBER, init: operand(num(0)), mutable: true });
  return name;
}

/** `block` with `entries += k` after each push of k values on a tape (a taped step under a tape limit). */
export function countPushes(block: Stmt[], entries: string): Stmt[] {
  const rewrite = (stmts: Stmt[]): Stmt[] =>
    stmts.flatMap((x): Stmt[] => {
      switch (x.kind) {
        case "push":
          return [x, { kind: "assign", name: entries, value: binary("+", ref(entries), num(x.values.length)) }];
        default:
          return [mapNestedBlocks(x, rewrite)];
      }
    });
  return rewrite(block);
}

/** Enough snapshots that no step runs more than three times: (c + 3)(c + 2)/2 ≥ steps, so c = ⌈√(2·steps)⌉. */
export function defaultSnapshots(b: IRBuilder, start: Operand, end: Operand): Operand {
  b.emit({ kind: "comment", text: "snapshots: enough that no step runs more than three times" });
  const steps = b.temp(binary("-", end, start), NUMBER);
  const twice = b.temp(binary("*", num(2), steps), NUMBER);
  const root = b.temp({ kind: "math", fn: "sqrt", args: [twice] }, NUMBER);
  const up = b.temp({ kind: "math", fn: "ceil", args: [root] }, NUMBER);
  return b.temp({ kind: "math", fn: "max", args: [num(1), up] }, NUMBER, "snapshots");
}

/**
 * Backward sweep of a checkpointed loop over the steps start..end (the counter's values), with
 * `snapshots` free snapshots, by the binomial schedule.
 */
export function backwardBinomial(b: IRBuilder, loop: CheckpointedLoop, store: SnapshotStore, start: Operand, end: Operand, snapshots: Operand, budget?: { bytes: number; entries: string }): void {
  const NUMBERS: Type = { kind: "array", element: NUMBER };
  const array = (base: string) => {
    const name = b.names.fresh(base);
    b.types.set(name, NUMBERS);
    b.emit({ kind: "let", name, type: NUMBERS, init: { kind: "arrayLiteral", elements: [], type: NUMBERS }, mutable: false });
    return name;
  };
  const variable = (base: string, init: Operand) => {
    const name = b.names.fresh(base);
    b.types.set(name, NUMBER);
    b.emit({ kind: "let", name, type: NUMBER, init: operand(init), mutable: true });
    return name;
  };
  b.emit({ kind: "comment", text: `reverse the checkpointed loop (line ${loop.line}): ranges of steps still to reverse, each with the snapshots it may take` });
  const lows = array("rangeStart");
  const highs = array("rangeEnd");
  const frees = array("rangeSnapshots");
  const ranges = variable("ranges", num(0));
  const pushRange = (lo: Operand, hi: Operand, free: Operand) => {
    b.emit({ kind: "setIndex", object: ref(lows), index: ref(ranges), value: lo });
    b.emit({ kind: "setIndex", object: ref(highs), index: ref(ranges), value: hi });
    b.emit({ kind: "setIndex", object: ref(frees), index: ref(ranges), value: free });
    b.emit({ kind: "assign", name: ranges, value: binary("+", ref(ranges), num(1)) });
  };
  pushRange(start, end, snapshots);
  // Under a tape limit: the most entries one step pushed so far (none measured yet: Infinity).
  const perStep = budget ? variable("entriesPerStep", num(Infinity)) : undefined;
  const more = b.names.fresh("more", true);
  b.types.set(more, BOOLEAN);
  const body = b.capture(() => {
    b.emit({ kind: "assign", name: ranges, value: binary("-", ref(ranges), num(1)) });
    const lo = b.temp({ kind: "index", object: ref(lows), index: ref(ranges) }, NUMBER, "from");
    const hi = b.temp({ kind: "index", object: ref(highs), index: ref(ranges) }, NUMBER, "to");
    const free = b.temp({ kind: "index", object: ref(frees), index: ref(ranges) }, NUMBER, "free");
    b.emit({ kind: "comment", text: "the state at the range's first step" });
    restoreSnapshot(b, loop, store);
    const steps = b.temp(binary("-", hi, lo), NUMBER, "steps");
    const single = b.temp(binary("<=", steps, num(1)), BOOLEAN, "single");
    const none = b.temp(binary("===", free, num(0)), BOOLEAN, "none");
    let leaf = b.temp(binary("||", single, none), BOOLEAN, "leaf");
    if (budget && perStep) {
      // A range whose tape fits in the limit runs with its tape, as an unchecked loop would.
      const entries = b.temp(binary("*", steps, ref(perStep)), NUMBER);
      const bytes = b.temp(binary("*", entries, num(8)), NUMBER);
      const fits = b.temp(binary("<=", bytes, num(budget.bytes)), BOOLEAN, "fits");
      leaf = b.temp(binary("||", leaf, fits), BOOLEAN, "leaf");
    }
    const reverseRange = b.capture(() => {
      b.emit({ kind: "comment", text: "run the range's steps with their tape, then reverse them" });
      if (budget) b.emit({ kind: "assign", name: budget.entries, value: operand(num(0)) });
      b.emit(countingLoop(b, loop.counter, lo, hi, loop.tapedStep, false));
      if (budget && perStep) {
        const measured = b.temp(binary("/", ref(budget.entries), steps), NUMBER);
        const known = b.temp(binary("===", ref(perStep), num(Infinity)), BOOLEAN);
        const larger = b.temp({ kind: "math", fn: "max", args: [ref(perStep), measured] }, NUMBER);
        b.emit({ kind: "assign", name: perStep, value: { kind: "select", cond: known, whenTrue: measured, whenFalse: larger } });
      }
      b.emit(countingDown(b, loop.counter, lo, loop.backwardStep));
      dropSnapshot(b, store);
    });
    const split = b.capture(() => {
      b.emit({ kind: "comment", text: "r: the fewest runs per step that reverse `steps` steps with `free` snapshots, η(free, r) = C(free + r, free + 1) ≥ steps" });
      const r = variable("runs", num(1));
      const eta = variable("reach", num(1));
      const growing = b.names.fresh("more", true);
      b.types.set(growing, BOOLEAN);
      const grow = b.capture(() => {
        const factor = b.temp(binary("+", free, ref(r)), NUMBER);
        const next = b.temp(binary("+", factor, num(1)), NUMBER);
        const product = b.temp(binary("*", ref(eta), next), NUMBER);
        const quotient = b.temp(binary("/", product, ref(r)), NUMBER);
        b.emit({ kind: "assign", name: eta, value: { kind: "math", fn: "round", args: [quotient] } });
        b.emit({ kind: "assign", name: r, value: binary("+", ref(r), num(1)) });
      });
      b.emit({ kind: "loop", init: [], test: { prelude: [{ kind: "let", name: growing, type: BOOLEAN, init: binary("<", ref(eta), steps), mutable: false }], cond: ref(growing) }, update: [], body: grow, bodyFirst: false });
      b.emit({ kind: "comment", text: "advance m = max(1, η(free, r − 2), steps − η(free − 1, r)) steps and take a snapshot there" });
      const freePlusR = b.temp(binary("+", free, ref(r)), NUMBER);
      const freePlusOne = b.temp(binary("+", free, num(1)), NUMBER);
      const rightScaled = b.temp(binary("*", ref(eta), freePlusOne), NUMBER);
      const right = b.temp({ kind: "math", fn: "round", args: [b.temp(binary("/", rightScaled, freePlusR), NUMBER)] }, NUMBER, "after");
      const rMinusOne = b.temp(binary("-", ref(r), num(1)), NUMBER);
      const back1 = b.temp({ kind: "math", fn: "round", args: [b.temp(binary("/", b.temp(binary("*", ref(eta), rMinusOne), NUMBER), freePlusR), NUMBER)] }, NUMBER);
      const rMinusTwo = b.temp(binary("-", ref(r), num(2)), NUMBER);
      const freePlusRMinusOne = b.temp(binary("-", freePlusR, num(1)), NUMBER);
      const back2 = b.temp({ kind: "math", fn: "round", args: [b.temp(binary("/", b.temp(binary("*", back1, rMinusTwo), NUMBER), freePlusRMinusOne), NUMBER)] }, NUMBER, "before");
      const rest = b.temp(binary("-", steps, right), NUMBER);
      const advance = b.temp({ kind: "math", fn: "max", args: [num(1), back2, rest] }, NUMBER, "advance");
      const middle = b.temp(binary("+", lo, advance), NUMBER, "middle");
      b.emit(countingLoop(b, loop.counter, lo, middle, loop.advance, false));
      takeSnapshot(b, loop, store);
      const fewer = b.temp(binary("-", free, num(1)), NUMBER);
      pushRange(lo, middle, free);
      pushRange(middle, hi, fewer);
    });
    b.emit({ kind: "if", cond: leaf, then: reverseRange, else: split });
  });
  b.emit({ kind: "loop", init: [], test: { prelude: [{ kind: "let", name: more, type: BOOLEAN, init: binary(">", ref(ranges), num(0)), mutable: false }], cond: ref(more) }, update: [], body, bodyFirst: false });
}
