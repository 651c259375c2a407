/**
 * Recompute or store: which values the backward sweep recomputes instead of reading them off a
 * tape, and where.
 *
 * A value is recomputed when it is defined once, by a cheap pure expression, from "free"
 * operands: values nothing redefines later (parameters, containers nothing writes after the
 * read, counters of the enclosing counted loops, other recomputed values). The adjoint container
 * that mirrors a recomputed container read (`let rowBar = WBar[i]`) is recomputed with it.
 *
 * Where: at the top of the backward code of the block that defines it, hoisted out of the loops
 * whose iterations leave it unchanged (`layer.W[i]` before the loop over `j`), or right after a
 * running index it reads is undone (`index--` last in the block's backward code).
 */
import type { Activity, ActivityOracle } from "../../analysis/activity.ts";
import { forEachStmt } from "../../analysis/activity.ts";
import { writtenParams } from "../../analysis/writes.ts";
import type { Loop } from "../../analysis/loops.ts";
import { exprOperands } from "../../emit/inline.ts";
import type { Expr, Function, Operand, Program, Stmt } from "../../ir/ir.ts";
import { callOf, type CountedLoops } from "./counted.ts";
import type { Definitions } from "./definitions.ts";
import { Redefinitions } from "./reaching.ts";
import { RankedSet, type Statements } from "./statements.ts";

type Let = Extract<Stmt, { kind: "let" }>;

export interface Recomputation {
  /** The definition the backward sweep repeats (a primal one, or an adjoint container's). */
  definition: Let;
  /** The block whose backward code starts with it. */
  block: Stmt[];
  /** The statement it was hoisted before (itself when not hoisted out of a loop). */
  anchor: Stmt;
  /** A loop's test or update, whose backward code (also run once after the loop) repeats it too. */
  alsoAt?: Stmt[];
  /** Placed right after this running index update is undone, instead of at a block's top. */
  afterUndo?: Stmt;
  /** Its place in forward order (an adjoint container right after its primal). */
  order: number;
}

export interface RecomputeInputs {
  fn: Function;
  activity: Activity;
  program: Program;
  oracle: ActivityOracle;
  statements: Statements;
  definitions: Definitions;
  counted: CountedLoops;
  /** Local container classes restored by the backward sweep. */
  restoreLocal: ReadonlySet<string>;
  /** The adjoint container declared beside each primal container declaration. */
  adjointDefinitions: ReadonlyMap<Stmt, Let>;
  /** The values the backward sweep reads after a redefinition destroyed them: saved, unless recomputed. */
  wanted: ReadonlySet<string>;
  inverseOf: (s: Stmt) => Stmt | undefined;
}

