/** The call graph: who calls whom, what is reachable, which functions are recursive. */
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import type { Program } from "../ir/ir.ts";
import { forEachStmt } from "./activity.ts";

export function callees(program: Program, name: string): string[] {
  const found: string[] = [];
  forEachStmt(program.functions.get(name)!.body, (s) => {
    const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
    if (value?.kind === "call") found.push(value.callee);
    if (s.kind === "callStmt") found.push(s.callee);
  });
  return found;
}

/** The functions `roots` call, directly or not, roots first, in the order first reached (names outside the program are skipped). */
export function reachable(program: Program, roots: Iterable<string>): string[] {
  const reached: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !program.functions.has(name)) return;
    seen.add(name);
    reached.push(name);
    callees(program, name).forEach(visit);
  };
  for (const root of roots) visit(root);
  return reached;
}

export function checkCallGraph(program: Program): void {
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string): void => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const fn = program.functions.get(name)!;
      throw new DiagnosticError([diagnostics.recursion(fn.sourceName, fn.loc)]);
    }
    state.set(name, "visiting");
    for (const callee of callees(program, name)) visit(callee);
    state.set(name, "done");
  };
  for (const name of program.functions.keys()) visit(name);
}

/** The functions that can call themselves, directly or through others (members of a cycle). */
export function recursiveFunctions(program: Program): Set<string> {
  const recursive = new Set<string>();
  for (const name of program.functions.keys()) {
    // `name` is recursive when it is reachable from one of its callees.
    if (callees(program, name).some((c) => reachable(program, [c]).includes(name))) recursive.add(name);
  }
  return recursive;
}
