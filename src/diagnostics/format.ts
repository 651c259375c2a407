/** Renders diagnostics like `tsc --pretty`: location, code, message, a code frame and a hint. */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { Diagnostic } from "./diagnostic.ts";

const CONTEXT_LINES = 2;

export function formatDiagnostic(diagnostic: Diagnostic, sources: ReadonlyMap<string, string> = new Map(), cwd = process.cwd()): string {
  const { at } = diagnostic;
  const head = `error TSAD${diagnostic.code}: ${diagnostic.message}`;
  if (!at) return `${head}\n  hint: ${diagnostic.hint}\n`;
  const where = `${relative(cwd, at.file) || at.file}:${at.line}:${at.column}`;
  const text = sources.get(at.file) ?? readIfPresent(at.file);
  const frame = text === undefined ? "" : codeFrame(text, at.line, at.column);
  return `${where} - ${head}\n${frame}  hint: ${diagnostic.hint}\n`;
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** A few lines around `line`, numbered, with a caret under `column`. */
export function codeFrame(text: string, line: number, column: number): string {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, line - CONTEXT_LINES);
  const last = Math.min(lines.length, line + CONTEXT_LINES);
  const width = String(last).length;
  let out = "\n";
  for (let n = first; n <= last; n++) {
    const marker = n === line ? ">" : " ";
    out += `${marker} ${String(n).padStart(width)} | ${lines[n - 1] ?? ""}\n`;
    if (n === line) out += `  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, column - 1))}^\n`;
  }
  return out + "\n";
}
