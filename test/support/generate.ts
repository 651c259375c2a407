/** Compiling fixtures in tests and loading the generated code as a module. */
import { mkdirSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { compile, type EmitKind } from "../../src/pipeline.ts";
import type { FixtureConfig } from "../fixture-config.ts";

export const FIXTURES = resolve(import.meta.dirname, "../../fixtures");
const SCRATCH = resolve(import.meta.dirname, "../../.tsad-tmp");

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== "errors" && existsSync(join(FIXTURES, d.name, "config.ts")))
    .map((d) => d.name)
    .sort();
}

export async function loadConfig(name: string): Promise<FixtureConfig> {
  return (await import(join(FIXTURES, name, "config.ts"))).default as FixtureConfig;
}

export async function generate(name: string, config: FixtureConfig, emit: EmitKind[]): Promise<string> {
  const result = await compile({ files: [join(FIXTURES, name, "input.ts")], fn: [config.fn], wrt: config.wrt, emit, inline: config.inline });
  if (result.diagnostics.length > 0) throw new Error(result.diagnostics.map((d) => `TSAD${d.code} ${d.message} at ${d.at?.line}:${d.at?.column}`).join("\n"));
  return result.modules[0]!.text;
}

let counter = 0;
/** Imports generated code (self-contained TypeScript) as a module. */
/**
 * Imports generated code as a module. A module that imports its source (a user's derivative
 * rule is called from there) gets `sourceDir`, where the source's relative path resolves.
 */
export async function importGenerated(name: string, text: string, sourceDir?: string): Promise<Record<string, (...args: unknown[]) => unknown>> {
  mkdirSync(SCRATCH, { recursive: true });
  const path = join(SCRATCH, `${name}-${process.pid}-${counter++}.ts`);
  writeFileSync(path, sourceDir ? text.replace(/from "\.\/([^"]+)"/g, (_, file: string) => `from ${JSON.stringify(join(sourceDir, file))}`) : text);
  return import(path);
}

/** A function's parameter names, read from its source text (fixture functions are plain). */
export function parameterNames(fn: (...args: never[]) => unknown): string[] {
  const text = fn.toString();
  const open = text.indexOf("(");
  let depth = 0;
  let close = open;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    if (text[i] === ")" && --depth === 0) {
      close = i;
      break;
    }
  }
  return text
    .slice(open + 1, close)
    .split(",")
    .map((p) => p.trim().split(/[\s:=]/)[0]!)
    .filter(Boolean);
}
