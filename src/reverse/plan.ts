/**
 * Reverse mode's plan for one function: plain data saying, for every primal statement, what the
 * generated code saves before it, restores or undoes after its adjoint, and recomputes instead
 * of saving; and for every loop, how it is reversed. The sweep writer (reverse.ts) follows it.
 *
 * The plan is the union of analyses, each its own module of src/reverse/analysis/, each a
 * function from the IR (and its activity) to data:
 *
 *   statements   where each statement is (ranks, blocks, loops around it)
 *   counted      counted loops, reversed by counting down (and where their counter ends)
 *   checkpointed loops run without a tape and reversed from snapshots (`@checkpoint`)
 *   definitions  definition sites, redefinitions, first declarations
 *   single-use   temporaries whose adjoint is declared with its one contribution
 *   restored     containers whose writes the backward sweep undoes
 *   recorded     to-be-recorded: what is saved, and where (from what the backward code reads)
 *   recompute    recompute or store: what is recomputed, and where
 *
 * It is made in two steps: `prepare` before any code is written (what the sweeps need to write
 * their draft), and `complete` once the draft says what each statement's backward code reads
 * (a statement's adjoint reads what its derivative rule reads, so the draft of the backward
 * sweep is where that is known; what is saved and recomputed depends on it).
 */
import type { Activity, ActivityOracle } from "../analysis/activity.ts";
import type { Loop } from "../analysis/loops.ts";
import type { Function, Program, Stmt } from "../ir/ir.ts";
import { findCheckpointedLoops, type Checkpointed } from "./analysis/checkpointed.ts";
import { findCountedLoops, type CountedLoop } from "./analysis/counted.ts";
import { findDefinitions, type Definitions } from "./analysis/definitions.ts";
import { chooseRecomputed, type Recomputation } from "./analysis/recompute.ts";
import { inverseOf, savePointsOf } from "./analysis/recorded.ts";
import { restoreAdvice, restoredClasses } from "./analysis/restored.ts";
import { singleUseTemporaries } from "./analysis/single-use.ts";
import { Statements } from "./analysis/statements.ts";

type Let = Extract<Stmt, { kind: "let" }>;

/** What the sweeps need before they are written. */
export interface Prepared {
  fn: Function;
  statements: Statements;
  /** Counted loops (reversed by counting their counter down); every other loop records its trip count. */
  counted: ReadonlyMap<Loop, CountedLoop>;
  countedByCounter: ReadonlyMap<string, Loop[]>;
  /** Loops run without a tape on the way forward and reversed from snapshots. */
  checkpointed: ReadonlyMap<Loop, Checkpointed>;
  definitions: Definitions;
  singleUse: ReadonlySet<string>;
  /** Alias classes of containers whose writes the backward sweep undoes. */
  restored: ReadonlySet<string>;
  /** The local classes among them (restored on the advice of a first plan). */
  restoreLocal: ReadonlySet<string>;
}

/** What the draft of the sweeps tells the plan. */
export interface Draft {
  /** By variable, the primal statements whose backward code reads it. */
  readers: ReadonlyMap<string, Stmt[]>;
  /** Every variable the backward sweep reads. */
  needed: ReadonlySet<string>;
  /** The adjoint container declared beside each primal container declaration. */
  adjointDefinitions: ReadonlyMap<Stmt, Let>;
}

export interface Plan extends Prepared {
  /** Variables saved on a tape, with the primal statements before which they are saved (and after whose adjoint they are restored). */
  saved: ReadonlyMap<string, ReadonlySet<Stmt>>;
  /** Save points whose statement is undone by its inverse (`index--` for `index++`), not by a tape. */
  undone: ReadonlyMap<Stmt, Extract<Stmt, { kind: "assign" }>>;
  /** Values recomputed in the backward sweep instead of saved. */
  recomputed: ReadonlyMap<string, Recomputation>;
  /** Variables declared in a nested block that the backward sweep reads: declared at the function's top instead. */
  hoisted: ReadonlySet<string>;
  /** Local container classes whose restoring would save more than it costs (a second plan restores them). */
  restoreAdvice: ReadonlySet<string>;
}

export function prepare(fn: Function, activity: Activity, restoreLocal: ReadonlySet<string>, adjointOf: (name: string) => string, program: Program, oracle: ActivityOracle, tapeLimit?: number): Prepared {
  const counted = findCountedLoops(fn, activity);
  return {
    checkpointed: findCheckpointedLoops(fn, activity, counted.loops, program, oracle, tapeLimit),
    fn,
    statements: new Statements(fn.body),
    counted: counted.loops,
    countedByCounter: counted.byCounter,
    definitions: findDefinitions(fn, activity, counted.loops, adjointOf),
    singleUse: singleUseTemporaries(fn, activity),
    restored: restoredClasses(fn, activity, restoreLocal),
    restoreLocal,
  };
}

export function complete(prepared: Prepared, draft: Draft, activity: Activity, program: Program, oracle: ActivityOracle): Plan {
  const { fn, statements, definitions } = prepared;
  const counted = { loops: prepared.counted as Map<Loop, CountedLoop>, byCounter: prepared.countedByCounter as Map<string, Loop[]> };
  const savePoints = savePointsOf(statements, definitions, draft.readers, counted);
  const defined = (n: string) => definitions.sites.has(n);
  const wanted = new Set([...draft.needed].filter((n) => defined(n) && savePoints(n).size > 0));
  const inverses = new Map<Stmt, Extract<Stmt, { kind: "assign" }> | undefined>();
  const inverse = (s: Stmt) => {
    if (!inverses.has(s)) inverses.set(s, inverseOf(s, fn));
    return inverses.get(s);
  };
  const recomputed = chooseRecomputed({ fn, activity, program, oracle, statements, definitions, counted, restoreLocal: prepared.restoreLocal, adjointDefinitions: draft.adjointDefinitions, wanted, inverseOf: inverse });
  const saved = new Map<string, ReadonlySet<Stmt>>();
  for (const name of wanted) if (!recomputed.has(name)) saved.set(name, savePoints(name));
  const undone = new Map<Stmt, Extract<Stmt, { kind: "assign" }>>();
  for (const points of saved.values()) {
    for (const s of points) {
      const inv = inverse(s);
      if (inv) undone.set(s, inv);
    }
  }
  const params = new Set(fn.params.map((p) => p.name));
  const hoisted = new Set([...draft.needed].filter((n) => definitions.sites.get(n)?.nested && !params.has(n) && !recomputed.has(n)));
  const advice = prepared.restoreLocal.size > 0 ? new Set<string>() : restoreAdvice(fn, activity, statements, new Set(saved.keys()), prepared.restored);
  return { ...prepared, saved, undone, recomputed, hoisted, restoreAdvice: advice };
}