export function chooseRecomputed(input: RecomputeInputs): Map<string, Recomputation> {
  const { fn, activity, statements, definitions, counted, wanted } = input;
  const sites = definitions.sites;
  const writes = containerWrites(input);
  const redefinitions = new Map<string, Redefinitions>();
  const noRedefinitionAfter = (name: string, at: Stmt) => {
    let r = redefinitions.get(name);
    if (!r) redefinitions.set(name, (r = new Redefinitions(statements, definitions.overwrites.get(name) ?? [])));
    return r.noneAfter(at);
  };
  const rankedOverwrites = ranked(statements, definitions.overwrites);
  const rankedDefinitions = ranked(statements, definitions.all);

  // A container read keeps its value to the end of the forward sweep when every write into it
  // comes before the read and cannot run again after it (no loop holds both): `qDiag[k][j]`
  // read in the main loop after `qDiag` was filled.
  const unchangedAfter = (container: string, at: Stmt): boolean => {
    const read = statements.place(at);
    if (!read) return false;
    const cls = activity.aliasClass(container);
    const w = writes.get(cls);
    if (!w) return true;
    const outer = read.loops[0];
    const [loopFrom, loopTo] = outer ? statements.repeatedRange(outer) : [1, 0];
    const beforeAndOutside = (set: RankedSet) => (set.last === undefined || set.last < read.index) && !set.anyIn(loopFrom, loopTo);
    if (!input.restoreLocal.has(cls)) return beforeAndOutside(w.all);
    // A restored container is back to its state at the read when the backward sweep reaches
    // the read's block, unless the write comes later in that same block (same iteration).
    // A read in a loop's test or update is recomputed at the top of the loop's body: the whole
    // loop is then the block whose later writes would not yet be undone.
    const owner = read.owner;
    const block = owner?.kind === "loop" && (read.block === owner.test?.prelude || read.block === owner.update) ? [owner] : read.block;
    const [blockStart, blockEnd] = statements.blockRange(block);
    return beforeAndOutside(w.notInPlace) && w.inPlace.countIn(Math.max(read.index + 1, blockStart), blockEnd) === 0;
  };

  // Defined by one `let` and never assigned (loop counters are assigned by their update).
  const assigned = new Set<string>();
  forEachStmt(fn.body, (s) => s.kind === "assign" && assigned.add(s.name));
  const definitionOf = new Map<string, Let>();
  /** Where each candidate is defined, as a primal statement (for its enclosing loops). */
  const site = new Map<string, Stmt>();
  const primalOf = new Map<string, string>();
  const adjointOrder = new Map<Stmt, number>();
  forEachStmt(fn.body, (s) => {
    if (s.kind !== "let" || assigned.has(s.name) || (sites.get(s.name)?.count ?? 0) !== 1) return;
    definitionOf.set(s.name, s);
    site.set(s.name, s);
    // Its adjoint container, read out of another adjoint container the same way.
    const adjoint = input.adjointDefinitions.get(s);
    if (adjoint && (sites.get(adjoint.name)?.count ?? 0) === 1) {
      definitionOf.set(adjoint.name, adjoint);
      site.set(adjoint.name, s);
      primalOf.set(adjoint.name, s.name);
      adjointOrder.set(adjoint, statements.place(s)!.index + 0.5);
    }
  });
  const isCounterOf = (name: string, loops: Loop[]) => loops.some((loop) => counted.loops.get(loop)?.counter === name);

  /** Whether `name`'s one definition is a statement of `at`'s block that comes before `at`. */
  const definedEarlierInBlock = (name: string, at: Stmt): boolean => {
    const d = definitions.all.get(name)?.[0];
    if (!d || (d.kind !== "let" && d.kind !== "assign") || d.name !== name) return false;
    const pd = statements.place(d)!;
    const pa = statements.place(at)!;
    return pd.block === pa.block && pd.at < pa.at;
  };

  /**
   * The statement that changes `name` after `at` in the same iteration, when it is the only one,
   * it is the last statement of `at`'s block, and it is undone by its inverse (`index++`).
   */
  const undoneLast = (name: string, at: Stmt): Stmt | undefined => {
    const block = statements.place(at)!.block;
    const last = block[block.length - 1];
    if (!last || last === at || last.kind !== "assign" || last.name !== name || !input.inverseOf(last)) return undefined;
    const [from, to] = statements.blockRange(block);
    const overwrites = rankedOverwrites.get(name);
    const others = (overwrites?.countIn(from, to) ?? 0) - (definitions.overwrites.get(name)?.includes(last) ? 1 : 0);
    return others === 0 ? last : undefined;
  };

  /** The definitions whose recomputation waits for an index to be undone, by the statement reading it. */
  const deferred = new Map<Stmt, Stmt>();
  const memo = new Map<string, boolean>();
  const free = (o: Operand, at: Stmt): boolean => {
    if (o.kind !== "var") return true;
    const name = o.name;
    // Never redefined by the forward sweep: parameters, their adjoints, the prologue.
    if (!sites.has(name)) return true;
    // Nothing redefines it after this point: the backward sweep still sees the same value.
    if (!sites.get(name)!.nested && noRedefinitionAfter(name, at)) return true;
    if (isCounterOf(name, statements.place(at)?.loops ?? [])) return true;
    if (recomputable(name)) return true;
    // Saved itself, defined once earlier in the same block: at the top of the block's backward
    // code it still holds this iteration's value (its save is undone later, at its definition).
    if (wanted.has(name) && sites.get(name)?.count === 1 && definedEarlierInBlock(name, at)) return true;
    // A running index (`index++` last in the block) is undone first in the block's backward
    // code: a value read with it is recomputed right after that. Only an index that is saved
    // anyway gets its undo emitted (at its restore point).
    const undo = wanted.has(name) ? undoneLast(name, at) : undefined;
    if (undo) {
      deferred.set(at, undo);
      return true;
    }
    return false;
  };
  const recomputable = (name: string): boolean => {
    if (memo.has(name)) return memo.get(name)!;
    memo.set(name, false);
    const e = definitionOf.get(name)?.init;
    const at = site.get(name)!;
    let ok = false;
    const primal = primalOf.get(name);
    if (primal !== undefined) {
      // An adjoint container is as stable as the primal one it mirrors.
      ok = recomputable(primal) && e !== undefined && ["operand", "index", "field"].includes(e.kind) && exprOperands(e).every((o) => free(o, at));
    } else if (e && ["operand", "unary", "binary", "math", "select", "index", "field", "length"].includes(e.kind) && isCheap(e)) {
      ok = exprOperands(e).every((o) => free(o, at));
      if (ok && (e.kind === "index" || e.kind === "field" || e.kind === "length")) ok = e.object.kind === "var" && unchangedAfter(e.object.name, at);
    }
    memo.set(name, ok);
    return ok;
  };
  const chosen = new Set<string>();
  const add = (name: string) => {
    if (chosen.has(name)) return;
    chosen.add(name);
    for (const o of exprOperands(definitionOf.get(name)!.init!)) if (o.kind === "var" && memo.get(o.name) && sites.get(o.name)?.nested) add(o.name);
  };
  for (const name of wanted) if (sites.get(name)?.nested && recomputable(name)) add(name);

  const afterUndo = new Map<string, Stmt>();
  for (const name of chosen) {
    const undo = deferred.get(site.get(name)!);
    if (undo) afterUndo.set(name, undo);
  }
  // What is recomputed from a value that waits for an undo waits for it too.
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of chosen) {
      if (afterUndo.has(name)) continue;
      const waitsFor = exprOperands(definitionOf.get(name)!.init!).find((o) => o.kind === "var" && afterUndo.has(o.name));
      if (waitsFor?.kind === "var") {
        afterUndo.set(name, afterUndo.get(waitsFor.name)!);
        grew = true;
      }
    }
  }

  // Loop-invariant recomputation: a value whose operands do not change inside the loops around
  // it is recomputed once before the outermost such loop, not in every iteration.
  const result = new Map<string, Recomputation>();
  const writesInside = (name: string, loop: Loop): boolean => {
    const init = definitionOf.get(name)!.init!;
    if ((init.kind !== "index" && init.kind !== "field" && init.kind !== "length") || init.object.kind !== "var") return false;
    const [from, to] = statements.repeatedRange(loop);
    return writes.get(activity.aliasClass(init.object.name))?.all.anyIn(from, to) ?? false;
  };
  const definedIn = (name: string, loop: Loop): boolean => {
    const defs = rankedDefinitions.get(name);
    if (!defs) return false;
    const [from, to] = statements.repeatedRange(loop);
    if (defs.anyIn(from, to)) return true;
    // Directly in the loop's init (its start).
    const loopIndex = statements.place(loop)!.index;
    for (let r = defs.firstFrom(loopIndex + 1); r !== undefined && r < from; r = defs.firstFrom(r + 1)) {
      if (statements.place(statements.at(r))!.block === loop.init) return true;
    }
    return false;
  };
  const invariant = (name: string, loop: Loop): boolean =>
    !writesInside(name, loop) &&
    exprOperands(definitionOf.get(name)!.init!).every((o) => {
      if (o.kind !== "var") return true;
      const placed = result.get(o.name);
      if (placed && !placed.afterUndo) return !statements.inside(placed.anchor, loop);
      if (counted.loops.get(loop)?.counter === o.name) return false;
      return !definedIn(o.name, loop);
    });
  const orderOf = (name: string) => adjointOrder.get(definitionOf.get(name)!) ?? statements.place(definitionOf.get(name)!)!.index;
  const byPosition = [...chosen].sort((a, b) => statements.place(site.get(a)!)!.index - statements.place(site.get(b)!)!.index);
  for (const name of byPosition) {
    const definition = definitionOf.get(name)!;
    const undo = afterUndo.get(name);
    if (undo) {
      result.set(name, { definition, block: [], anchor: site.get(name)!, afterUndo: undo, order: orderOf(name) });
      continue;
    }
    let anchor = site.get(name)!;
    const place = statements.place(anchor)!;
    let block = place.block;
    // A loop's test and update are reversed inside its backward iteration: they share its
    // top. A test is also reversed once after the loop (the first test): recomputed there too.
    let alsoAt: Stmt[] | undefined;
    const owner = place.owner;
    if (owner?.kind === "loop" && (block === owner.test?.prelude || block === owner.update)) {
      alsoAt = block;
      block = owner.body;
    }
    for (;;) {
      const up = statements.place(anchor)!;
      const loop = up.owner;
      if (!loop || loop.kind !== "loop" || up.block !== loop.body || !invariant(name, loop)) break;
      anchor = loop;
      block = loop.init;
      alsoAt = undefined;
    }
    result.set(name, { definition, block, anchor, alsoAt, order: orderOf(name) });
  }
  return result;
}

