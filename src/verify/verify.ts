/**
 * `verify()`: generates each target's derivatives in memory, runs them next to the user's own
 * function, and checks them at sample inputs (check.ts). Nothing is written to disk.
 *
 * Where the inputs come from, first found wins:
 *   1. `examples` given to the API, by function name;
 *   2. the examples module beside the source (`model.examples.ts` for `model.ts`), by function name;
 *   3. the function's `@example` tags;
 *   4. the parameter types (inputs.ts).
 * Examples given as lists are used as given first, then at nearby points (each number moved by
 * up to ±`jitter`); examples given as a function are called once per sample.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Project, SourceFile } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { isDifferentiable } from "../ir/types.ts";
import { createProject, load, localFiles, positionOfNode } from "../load/load.ts";
import { topLevelFunctions } from "../load/functions.ts";
import { differentiateTag } from "../load/tags.ts";
import { selectTargets } from "../load/targets.ts";
import { compile, EMIT_KINDS, UsageError, type CompileOptions, type EmitKind } from "../pipeline.ts";
import { UserRules } from "../rules/user-rules.ts";
import { checkPoint, CHECKS, type CheckName, type PointOutcome, type Subject, type Tolerances } from "./check.ts";
import { jitter, sampleArguments, type ParameterShape } from "./inputs.ts";
import { InMemoryModules, type LoadedModule } from "./modules.ts";
import { mapNumbers } from "./values.ts";
import { functionShape, taggedExamples, type FunctionShape } from "./parameters.ts";
import { rng } from "./random.ts";

/** Argument lists, or a function making one per sample from a seeded random source in [0, 1). */
export type Examples = readonly (readonly unknown[])[] | ((random: () => number, sample: number) => readonly unknown[]);

export interface VerifyOptions extends Pick<CompileOptions, "files" | "fn" | "wrt" | "project" | "inline" | "rules" | "tapeLimit"> {
  /** Input points per function (default 8). */
  samples?: number;
  /** Seed of the random inputs and directions (default 1): the same seed checks the same points. */
  seed?: number;
  /** Relative tolerance against finite differences (default 1e-6). */
  tolerance?: number;
  /** Sample inputs by function name (they take precedence over examples modules and tags). */
  examples?: Readonly<Record<string, Examples>>;
  /** How far nearby points move from a listed example (default 0.05; 0 checks the examples only). */
  jitter?: number;
  /**
   * A module tsad generated earlier (`model.grad.ts`) to check as it is, instead of generating
   * one; only with a single input file. The functions it lacks are not checked.
   */
  module?: string;
  /**
   * For tsad's own tests: rewrites a generated module's text before it is run (a deliberately
   * broken derivative must be caught).
   */
  transformModule?: (text: string, input: string) => string;
}

export interface CheckSummary {
  check: CheckName;
  /** The largest error over the checked points (relative; 0 or Infinity for `arguments`). */
  maxError: number;
  tolerance: number;
  /** The arguments where the error was largest. */
  worst?: readonly unknown[];
  /** Points where this check failed. */
  failures: number;
}

export interface FunctionVerification {
  name: string;
  file: string;
  line: number;
  parameters: string[];
  /** Where the inputs came from. */
  inputs: "given" | "examples module" | "@example" | "types";
  /** Points checked conclusively. */
  checked: number;
  /** Points replaced because the function was not finite or not smooth there. */
  resampled: number;
  /** Samples for which no usable point was found (each reason once). */
  unusable: number;
  unusableReasons: string[];
  checks: CheckSummary[];
  /** What went wrong, in words (first few). */
  messages: string[];
  ok: boolean;
}

export interface VerifyResult {
  functions: FunctionVerification[];
  diagnostics: Diagnostic[];
  /** No diagnostics and no mismatch. */
  ok: boolean;
}

const ATTEMPTS = 4;
const SIZES = [4, 3, 5, 6];

export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  try {
    const functions = await verifyOrThrow(options);
    return { functions, diagnostics: [], ok: functions.every((f) => f.ok) };
  } catch (error) {
    if (error instanceof DiagnosticError) return { functions: [], diagnostics: error.diagnostics, ok: false };
    throw error;
  }
}

