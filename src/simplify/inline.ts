/**
 * Inlining small callees before differentiation. A call costs reverse mode more than the
 * callee's arithmetic: the callee is split into a forward half that returns its value and a
 * record of what it saved, and a pullback, so every call allocates a record and pushes it on a
 * tape. A sigmoid called in an LSTM's inner loop costs several times its own work that way.
 * Inlined, its values are saved like any other (or recomputed), and the rest of the pipeline
 * never knows there was a call.
 *
 * A callee is inlined when it ends in its only `return` and has at most `LIMIT` statements
 * (loops included: a log-sum-exp called once per data point is worth inlining too). Its
 * parameters become variables initialised with the arguments (containers stay shared, as in a
 * call), and its locals and labels get fresh names in the caller.
 */
import { forEachStmt } from "../analysis/activity.ts";
import { recursiveFunctions } from "../analysis/callgraph.ts";
import type { Function, Operand, Program, Stmt } from "../ir/ir.ts";
import { NameManager } from "../ir/names.ts";
import { mapNestedBlocks, renameOperand, renameStmts } from "../ir/rename.ts";

const LIMIT = 60;

export function inlineSmallCallees(program: Program): Program {
  const done = new Map<string, Function>();
  // A recursive function is never inlined: there would be no end to it.
  const recursive = recursiveFunctions(program);
  const visit = (name: string): Function => {
    const existing = done.get(name);
    if (existing) return existing;
    const fn = program.functions.get(name)!;
    const result = inlineInto(fn, (callee) => {
      if (recursive.has(callee)) return undefined;
      const inlined = visit(callee);
      return isInlinable(inlined) ? inlined : undefined;
    });
    done.set(name, result);
    return result;
  };
  return { functions: new Map([...program.functions.keys()].map((name) => [name, visit(name)])) };
}

function isInlinable(fn: Function): boolean {
  const last = fn.body[fn.body.length - 1];
  if (last?.kind !== "return") return false;
  let returns = 0;
  let size = 0;
  forEachStmt(fn.body, (s) => {
    size++;
    if (s.kind === "return") returns++;
  });
  return returns === 1 && size <= LIMIT;
}

/**
 * `h = layer(W, h)` in a loop: the result becomes the next call's argument. Kept a call, the
 * callee's own analysis knows its argument is only read; inlined, the caller's coarser alias
 * classes merge every layer's array, and reads of the argument get saved instead of recomputed.
 */
function feedsBack(result: string, args: Operand[], rest: Stmt[]): boolean {
  const argNames = new Set(args.filter((a) => a.kind === "var").map((a) => (a as { name: string }).name));
  if (argNames.has(result)) return true;
  let names = new Set([result]);
  for (const s of rest) {
    if ((s.kind === "assign" || s.kind === "let") && (s.kind === "let" ? s.init : s.value)?.kind === "operand") {
      const source = (s.kind === "let" ? s.init : s.value) as Extract<Stmt, { kind: "assign" }>["value"] & { kind: "operand" };
      if (source.value.kind === "var" && names.has(source.value.name)) {
        if (argNames.has(s.name)) return true;
        names = new Set([...names, s.name]);
      }
    }
  }
  return false;
}

function inlineInto(fn: Function, inlinable: (callee: string) => Function | undefined): Function {
  const names = new NameManager(fn.reservedNames);
  for (const t of fn.temporaries) names.temporaries.add(t);
  let changed = false;

  /** The callee's statements with fresh names, and the operand its `return` gives. */
  const expand = (callee: Function, args: Operand[], at: Stmt): { stmts: Stmt[]; result?: Operand } => {
    changed = true;
    const variables = new Map<string, string>();
    const labels = new Map<string, string>();
    const reassigned = new Set<string>();
    forEachStmt(callee.body, (s) => {
      if (s.kind === "let" && !variables.has(s.name)) variables.set(s.name, freshFor(s.name, callee));
      if (s.kind === "assign") reassigned.add(s.name);
      if ((s.kind === "loop" || s.kind === "block") && s.label && !labels.has(s.label)) labels.set(s.label, names.fresh(s.label));
    });
    for (const p of callee.params) variables.set(p.name, freshFor(p.name, callee));
    const renaming = { variables, labels };
    const bind: Stmt[] = callee.params.map((p, i) => ({ kind: "let", name: variables.get(p.name)!, type: p.type, init: { kind: "operand", value: args[i]! }, mutable: reassigned.has(p.name), loc: at.loc }));
    const body = renameStmts(callee.body.slice(0, -1), renaming);
    const last = callee.body[callee.body.length - 1] as Extract<Stmt, { kind: "return" }>;
    return { stmts: [...bind, ...body], result: last.value && renameOperand(last.value, renaming) };
  };
  const freshFor = (name: string, callee: Function) => names.fresh(callee.temporaries.has(name) ? "t" : name, callee.temporaries.has(name));

  const block = (stmts: Stmt[]): Stmt[] => stmts.flatMap((s, k) => stmt(s, stmts.slice(k + 1)));
  const stmt = (s: Stmt, rest: Stmt[] = []): Stmt[] => {
    switch (s.kind) {
      case "let":
      case "assign": {
        const value = s.kind === "let" ? s.init : s.value;
        const callee = value?.kind === "call" ? inlinable(value.callee) : undefined;
        if (!callee || value?.kind !== "call" || feedsBack(s.name, value.args, rest)) return [s];
        const { stmts, result } = expand(callee, value.args, s);
        const init = { kind: "operand" as const, value: result! };
        return [...stmts, s.kind === "let" ? { ...s, init } : { ...s, value: init }];
      }
      case "callStmt": {
        const callee = inlinable(s.callee);
        return callee ? expand(callee, s.args, s).stmts : [s];
      }
      default:
        return [mapNestedBlocks(s, block)];
    }
  };
  const body = block(fn.body);
  if (!changed) return fn;
  return { ...fn, body, reservedNames: names.all(), temporaries: new Set(names.temporaries) };
}
