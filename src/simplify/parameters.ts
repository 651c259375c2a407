/**
 * Unused parameters of generated functions, so that the module passes `noUnusedParameters`.
 *
 * A function that only the generated module calls (a tangent or pullback of a kept call, a copy
 * of a source function) loses the parameters its body never reads, and every call of it loses
 * the matching arguments — operands, so nothing that was evaluated for them is lost. A call of a
 * function that does nothing (the pullback of a call whose adjoints are all zero) goes, and with
 * its last call, the function. An exported function keeps its signature, since its callers pass
 * every argument: an unused parameter is renamed `_name`, which TypeScript reads as "unused on
 * purpose".
 */
import type { Expr, Function, Stmt } from "../ir/ir.ts";
import { mapNestedBlocks } from "../ir/rename.ts";
import { exprOperands } from "../emit/inline.ts";
import { forEachStmt } from "../analysis/activity.ts";
import { freeReads, removeDeadCode } from "./dead-code.ts";

export function removeUnusedParameters(fns: Function[]): Function[] {
  // A parameter only passed on to a parameter that goes is unused in its turn.
  for (;;) {
    const next = removeOnce(fns);
    if (next === fns) return fns;
    fns = next;
  }
}

function removeOnce(fns: Function[]): Function[] {
  const passedAsValue = functionsUsedAsValues(fns);
  /** Callee → which of its parameters it keeps. */
  const kept = new Map<string, boolean[]>();
  const idle = new Set<string>();
  for (const fn of fns) {
    if (fn.exported || passedAsValue.has(fn.name)) continue;
    const read = freeReads(fn.body);
    const assigned = assignedNames(fn.body);
    const keep = fn.params.map((p) => read.has(p.name) || assigned.has(p.name));
    if (keep.some((k) => !k)) kept.set(fn.name, keep);
    if (fn.body.every((s) => s.kind === "comment") && fn.returnType.kind === "void") idle.add(fn.name);
  }
  const called = new Set<string>();
  for (const fn of fns) forEachStmt(fn.body, (s) => s.kind === "callStmt" && called.add(s.callee));
  if (kept.size === 0 && ![...idle].some((name) => called.has(name)) && fns.every((fn) => !fn.exported || unusedParams(fn).every((name) => name.startsWith("_")))) return fns;
  const filter = <T>(callee: string, args: T[]): T[] => {
    const keep = kept.get(callee);
    return keep ? args.filter((_, i) => keep[i]) : args;
  };
  const block = (stmts: Stmt[]): Stmt[] =>
    stmts.flatMap((s): Stmt[] => {
      if (s.kind === "callStmt") return idle.has(s.callee) ? [] : [{ ...s, args: filter(s.callee, s.args) }];
      if (s.kind === "let" && s.init?.kind === "call") return [{ ...s, init: callWith(s.init, filter) }];
      if (s.kind === "assign" && s.value.kind === "call") return [{ ...s, value: callWith(s.value, filter) }];
      return [mapNestedBlocks(s, block)];
    });
  return fns.map((fn) => {
    const keep = kept.get(fn.name);
    const params = keep ? fn.params.filter((_, i) => keep[i]) : fn.exported ? markedUnused(fn) : fn.params;
    // Arguments that no longer go anywhere may leave their computation dead.
    return removeDeadCode({ ...fn, params, body: block(fn.body) });
  });
}

function callWith(call: Extract<Expr, { kind: "call" }>, filter: <T>(callee: string, args: T[]) => T[]): Expr {
  return { ...call, args: filter(call.callee, call.args) };
}

function unusedParams(fn: Function): string[] {
  const read = freeReads(fn.body);
  const assigned = assignedNames(fn.body);
  return fn.params.map((p) => p.name).filter((name) => !read.has(name) && !assigned.has(name));
}

/** An exported function's unused parameters as `_name` (a fresh name: `_name2` if taken). */
function markedUnused(fn: Function): Function["params"] {
  const unused = new Set(unusedParams(fn).filter((name) => !name.startsWith("_")));
  const taken = new Set([...fn.reservedNames, ...fn.params.map((p) => p.name)]);
  return fn.params.map((p) => {
    if (!unused.has(p.name)) return p;
    let name = `_${p.name}`;
    for (let n = 2; taken.has(name); n++) name = `_${p.name}${n}`;
    taken.add(name);
    return { ...p, name };
  });
}

function assignedNames(body: Stmt[]): Set<string> {
  const names = new Set<string>();
  forEachStmt(body, (s) => s.kind === "assign" && names.add(s.name));
  return names;
}

/** Functions whose name appears as a value (not as a callee): their signature cannot change. */
function functionsUsedAsValues(fns: Function[]): Set<string> {
  const names = new Set(fns.map((fn) => fn.name));
  const used = new Set<string>();
  const visit = (e: Expr | undefined) => {
    if (!e) return;
    for (const o of exprOperands(e)) if (o.kind === "var" && names.has(o.name)) used.add(o.name);
  };
  for (const fn of fns) {
    forEachStmt(fn.body, (s) => {
      if (s.kind === "let") visit(s.init);
      else if (s.kind === "assign") visit(s.value);
      else if (s.kind === "callStmt") s.args.forEach((a) => a.kind === "var" && names.has(a.name) && used.add(a.name));
    });
  }
  return used;
}