interface ClassWrites {
  all: RankedSet;
  inPlace: RankedSet;
  notInPlace: RankedSet;
}

/** The statements writing into each alias class of containers (element writes, pushes, fills, calls). */
function containerWrites(input: RecomputeInputs): Map<string, ClassWrites> {
  const { fn, activity, program, oracle, statements } = input;
  const lists = new Map<string, Stmt[]>();
  const written = (o: Operand, s: Stmt) => {
    if (o.kind !== "var") return;
    const cls = activity.aliasClass(o.name);
    const list = lists.get(cls);
    if (list) list.push(s);
    else lists.set(cls, [s]);
  };
  forEachStmt(fn.body, (s) => {
    if (s.kind === "setIndex" || s.kind === "setField" || s.kind === "push" || s.kind === "fill" || s.kind === "drop") written(s.object, s);
    const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
    if (value?.kind === "pop") written(value.object, s);
    const call = callOf(s);
    if (call) {
      const writes = writtenParams(program.functions.get(call.callee)!, program, oracle);
      call.args.forEach((a, i) => writes[i] && written(a, s));
    }
  });
  const result = new Map<string, ClassWrites>();
  for (const [cls, list] of lists) {
    const inPlace = (s: Stmt) => s.kind === "setIndex" || s.kind === "setField";
    result.set(cls, { all: new RankedSet(statements, list), inPlace: new RankedSet(statements, list.filter(inPlace)), notInPlace: new RankedSet(statements, list.filter((s) => !inPlace(s))) });
  }
  return result;
}

function ranked(statements: Statements, lists: Map<string, Stmt[]>): Map<string, RankedSet> {
  const result = new Map<string, RankedSet>();
  for (const [name, list] of lists) result.set(name, new RankedSet(statements, list));
  return result;
}

/** Operations cheap enough to recompute rather than save (a tape push and pop cost about as much). */
const CHEAP_MATH = new Set(["abs", "min", "max", "sign", "floor", "ceil", "round", "trunc", "sqrt", "fround"]);
function isCheap(e: Expr): boolean {
  if (e.kind === "math") return CHEAP_MATH.has(e.fn);
  if (e.kind === "binary") return e.op !== "**";
  return true;
}
