/**
 * Formatting generated modules with prettier, one top-level statement at a time, remembering
 * each statement's formatted text. Prettier formats a top-level function the same wherever it
 * stands, and the printer puts no blank lines between statements, so the module is byte-identical
 * to formatting it whole; but a rebuild after a small edit (watch mode, the bundler plugin)
 * formats only the functions that changed: on large modules prettier is most of the time.
 */
import * as prettier from "prettier";
import { ts } from "ts-morph";

// A `.ts` file path tells prettier the text is no JSX: otherwise it first runs a heuristic regular
// expression over the text that is quadratic in its number of lines (seconds on a large function).
const OPTIONS: prettier.Options = { parser: "typescript", printWidth: 100, filepath: "generated.ts" };
const MAX_CACHED = 5000;
const cache = new Map<string, string>();

export async function formatModule(header: string, statements: ts.Statement[]): Promise<string> {
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: false });
  const file = ts.factory.createSourceFile([], ts.factory.createToken(ts.SyntaxKind.EndOfFileToken), ts.NodeFlags.None);
  const chunks = await Promise.all(statements.map((s) => formatStatement(printer.printNode(ts.EmitHint.Unspecified, s, file))));
  return `${header}\n${chunks.join("")}`;
}

async function formatStatement(text: string): Promise<string> {
  const known = cache.get(text);
  if (known !== undefined) return known;
  const formatted = await prettier.format(text, OPTIONS);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(text, formatted);
  return formatted;
}
