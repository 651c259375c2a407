/**
 * Reverse mode (gradients, VJPs): IR → IR, on functions whose jumps are already flags
 * (structure.ts), from the same rule table as forward mode (`x̄ᵢ += ∂ᵢ·Ω̄`).
 *
 * A generated function runs a forward sweep (the primal code, plus adjoint containers built
 * alongside the primal ones so they share their shape and aliasing) and then a backward sweep
 * (the statements in reverse, each propagating its adjoint to its operands).
 *
 * Restoring state: the backward sweep reads the values the forward sweep computed. A variable
 * the backward sweep reads that the forward sweep overwrites (assigned, or declared in a loop)
 * is pushed on a tape before each overwrite and popped back at the same point of the backward
 * sweep, so every backward statement sees the state right after its forward twin (the
 * to-be-recorded analysis: nothing else is saved). Container elements are saved only where a
 * backward computation reads the container again (a callee's pullback recomputes it, or the
 * caller's arguments must be left unchanged).
 *
 * Recomputing instead of saving: a value defined once in a loop from "free" operands
 * (parameters and containers nothing writes, counters of the enclosing counted loops, other such
 * values) is recomputed at the top of its block in the backward sweep instead of being saved
 * (`layer.W[i][j]` costs a read, not a push and a pop).
 *
 * Loops: a loop whose counter steps by one and is not assigned in its body is reversed by
 * counting the counter back down to its start (nothing stored); any other loop records its trip
 * count. An `if` is reversed on its own condition (saved like any other value when needed).
 *
 * How it is built: the analyses of src/reverse/analysis/ (each a function from the IR and its
 * activity to plain data) make a plan (plan.ts: per primal statement, what is saved, restored,
 * undone or recomputed, and per loop how it is reversed); the writer (src/reverse/writer/)
 * drafts both sweeps with placeholders, tells the plan what each statement's backward code
 * reads, and fills the placeholders in as the plan says. TSAD_DEBUG_PLAN=1 prints the plans.
 *
 * Calls: each callee gets one pullback per activity pattern, `gPullback(…args, resultBar,
 * …containerArgBars)`, which recomputes the callee's forward sweep and runs its backward sweep,
 * accumulating into the container adjoints and returning the adjoints of its number arguments.
 */
import { type Activity, type ActivityOracle } from "../analysis/activity.ts";
import type { DerivativeFunction, Function, Program } from "../ir/ir.ts";
import { capitalize } from "../ir/names.ts";
import { isDifferentiable } from "../ir/types.ts";
import { recursiveFunctions } from "../analysis/callgraph.ts";
import { ReverseFunction } from "./writer/function.ts";
import type { Job, Pullback } from "./writer/base.ts";

export type { Pullback };

export type ReverseKind = "grad" | "vjp";

export interface ReverseTarget {
  fn: string;
  wrt: boolean[];
  exportName: string;
  kind: ReverseKind;
}

export interface ReverseResult {
  functions: DerivativeFunction[];
  primalCalls: Set<string>;
}

export function differentiateReverse(program: Program, oracle: ActivityOracle, targets: ReverseTarget[], options: { tapeLimit?: number; wholePullbacks?: boolean } = {}): ReverseResult {
  const pullbacks = new Map<string, Pullback>();
  const exported: DerivativeFunction[] = [];
  const helpers: DerivativeFunction[] = [];
  const primalCalls = new Set<string>();
  const taken = new Set<string>([...program.functions.keys(), ...targets.map((t) => t.exportName)]);
  const fresh = (base: string) => {
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
    taken.add(name);
    return name;
  };
  // A second pass restores the local containers whose reads the first pass saved more often
  // than they are written (then those reads are recomputed instead).
  const build = (job: Job, activity: Activity) => {
    const first = new ReverseFunction(job, activity, program, oracle, pullbackFor, primalCalls).run();
    if (first.restoreAdvice.size === 0) return first;
    return new ReverseFunction(job, activity, program, oracle, pullbackFor, primalCalls, first.restoreAdvice).run();
  };
  // Callees are generated when first called, so a caller knows the type of what its callee
  // saves. A recursive callee's pullback is one piece (see `Pullback.whole`): known by name
  // before it is made, which is all its own recursive calls need.
  const recursive = recursiveFunctions(program);
  const pullbackFor = (fn: Function, mask: boolean[]): Pullback => {
    const key = `${fn.name}:${mask.map(Number).join("")}`;
    const known = pullbacks.get(key);
    if (known) return known;
    const all = fn.params.every((p, i) => mask[i] || !isDifferentiable(p.type));
    const suffix = all ? "" : `Wrt${fn.params.filter((_, i) => mask[i]).map((p) => capitalize(p.name)).join("")}`;
    if (recursive.has(fn.name) || options.wholePullbacks) {
      const job: Job = { fn, mask, name: fresh(`${fn.name}Pullback${suffix}`), kind: "pullback", whole: true };
      const info: Pullback = { forward: fn.name, backward: job.name, saved: { kind: "record", fields: [] }, whole: true };
      pullbacks.set(key, info);
      helpers.push(...build(job, oracle.analyze(fn, mask)).functions);
      return info;
    }
    const job: Job = { fn, mask, name: fresh(`${fn.name}Pullback${suffix}`), forwardName: fresh(`${fn.name}Forward${suffix}`), kind: "pullback", tapeLimit: options.tapeLimit };
    const made = build(job, oracle.analyze(fn, mask));
    helpers.push(...made.functions);
    const info: Pullback = { forward: job.forwardName!, backward: job.name, saved: made.saved! };
    pullbacks.set(key, info);
    return info;
  };
  for (const target of targets) {
    const job: Job = { fn: program.functions.get(target.fn)!, mask: target.wrt, name: target.exportName, kind: target.kind, tapeLimit: options.tapeLimit };
    exported.push(...build(job, oracle.analyze(job.fn, job.mask)).functions);
  }
  return { functions: [...exported, ...helpers], primalCalls };
}
