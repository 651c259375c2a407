/**
 * Which containers the backward sweep puts back as they were: their writes are undone in
 * reverse (an element write pops the old element, a `fill` or a callee's writes pop a snapshot).
 *
 * Always restored: the alias classes of container parameters (the caller's arguments must be
 * left unchanged) and of call arguments (a callee's pullback recomputes from them). Local
 * containers are restored on advice: when the first plan saves more of their element reads
 * (weighted by loop depth) than they are written, restoring them lets those reads be recomputed.
 */
import { forEachStmt, type Activity } from "../../analysis/activity.ts";
import type { Expr, Function, Stmt } from "../../ir/ir.ts";
import { isReference } from "../../ir/types.ts";
import type { Statements } from "./statements.ts";

export function restoredClasses(fn: Function, activity: Activity, restoreLocal: ReadonlySet<string>): Set<string> {
  const classes = new Set(restoreLocal);
  for (const p of fn.params) if (isReference(p.type)) classes.add(activity.aliasClass(p.name));
  forEachStmt(fn.body, (s) => {
    const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
    const call = s.kind === "callStmt" ? s : value?.kind === "call" ? (value as Extract<Expr, { kind: "call" }>) : undefined;
    if (!call) return;
    for (const a of call.args) {
      const type = a.kind === "var" ? activity.types.get(a.name) : undefined;
      if (a.kind === "var" && type && isReference(type)) classes.add(activity.aliasClass(a.name));
    }
  });
  return classes;
}

/**
 * The local container classes worth restoring: those whose element reads the plan saves more
 * often than they are written. Only classes written element by element (no push, fill or call)
 * qualify, since only those writes are undone in place.
 */
export function restoreAdvice(fn: Function, activity: Activity, statements: Statements, taped: ReadonlySet<string>, restored: ReadonlySet<string>): Set<string> {
  const weight = (s: Stmt) => 4 ** (statements.place(s)?.loops.length ?? 0);
  const savedReads = new Map<string, number>();
  const writes = new Map<string, { cost: number; inPlace: boolean }>();
  forEachStmt(fn.body, (s) => {
    if (s.kind === "let" && taped.has(s.name) && (s.init?.kind === "index" || s.init?.kind === "field") && s.init.object.kind === "var") {
      const cls = activity.aliasClass(s.init.object.name);
      if (!restored.has(cls)) savedReads.set(cls, (savedReads.get(cls) ?? 0) + weight(s));
    }
    const target = s.kind === "setIndex" || s.kind === "setField" || s.kind === "push" || s.kind === "fill" || s.kind === "drop" ? s.object : undefined;
    if (target?.kind !== "var") return;
    const cls = activity.aliasClass(target.name);
    const known = writes.get(cls) ?? { cost: 0, inPlace: true };
    writes.set(cls, { cost: known.cost + weight(s), inPlace: known.inPlace && (s.kind === "setIndex" || s.kind === "setField") });
  });
  const parameterClasses = new Set(fn.params.map((p) => activity.aliasClass(p.name)));
  const advice = new Set<string>();
  for (const [cls, reads] of savedReads) {
    const w = writes.get(cls);
    if (w && w.inPlace && w.cost < reads && !parameterClasses.has(cls)) advice.add(cls);
  }
  return advice;
}
