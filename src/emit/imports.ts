/**
 * What a generated module needs from outside: `import` declarations for the functions with user
 * derivative rules that it calls (their source is not copied: they are not differentiated), and
 * the program functions its derivative code calls by itself (a rule's partials), to be copied.
 */
import { dirname, relative, sep } from "node:path";
import { ts } from "ts-morph";
import { forEachStmt } from "../analysis/activity.ts";
import type { Expr, Function, Program } from "../ir/ir.ts";
import { extensionStyle, withExtensionStyle, type ImportConventions } from "../load/specifiers.ts";

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
export function externalImports(fns: Function[], outputPath: string, conventions: ImportConventions): ts.ImportDeclaration[] {
  const byModule = new Map<string, Set<string>>();
  forEachExpr(fns, (e) => {
    if (e.kind !== "math" || !e.external) return;
    const specifier = moduleSpecifier(e.external.from, outputPath, conventions);
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

/**
 * A package stays as it is. A local file is imported as the input imports it: by the specifier
 * the input wrote when the generated module sits beside the input, else by a path relative to the
 * generated module, with the extension the user writes (`./model.js` for model.ts by default).
 */
function moduleSpecifier(from: string, outputPath: string, conventions: ImportConventions): string {
  if (!from.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(from)) return from;
  const written = conventions.written.get(from);
  if (written !== undefined && dirname(outputPath) === conventions.dir) return written;
  const path = withExtensionStyle(relative(dirname(outputPath), from).split(sep).join("/"), written !== undefined ? extensionStyle(written) : conventions.style);
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
