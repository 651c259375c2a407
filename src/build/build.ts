/**
 * `tsad build`: compiles every target of the configuration and writes the modules that changed;
 * `tsad build --check` compares instead of writing (for CI): a missing or stale module fails.
 *
 * Targets: in the files the config's `inputs` patterns match, the functions tagged
 * `@differentiate`. A file named literally (no wildcard) with no tag contributes all its
 * exported functions, as on the command line. Generated modules (`*.grad.ts`), declaration files
 * and node_modules are never inputs.
 *
 * All inputs share one ts-morph project (watch mode keeps it between rebuilds). Any diagnostic
 * stops the whole build: nothing is written, existing outputs stay as they were.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { ts, type Project } from "ts-morph";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { createProject } from "../load/load.ts";
import { hasDifferentiateTag } from "../load/targets.ts";
import { compile, type GeneratedModule } from "../pipeline.ts";
import type { TsadConfig } from "./config.ts";

const EXTENSIONS = [".ts", ".mts", ".cts"];
const ALWAYS_EXCLUDED = ["**/node_modules/**", "**/*.grad.ts", "**/*.d.ts"];

export interface BuildResult {
  /** What the build generates, at the paths it belongs (compared or written by the caller). */
  modules: GeneratedModule[];
  diagnostics: Diagnostic[];
  /** The input files that had something to differentiate. */
  inputs: string[];
}

/** The files the config's patterns match (absolute paths, sorted). */
export function matchInputs(config: TsadConfig): string[] {
  const excluded = [...config.exclude, ...ALWAYS_EXCLUDED, ...(config.out ? [relative(config.root, config.out) || "."] : [])];
  return ts.sys.readDirectory(config.root, EXTENSIONS, excluded, config.inputs).map((p) => resolve(p)).sort();
}

/** Patterns that name one file (no wildcard): such a file is compiled even without tags. */
function literalInputs(config: TsadConfig): Set<string> {
  return new Set(config.inputs.filter((p) => !/[*?[\]{}]/.test(p)).map((p) => resolve(config.root, p)));
}

/**
 * Where the module for `input` belongs: beside it, or under `out`, mirroring the folders below
 * the fixed part of the input patterns (`src/**\/*.ts`: `src/a/m.ts` → `out/a/m.grad.ts`).
 */
export function outputPathFor(input: string, config: TsadConfig): string {
  const name = `${basename(input).replace(/\.(m|c)?tsx?$/, "")}.grad.ts`;
  if (!config.out) return join(dirname(input), name);
  const below = relative(inputBase(config), dirname(input));
  return join(config.out, below.startsWith("..") ? "" : below, name);
}

/** The longest folder that every input pattern starts with (before any wildcard). */
function inputBase(config: TsadConfig): string {
  const fixed = config.inputs.map((pattern) => {
    const parts = pattern.split(/[\\/]/);
    const first = parts.findIndex((p) => /[*?[\]{}]/.test(p));
    // A literal pattern names a file (or a folder of inputs): its folder is the base.
    const kept = first === -1 ? (/\.(m|c)?tsx?$/.test(pattern) ? parts.slice(0, -1) : parts) : parts.slice(0, first);
    return resolve(config.root, ...kept);
  });
  return fixed.reduce((common, path) => {
    while (relative(common, path).startsWith("..")) common = dirname(common);
    return common;
  });
}

/** Compiles every target. `project` is reused when given (watch mode); files are read from disk. */
export async function generateAll(config: TsadConfig, project: Project = createProject(), only?: ReadonlySet<string>): Promise<BuildResult> {
  const literal = literalInputs(config);
  const inputs: string[] = [];
  for (const path of matchInputs(config)) {
    if (only && !only.has(path)) continue;
    const file = project.getSourceFile(path) ?? project.addSourceFileAtPath(path);
    if (literal.has(path) || hasDifferentiateTag(file)) inputs.push(path);
  }
  const modules: GeneratedModule[] = [];
  const found = new Map<string, Diagnostic>();
  // One compilation per input, so that each module's imports are relative to where it is written.
  for (const input of inputs) {
    const out = dirname(outputPathFor(input, config));
    const result = await compile({ files: [input], out, defaultEmit: config.emit, rules: config.rules, format: config.format, tapeLimit: config.tapeLimit, project, command: "tsad build" });
    for (const d of result.diagnostics) found.set(`${d.code}:${d.at?.file}:${d.at?.line}:${d.at?.column}:${d.message}`, d);
    modules.push(...result.modules);
  }
  const diagnostics = [...found.values()];
  return { modules: diagnostics.length > 0 ? [] : modules, diagnostics, inputs };
}

export type Freshness = "fresh" | "stale" | "missing";

export function freshness(module: GeneratedModule): Freshness {
  if (!existsSync(module.path)) return "missing";
  return readFileSync(module.path, "utf8") === module.text ? "fresh" : "stale";
}
