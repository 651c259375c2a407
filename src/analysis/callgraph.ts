/** The call graph: who calls whom, what is reachable, which functions are recursive. */
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import type { Program } from "../ir/ir.ts";
import { forEachStmt, type ActivityOracle } from "./activity.ts";
import { writtenParams } from "./writes.ts";

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

/**
 * Recursion is differentiated in every mode, except reverse mode through a recursive function
 * that writes into its container parameters (its pullback recomputes its forward sweep from the
 * arguments): `reverseRoots` are the functions reverse mode starts from. Forward mode carries
 * tangents alongside such writes as it does through any call.
 */
export function checkCallGraph(program: Program, oracle: ActivityOracle, reverseRoots: Iterable<string>): void {
  const reached = new Set(reachable(program, reverseRoots));
  for (const name of recursiveFunctions(program)) {
    if (!reached.has(name)) continue;
    const fn = program.functions.get(name)!;
    const written = writtenParams(fn, program, oracle);
    const param = fn.params.find((_, i) => written[i]);
    if (param) throw new DiagnosticError([diagnostics.recursionWrites(fn.sourceName, param.name, param.loc ?? fn.loc)]);
  }
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