async function verifyOrThrow(options: VerifyOptions): Promise<FunctionVerification[]> {
  const files = options.files.map((f) => {
    if (typeof f !== "string") throw new UsageError("verify reads its inputs from disk: pass file paths");
    return f;
  });
  const project: Project = options.project ?? createProject();
  for (const path of options.rules ?? []) if (!project.getSourceFile(resolve(path))) project.addSourceFileAtPath(resolve(path));
  // Type errors are compile's to report (below); only a module checked as it is skips compiling.
  const inputs = options.module ? loadWithoutChecking(files, project) : loadChecked(files, project);
  const rules = UserRules.find(project, localFiles(project));
  for (const name of options.fn ?? []) {
    if (!inputs.some((file) => topLevelFunctions(file).some((fn) => fn.name === name))) {
      throw new UsageError(`no function named \`${name}\` in ${files.join(", ")}`);
    }
  }
  const selected = selectTargets(inputs, options.fn ?? [], rules, EMIT_KINDS);
  if (selected.every((s) => s.targets.length === 0)) throw new UsageError(`no exported function to differentiate in ${files.join(", ")} (name one with --fn)`);

  if (options.module && files.length !== 1) throw new UsageError("a module to check goes with exactly one input file");
  if (options.module && !existsSync(options.module)) throw new UsageError(`cannot find ${options.module}`);
  const modules = new InMemoryModules(project);
  const results: FunctionVerification[] = [];
  for (const { file, targets } of selected) {
    if (targets.length === 0) continue;
    const input = file.getFilePath();
    const shapes = new Map(targets.map((t) => [t.source.name, functionShape(t.source)] as const));
    const generated = options.module
      ? await modules.importText(options.module, transform(readFileSync(options.module, "utf8"), input, options))
      : await generateModules(input, targets.map((t) => t.source.name), shapes, project, modules, options);
    const source = await modules.importFile(input);
    const examplesModule = await loadExamplesModule(input, project, modules);
    for (const { source: fn, tag } of targets) {
      const shape = shapes.get(fn.name)!;
      // A function returning no derivative (void, boolean): compile has reported it above.
      if (!isDifferentiable(shape.returnType)) continue;
      const wrtNames = options.wrt ?? tag?.wrt ?? differentiateTag(fn)?.wrt;
      const wrt = shape.params.map((p) => (wrtNames ? wrtNames.includes(p.name) : isDifferentiable(p.type)));
      const isScalar = shape.returnType.kind === "number";
      const subject: Subject = {
        primal: source[fn.name] as Subject["primal"],
        jvp: generated[`${fn.name}Jvp`] as Subject["jvp"],
        reverse: generated[`${fn.name}${isScalar ? "Grad" : "Vjp"}`] as Subject["reverse"],
        hvp: generated[`${fn.name}Hvp`] as Subject["hvp"],
        scalar: isScalar,
        params: shape.params,
        wrt,
      };
      if (!subject.jvp && !subject.reverse && !subject.hvp) {
        // A module checked as it is may hold some targets only (those it was generated for).
        if (!options.fn?.includes(fn.name)) continue;
        throw new UsageError(`${options.module} has no derivative of \`${fn.name}\` (${fn.name}Jvp, ${fn.name}${isScalar ? "Grad" : "Vjp"} or ${fn.name}Hvp)`);
      }
      if (typeof subject.primal !== "function") throw new UsageError(`\`${fn.name}\` is not exported from ${input}, so verify cannot call it (export it)`);
      // A module checked as it is was generated with some `--wrt`: its gradient's fields say which.
      if (options.module && !wrtNames) subject.wrt = wrtOfModule(subject, shape) ?? wrt;
      const { examples, from } = examplesFor(fn.name, options, examplesModule, () => taggedExamples(fn));
      for (const example of Array.isArray(examples) ? examples : []) {
        if (example.length !== shape.params.length) throw new DiagnosticError([diagnostics.exampleArity(fn.name, example.length, shape.params.length, positionOfNode(fn.declaration))]);
      }
      const position = positionOfNode(fn.declaration);
      results.push({ name: fn.name, file: input, line: position.line, parameters: shape.params.map((p) => p.name), inputs: from, ...runSamples(subject, shape, examples, options) });
    }
  }
  if (results.length === 0) throw new UsageError(`${options.module} holds no derivative of ${selected.flatMap((s) => s.targets.map((t) => `\`${t.source.name}\``)).join(", ")}`);
  return results;
}

function loadChecked(files: string[], project: Project): SourceFile[] {
  const loaded = load(files, project);
  if (loaded.diagnostics.length > 0) throw new DiagnosticError(loaded.diagnostics);
  return loaded.program.inputs;
}

/**
 * The inputs, with syntax errors reported but no type checking of every file: a project shared
 * by many calls (tsad's tests) would re-check every file it holds on each call.
 */
function loadWithoutChecking(files: string[], project: Project): SourceFile[] {
  const inputs = files.map((path) => project.getSourceFile(resolve(path)) ?? project.addSourceFileAtPath(resolve(path)));
  project.resolveSourceFileDependencies();
  const program = project.getProgram().compilerObject;
  if (inputs.some((file) => program.getSyntacticDiagnostics(program.getSourceFile(file.getFilePath())).length > 0)) throw new DiagnosticError(load(files, project).diagnostics);
  return inputs;
}

/** The parameters a generated gradient or VJP differentiates with respect to: the fields of its `grad`. */
function wrtOfModule(subject: Subject, shape: FunctionShape): boolean[] | undefined {
  if (!subject.reverse) return undefined;
  try {
    const args = sampleArguments(shape.params, { random: rng(1), size: SIZES[0]!, positive: false });
    const value = subject.primal(...args);
    const result = (subject.scalar ? subject.reverse(...args) : subject.reverse(...args, mapNumbers(value, () => 0))) as { grad?: object };
    const names = Object.keys(result.grad ?? {});
    return shape.params.map((p) => names.includes(p.name));
  } catch {
    return undefined;
  }
}

/** Compiles the targets of one input in memory (a number's derivatives and a vector's apart) and loads the modules. */
async function generateModules(input: string, names: string[], shapes: ReadonlyMap<string, FunctionShape>, project: Project, modules: InMemoryModules, options: VerifyOptions): Promise<LoadedModule> {
  const scalar = names.filter((name) => shapes.get(name)!.returnType.kind === "number");
  const vector = names.filter((name) => !scalar.includes(name) && isDifferentiable(shapes.get(name)!.returnType));
  const generated: LoadedModule = {};
  for (const [group, emit] of [[scalar, ["jvp", "grad", "hvp"]], [vector, ["jvp", "vjp"]]] as [string[], EmitKind[]][]) {
    if (group.length === 0) continue;
    const compiled = await compile({ files: [input], fn: group, wrt: options.wrt, emit, project, inline: options.inline, rules: options.rules, tapeLimit: options.tapeLimit });
    if (compiled.diagnostics.length > 0) throw new DiagnosticError(compiled.diagnostics);
    const module = compiled.modules[0]!;
    Object.assign(generated, await modules.importText(module.path, transform(module.text, input, options)));
  }
  return generated;
}

function transform(text: string, input: string, options: VerifyOptions): string {
  return options.transformModule ? options.transformModule(text, input) : text;
}

/** The examples module beside `input` (`model.examples.ts`), loaded, or undefined when there is none. */
async function loadExamplesModule(input: string, project: Project, modules: InMemoryModules): Promise<{ module: LoadedModule; path: string } | undefined> {
  const path = join(dirname(input), `${basename(input).replace(/\.(m|c)?tsx?$/, "")}.examples.ts`);
  if (!project.getSourceFile(path) && !existsSync(path)) return undefined;
  return { module: await modules.importFile(path), path };
}

function examplesFor(
  name: string,
  options: VerifyOptions,
  examplesModule: { module: LoadedModule; path: string } | undefined,
  tagged: () => unknown[][],
): { examples?: Examples; from: FunctionVerification["inputs"] } {
  const given = options.examples?.[name];
  if (given) return { examples: given, from: "given" };
  const exported = examplesModule?.module[name];
  if (exported !== undefined) {
    if (typeof exported === "function" || (Array.isArray(exported) && exported.every(Array.isArray))) return { examples: exported as Examples, from: "examples module" };
    throw new DiagnosticError([diagnostics.examplesExport(name, { file: examplesModule!.path, line: 1, column: 1 })]);
  }
  const fromTags = tagged();
  if (fromTags.length > 0) return { examples: fromTags, from: "@example" };
  return { from: "types" };
}

type SampleResults = Pick<FunctionVerification, "checked" | "resampled" | "unusable" | "unusableReasons" | "checks" | "messages" | "ok">;

function runSamples(subject: Subject, shape: FunctionShape, examples: Examples | undefined, options: VerifyOptions): SampleResults {
  const samples = options.samples ?? 8;
  const seed = options.seed ?? 1;
  const spread = options.jitter ?? 0.05;
  const usesFloat32 = JSON.stringify([shape.params.map((p) => p.type), shape.returnType]).includes("Float32Array");
  const base = options.tolerance ?? 1e-6;
  const tolerances: Tolerances = usesFloat32 ? { differences: Math.max(base, 1e-4), identity: 1e-5, value: 1e-6 } : { differences: base, identity: 1e-9, value: 1e-12 };
  const toleranceOf = (check: CheckName) => (check === "vjp" ? (subject.jvp ? tolerances.identity : tolerances.differences) : check === "value" ? tolerances.value : check === "arguments" ? 0 : tolerances.differences);
  const summaries = new Map<CheckName, CheckSummary>(
    CHECKS.filter((c) => (c !== "hvp" || subject.hvp) && (c !== "jvp" || subject.jvp) && (c !== "vjp" || subject.reverse)).map((check) => [check, { check, maxError: 0, tolerance: toleranceOf(check), failures: 0 }]),
  );
  const result: SampleResults = { checked: 0, resampled: 0, unusable: 0, unusableReasons: [], checks: [], messages: [], ok: true };
  const seen = new Set<string>();
  for (let sample = 0; sample < samples; sample++) {
    let positive = false;
    let outcome: PointOutcome | undefined;
    let args: readonly unknown[] = [];
    let attempt = 0;
    for (; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) result.resampled++;
      const random = rng(seed * 1_000_003 + sample * 7919 + attempt * 104_729);
      args = pointFor(sample, attempt, examples, shape.params, subject.wrt, spread, { random, size: SIZES[(sample + attempt) % SIZES.length]!, positive });
      const key = JSON.stringify(args, (_, v) => (v instanceof Float64Array || v instanceof Float32Array ? Array.from(v) : v));
      if (seen.has(key) && attempt === 0 && Array.isArray(examples)) break; // a listed example without jitter: checked already
      seen.add(key);
      outcome = checkPoint(subject, args, random, tolerances);
      if (outcome.kind === "checked") break;
      if (outcome.reason.includes("not finite") || outcome.reason.includes("throws")) positive = !positive;
    }
    if (!outcome) continue;
    if (outcome.kind === "unusable") {
      result.unusable++;
      if (!result.unusableReasons.includes(outcome.reason)) result.unusableReasons.push(outcome.reason);
      continue;
    }
    result.checked++;
    for (const [check, error] of Object.entries(outcome.errors) as [CheckName, number][]) {
      const summary = summaries.get(check);
      if (!summary) continue;
      if (error > summary.maxError || (summary.worst === undefined && error >= summary.maxError)) {
        summary.maxError = error;
        summary.worst = args;
      }
    }
    for (const check of outcome.failed) summaries.get(check)!.failures++;
    for (const message of outcome.messages) if (result.messages.length < 5 && !result.messages.includes(message)) result.messages.push(message);
  }
  result.checks = [...summaries.values()];
  result.ok = result.checks.every((c) => c.failures === 0);
  return result;
}

/** The arguments of one attempt at one sample. */
function pointFor(sample: number, attempt: number, examples: Examples | undefined, params: readonly ParameterShape[], wrt: readonly boolean[], spread: number, context: Parameters<typeof sampleArguments>[1]): readonly unknown[] {
  if (typeof examples === "function") return examples(context.random, sample);
  if (examples && examples.length > 0) {
    const example = examples[sample % examples.length]!;
    if (sample < examples.length && attempt === 0) return example;
    return example.map((value, i) => (wrt[i] && !params[i]!.integer ? jitter(params[i]!.type, value, spread, context.random) : value));
  }
  return sampleArguments(params, context);
}
