/**
 * Which container parameters a function writes into (directly, through an alias, or through a
 * callee), whatever the values written: generated functions must not change their arguments,
 * and reverse mode must restore what a callee changed.
 */
import type { Function, Operand, Program } from "../ir/ir.ts";
import { isReference } from "../ir/types.ts";
import { forEachStmt, type ActivityOracle } from "./activity.ts";

const cache = new WeakMap<Function, boolean[]>();

/**
 * A recursive function's writes are a least fixpoint: every function reached is computed again,
 * from what the previous round found, until nothing changes (writes only ever get added).
 */
export function writtenParams(fn: Function, program: Program, oracle: ActivityOracle): boolean[] {
  const cached = cache.get(fn);
  if (cached) return cached;
  let found = new Map<Function, boolean[]>();
  for (;;) {
    const round = new Map<Function, boolean[]>();
    const visiting = new Set<Function>();
    const compute = (f: Function): boolean[] => {
      const known = cache.get(f) ?? round.get(f);
      if (known) return known;
      if (visiting.has(f)) return found.get(f) ?? f.params.map(() => false);
      visiting.add(f);
      const result = directWrites(f, oracle, (callee) => compute(program.functions.get(callee)!));
      visiting.delete(f);
      round.set(f, result);
      return result;
    };
    compute(fn);
    const stable = [...round].every(([f, r]) => found.get(f)?.every((w, i) => w === r[i]));
    found = round;
    if (stable) break;
  }
  for (const [f, r] of found) cache.set(f, r);
  return cache.get(fn)!;
}

function directWrites(fn: Function, oracle: ActivityOracle, calleeWrites: (callee: string) => boolean[]): boolean[] {
  // Alias classes do not depend on what is active.
  const activity = oracle.analyze(fn, fn.params.map(() => false));
  const written = new Set<string>();
  const mark = (o: Operand) => o.kind === "var" && written.add(activity.aliasClass(o.name));
  forEachStmt(fn.body, (s) => {
    if (s.kind === "setIndex" || s.kind === "setField" || s.kind === "push" || s.kind === "fill" || s.kind === "drop") mark(s.object);
    const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
    const call = s.kind === "callStmt" ? s : value?.kind === "call" ? value : undefined;
    if (call) {
      const writes = calleeWrites(call.callee);
      call.args.forEach((a, i) => writes[i] && mark(a));
    }
  });
  return fn.params.map((p) => isReference(p.type) && written.has(activity.aliasClass(p.name)));
}
