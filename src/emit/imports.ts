/**
 * What a generated module needs from outside: `import` declarations for the functions with user
 * derivative rules that it calls (their source is not copied: they are not differentiated), and
 * the program functions its derivative code calls by itself (a rule's partials), to be copied.
 */
import { dirname, relative, sep } from "node:path";
import { ts } from "ts-morph";
import { forEachStmt } from "../analysis/activity.ts";
import type { Expr, Function, Program } from "../ir/ir.ts";

const f = ts.factory;

function forEachExpr(fns: Function[], visit: (e: Expr) => void): void {
  for (const fn of fns) {
    forEachStmt(fn.body, (s) => {
      const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
      if (value) visit(value);
    });
  }
}

/** One `import { a, b } from "…"` per module, sorted, for the external functions `fns` call. */
export function externalImports(fns: Function[], outputPath: string): ts.ImportDeclaration[] {
  const byModule = new Map<string, Set<string>>();
  forEachExpr(fns, (e) => {
    if (e.kind !== "math" || !e.external) return;
    const specifier = moduleSpecifier(e.external.from, outputPath);
    byModule.set(specifier, (byModule.get(specifier) ?? new Set()).add(e.fn));
  });
  return [...byModule]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([specifier, names]) =>
      f.createImportDeclaration(
        undefined,
        f.createImportClause(false, undefined, f.createNamedImports([...names].sort().map((name) => f.createImportSpecifier(false, undefined, f.createIdentifier(name))))),
        f.createStringLiteral(specifier),
      ),
    );
}

/** A package stays as it is; a local file becomes a path relative to the generated module (`./model.ts`). */
function moduleSpecifier(from: string, outputPath: string): string {
  if (!from.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(from)) return from;
  const path = relative(dirname(outputPath), from).split(sep).join("/");
  return path.startsWith(".") ? path : `./${path}`;
}

/** The functions of `program` that `fns` call. */
export function calledFunctions(fns: Function[], program: Program): string[] {
  const found = new Set<string>();
  const visit = (callee: string) => {
    if (program.functions.has(callee)) found.add(callee);
  };
  for (const fn of fns) forEachStmt(fn.body, (s) => s.kind === "callStmt" && visit(s.callee));
  forEachExpr(fns, (e) => e.kind === "call" && visit(e.callee));
  return [...found];
}
