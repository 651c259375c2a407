/**
 * Which container parameters a function writes into (directly, through an alias, or through a
 * callee), whatever the values written: generated functions must not change their arguments,
 * and reverse mode must restore what a callee changed.
 */
import type { Function, Operand, Program } from "../ir/ir.ts";
import { isReference } from "../ir/types.ts";
import { forEachStmt, type ActivityOracle } from "./activity.ts";

const cache = new WeakMap<Function, boolean[]>();

export function writtenParams(fn: Function, program: Program, oracle: ActivityOracle): boolean[] {
  const cached = cache.get(fn);
  if (cached) return cached;
  const result = fn.params.map(() => false);
  cache.set(fn, result);
  // Alias classes do not depend on what is active.
  const activity = oracle.analyze(fn, fn.params.map(() => false));
  const written = new Set<string>();
  const mark = (o: Operand) => o.kind === "var" && written.add(activity.aliasClass(o.name));
  forEachStmt(fn.body, (s) => {
    if (s.kind === "setIndex" || s.kind === "setField" || s.kind === "push" || s.kind === "fill" || s.kind === "drop") mark(s.object);
    const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
    const call = s.kind === "callStmt" ? s : value?.kind === "call" ? value : undefined;
    if (call) {
      const calleeWrites = writtenParams(program.functions.get(call.callee)!, program, oracle);
      call.args.forEach((a, i) => calleeWrites[i] && mark(a));
    }
  });
  fn.params.forEach((p, i) => {
    result[i] = isReference(p.type) && written.has(activity.aliasClass(p.name));
  });
  return result;
}
