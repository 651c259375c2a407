/**
 * The order of passes, in one place:
 *
 *   load (ts-morph) → select functions → lower to IR (the fence: every unsupported construct is
 *   reported here, before any differentiation) → check the call graph → activity analysis →
 *   forward mode | (jumps to flags → one declaration per name → reverse mode) → remove dead derivative code → comment source lines → emit TypeScript →
 *   prettier
 *
 * Writing to disk is the caller's business (src/write/write.ts): compiling never touches files.
 * Set TSAD_DEBUG_IR=1 to print the IR after lowering and after differentiation.
 */
import { basename, dirname, join, resolve } from "node:path";
import type { Project } from "ts-morph";
import { ActivityOracle } from "./analysis/activity.ts";
import { diagnostics } from "./diagnostics/catalog.ts";
import { DiagnosticError, type Diagnostic } from "./diagnostics/diagnostic.ts";
import { emitFunction } from "./emit/emit.ts";
import { differentiateForward, type ForwardTarget, type TangentNames } from "./forward/forward.ts";
import { vectorize } from "./forward/vector.ts";
import type { DerivativeFunction, Function, Program } from "./ir/ir.ts";
import { capitalize } from "./ir/names.ts";
import { hessianWrapper, jacobianMode, jacobianWrapper, type Callee, type JacobianMode } from "./higher/dense.ts";
import { printProgram } from "./ir/print.ts";
import { isDifferentiable } from "./ir/types.ts";
import { checkCallGraph, reachable } from "./analysis/callgraph.ts";
import { writtenParams } from "./analysis/writes.ts";
import { classMethods, differentiableFunctions, type SourceFunction } from "./load/functions.ts";
import { selectTargets } from "./load/targets.ts";
import { UserRules } from "./rules/user-rules.ts";
import { externalImports, calledFunctions } from "./emit/imports.ts";
import { formatModule } from "./emit/format.ts";
import { outputFiles } from "./emit/javascript.ts";
import { importConventions } from "./load/specifiers.ts";
import { createProject, load, localFiles } from "./load/load.ts";
import { lowerProgram } from "./lower/lower.ts";
import { addNestedDerivatives } from "./nested/derive.ts";
import { differentiateReverse, type ReverseTarget } from "./reverse/reverse.ts";
import { removeJumps } from "./reverse/structure.ts";
import { renameSiblingDeclarations } from "./reverse/names.ts";
import { isolateConditions } from "./reverse/conditions.ts";
import { removeDeadCode } from "./simplify/dead-code.ts";
import { removeUnusedParameters } from "./simplify/parameters.ts";
import { simplifyIdentities } from "./simplify/identities.ts";
import { inlineSmallCallees } from "./simplify/inline.ts";
import { hvpWrapper } from "./higher/hvp.ts";
import { propagateCopies } from "./simplify/copies.ts";
import { annotateSourceLines } from "./emit/comments.ts";
import { explainFunction, type Explanation } from "./explain/explain.ts";
import { didYouMean } from "./suggest.ts";

import { EMIT_KINDS, type EmitKind, type OutputFormat } from "./options.ts";
export { EMIT_KINDS, type EmitKind } from "./options.ts";

/** A module given as text instead of a path on disk. */
export interface SourceText {
  /** Its path: names the output (`model.ts` → `model.grad.ts`) and resolves relative imports between texts. */
  path: string;
  text: string;
}

export interface CompileOptions {
  /** Input files: paths read from disk, or `{ path, text }` modules compiled from text (then every file is in memory). */
  files: (string | SourceText)[];
  /** Functions to differentiate (default: every exported function of the inputs). */
  fn?: string[];
  /** Parameters to differentiate with respect to (default: every differentiable parameter). */
  wrt?: string[];
  /** What to generate, for every function (overrides `@differentiate emit=`; default: `grad` for functions returning `number`, `jvp,vjp` otherwise). */
  emit?: EmitKind[];
  /** What to generate for functions whose `@differentiate` tag names no `emit=` (a config file's `emit`). */
  defaultEmit?: EmitKind[];
  /** Modules of derivative rules (`@derivativeOf` functions) to use besides those in the inputs and what they import. */
  rules?: string[];
  /** The command the generated module's header names to regenerate it (default: the equivalent `tsad` command line). */
  command?: string;
  /** Output folder (default: beside each input). */
  out?: string;
  /** `ts` (default): `<name>.grad.ts`; `js`: `<name>.grad.js` and `<name>.grad.d.ts`; `both`: `.grad.ts` and `.grad.js`. */
  format?: OutputFormat;
  /** Source texts by path, instead of reading the files from disk. */
  sources?: ReadonlyMap<string, string>;
  /** Reuse a loaded project (watch mode, tests). */
  project?: Project;
  /** Inline small callees before differentiating (default true; false keeps every call a call). */
  inline?: boolean;
  /**
   * A bound on reverse mode's tape, in MB: the outermost loops are checkpointed, and run with
   * their tape only where it fits (`--tape-limit`; see docs/checkpointing.md).
   */
  tapeLimit?: number;
}

export interface GeneratedModule {
  /** The input file it was generated from. */
  input: string;
  /** Where it belongs: `<out>/<name>.grad.ts` (or `.grad.js`, `.grad.d.ts`: one module per file written). */
  path: string;
  text: string;
}

export interface CompileResult {
  modules: GeneratedModule[];
  diagnostics: Diagnostic[];
}

/** A mistake in how tsad was called (unknown function or parameter): exit status 2. */
export class UsageError extends Error {}

export async function compile(options: CompileOptions): Promise<CompileResult> {
  try {
    return { modules: await compileOrThrow(options), diagnostics: [] };
  } catch (error) {
    if (error instanceof DiagnosticError) return { modules: [], diagnostics: error.diagnostics };
    throw error;
  }
}

/** `{ path, text }` inputs become paths plus in-memory sources. */
function withTexts(options: CompileOptions): CompileOptions & { files: string[] } {
  const texts = options.files.filter((f): f is SourceText => typeof f !== "string");
  if (texts.length === 0) return options as CompileOptions & { files: string[] };
  const sources = new Map(options.sources);
  for (const { path, text } of texts) sources.set(resolve(path), text);
  return { ...options, files: options.files.map((f) => (typeof f === "string" ? f : f.path)), sources };
}

/** Load, select the targets, lower them, check the call graph: what every command starts with. */
function prepare(given: CompileOptions) {
  const options = withTexts(given);
  const project = options.project ?? createProject(options.sources);
  for (const path of options.rules ?? []) if (!project.getSourceFile(resolve(path))) project.addSourceFileAtPath(resolve(path));
  const loaded = load(options.files, project);
  if (loaded.diagnostics.length > 0) throw new DiagnosticError(loaded.diagnostics);

  const rules = UserRules.find(project, localFiles(project));
  const wanted = options.fn ?? [];
  const declared = loaded.program.inputs.flatMap((file) => differentiableFunctions(file).map((fn) => fn.name));
  for (const name of wanted) {
    if (!declared.includes(name)) throw new UsageError(`no function named \`${name}\` in ${options.files.join(", ")}${didYouMean(name, declared)}`);
  }
  const selected = selectTargets(loaded.program.inputs, wanted, rules, EMIT_KINDS);
  const tags = new Map(selected.flatMap((s) => s.targets.map((t) => [t.source.node, t.tag] as const)));
  const targetsByFile = selected.map(({ file, targets }) => ({ file, targets: targets.map((t) => t.source) }));
  const allTargets = targetsByFile.flatMap((s) => s.targets);
  if (allTargets.length === 0) {
    const methods = loaded.program.inputs.flatMap((file) => classMethods(file).map((m) => m.name));
    const named = methods.length > 0 ? `; its class methods: ${methods.join(", ")}` : "";
    throw new UsageError(`no exported function to differentiate in ${options.files.join(", ")} (name one with --fn${named})`);
  }

  const lowered = lowerProgram(allTargets, rules);
  const withNested = addNestedDerivatives(lowered.program, lowered.nested.requests, { structured: structuredProgram, hvp: nestedHvp });
  const program = propagateCopies(options.inline === false ? withNested : inlineSmallCallees(withNested));
  debugIR("after lowering", program);
  return { program, irNames: lowered.irNames, targetsByFile, tags, calls: withNested };
}

/** The program reverse mode works on: jumps turned into flags, one declaration per name. */
function structuredProgram(program: Program): Program {
  return { functions: new Map([...program.functions].map(([name, fn]) => [name, isolateConditions(renameSiblingDeclarations(removeJumps(fn)))])) };
}

export interface ExplainOptions extends Pick<CompileOptions, "files" | "fn" | "wrt" | "sources" | "project" | "inline"> {
  /** Values for size symbols (`x.length` → 1000), to evaluate the counts and compare the modes. */
  sizes?: ReadonlyMap<string, number>;
}

export interface ExplainResult {
  explanations: Explanation[];
  diagnostics: Diagnostic[];
}

/** `tsad explain`: sizes, operation counts of each mode, tape memory and the recommended mode. */
export async function explain(options: ExplainOptions): Promise<ExplainResult> {
  try {
    // Counted as written (its calls are the stages of a chain); taped as generated (inlined).
    const { program: generated, irNames, targetsByFile, calls: program, tags } = prepare(options);
    const oracle = new ActivityOracle(program);
    const structured = structuredProgram(generated);
    const structuredOracle = new ActivityOracle(structured);
    const explanations = targetsByFile.flatMap(({ targets }) =>
      targets.map((source) => {
        const fn = program.functions.get(irNames.get(source.node)!)!;
        // The parameters a `@differentiate wrt=…` tag names, as compiling would take them.
        const { mask: wrt, inert } = selectWrt(fn, source, options.wrt ?? tags.get(source.node)?.wrt, oracle);
        if (!isDifferentiable(fn.returnType)) throw new DiagnosticError([diagnostics.noDifferentiableOutput(fn.sourceName, fn.loc)]);
        const kind = fn.returnType.kind === "number" ? "grad" : "vjp";
        const exportName = `${fn.sourceName}${capitalize(kind)}`;
        const reverse = differentiateReverse(structured, structuredOracle, [{ fn: fn.name, wrt, exportName, kind }]);
        const reverseProgram: Program = { functions: new Map([...structured.functions, ...reverse.functions.map((f) => [f.name, f] as const)]) };
        return explainFunction({ program, oracle, fn, wrt, reverse: { program: reverseProgram, fn: reverseProgram.functions.get(exportName)! }, sizes: options.sizes ?? new Map(), inert });
      }),
    );
    return { explanations, diagnostics: [] };
  } catch (error) {
    if (error instanceof DiagnosticError) return { explanations: [], diagnostics: error.diagnostics };
    throw error;
  }
}

async function compileOrThrow(options: CompileOptions): Promise<GeneratedModule[]> {
  const { program, irNames, targetsByFile, tags } = prepare(options);

  const modules: GeneratedModule[] = [];
  for (const { file, targets } of targetsByFile) {
    if (targets.length === 0) continue;
    const oracle = new ActivityOracle(program);
    const forwardTargets: ForwardTarget[] = [];
    const reverseTargets: ReverseTarget[] = [];
    const hvpTargets: { fn: Function; wrt: boolean[]; gradName: string }[] = [];
    const denseTargets: { fn: Function; wrt: boolean[]; hessian: boolean; jacobian?: JacobianMode }[] = [];
    const requested = new Set<EmitKind>();
    /** Forward-mode functions lifted to k directions per sweep, and the names of the lifted ones. */
    const vectorRoots = new Map<string, string>();
    /** The generated functions the user asked for; everything else is a helper of those. */
    const exportNames = new Set<string>();
    for (const source of targets) {
      const fn = program.functions.get(irNames.get(source.node)!)!;
      const tag = tags.get(source.node);
      const kinds = expandAuto(options.emit ?? (tag?.emit as EmitKind[] | undefined) ?? options.defaultEmit ?? defaultKinds(fn), fn);
      const { mask: wrt } = selectWrt(fn, source, options.wrt ?? tag?.wrt, oracle);
      if (!isDifferentiable(fn.returnType)) throw new DiagnosticError([diagnostics.noDifferentiableOutput(fn.sourceName, fn.loc)]);
      for (const kind of kinds) {
        requested.add(kind);
        if ((kind === "grad" || kind === "hvp" || kind === "hessian") && fn.returnType.kind !== "number") {
          throw new DiagnosticError([diagnostics.scalarModeOnVector(fn.sourceName, kind, fn.loc)]);
        }
        exportNames.add(`${fn.sourceName}${capitalize(kind)}`);
      }
      const jacobian = kinds.includes("jacobian") ? jacobianMode(fn, wrt) : undefined;
      const needs = (kind: "jvp" | "vjp" | "grad" | "gradJvp") => {
        switch (kind) {
          case "jvp":
            return kinds.includes("jvp") || kinds.includes("jvpN") || jacobian === "forward" || jacobian === "runtime";
          case "vjp":
            return kinds.includes("vjp") || jacobian === "reverse" || jacobian === "runtime";
          case "grad":
            return kinds.includes("grad") || kinds.includes("hvp") || kinds.includes("hessian");
          case "gradJvp":
            return kinds.includes("hvp") || kinds.includes("hessian");
        }
      };
      if (needs("jvp")) forwardTargets.push({ fn: fn.name, wrt, exportName: `${fn.sourceName}Jvp` });
      if (kinds.includes("jvpN") || jacobian === "forward" || jacobian === "runtime") vectorRoots.set(`${fn.sourceName}Jvp`, `${fn.sourceName}JvpN`);
      if (kinds.includes("hessian")) vectorRoots.set(`${fn.sourceName}GradJvp`, `${fn.sourceName}GradJvpN`);
      // A Hessian-vector product is forward mode over the gradient's own IR.
      if (needs("grad")) reverseTargets.push({ fn: fn.name, wrt, exportName: `${fn.sourceName}Grad`, kind: "grad" });
      if (needs("vjp")) reverseTargets.push({ fn: fn.name, wrt, exportName: `${fn.sourceName}Vjp`, kind: "vjp" });
      if (needs("gradJvp")) hvpTargets.push({ fn, wrt, gradName: `${fn.sourceName}Grad` });
      if (kinds.includes("hessian") || jacobian) denseTargets.push({ fn, wrt, hessian: kinds.includes("hessian"), jacobian });
    }
    checkCallGraph(program, oracle, reverseTargets.map((t) => t.fn));
    const forward = differentiateForward(program, oracle, forwardTargets);
    // Reverse mode works on functions whose jumps are flags (one program of them, one oracle).
    const structured = structuredProgram(program);
    const reverse = differentiateReverse(structured, new ActivityOracle(structured), reverseTargets, { tapeLimit: options.tapeLimit === undefined ? undefined : options.tapeLimit * 2 ** 20 });
    const secondOrder = hessianVectorProducts(structured, reverse.functions, hvpTargets, new Set(forward.functions.map((fn) => fn.name)));
    const derivatives = [...forward.functions, ...reverse.functions, ...secondOrder.functions].map((fn) => annotateSourceLines({ ...fn, ...removeDeadCode(simplifyIdentities(fn)) }));
    const tangentNames = new Map<string, TangentNames>([...forward.tangents, ...secondOrder.tangents]);
    const vector = vectorize(derivatives, tangentNames, vectorRoots, new Set([...structured.functions.keys(), ...derivatives.map((fn) => fn.name)]));
    const byName = new Map<string, Function>([...derivatives, ...vector.functions].map((fn) => [fn.name, fn]));
    const dense = denseTargets.flatMap((t) => denseWrappers(t, byName, writtenParams(t.fn, program, oracle)));
    const wrappers = [...secondOrder.wrappers, ...dense];
    const requestedFunctions = [...wrappers, ...derivatives, ...vector.functions].map((fn) => ({ ...fn, exported: exportNames.has(fn.name) }));
    const generatedFunctions = reachableFrom(requestedFunctions);
    const everything: Program = { functions: new Map([...structured.functions, ...reverse.functions.map((fn) => [fn.name, fn] as const)]) };
    const made = new Set(generatedFunctions.map((fn) => fn.name));
    // Calls the derivative code makes by itself (a user rule's partials) need the callee's source too.
    const primalCalls = [...forward.primalCalls, ...reverse.primalCalls, ...secondOrder.primalCalls, ...denseTargets.filter((t) => t.jacobian).map((t) => t.fn.name), ...calledFunctions(generatedFunctions, everything)];
    const copies = primalCopies(everything, new Set(primalCalls.filter((name) => !made.has(name))));
    const generated = reachableFrom(removeUnusedParameters(reachableFrom([...generatedFunctions, ...copies.filter((fn) => !made.has(fn.name))])));
    debugIR("after forward mode", { functions: new Map(generated.map((g) => [g.name, g])) });
    const inputPath = file.getFilePath();
    const outDir = options.out ? resolve(options.out) : dirname(inputPath);
    const path = join(outDir, `${basename(inputPath).replace(/\.(m|c)?tsx?$/, "")}.grad.ts`);
    const header = headerFor(inputPath, targets, options, [...requested], targets.every((t) => tags.get(t.node) !== undefined));
    const text = await formatModule(header, [...externalImports(generated, path, importConventions(file)), ...generated.map((g) => emitFunction(g))]);
    for (const output of await outputFiles(path, text, options.format ?? "ts")) modules.push({ input: inputPath, ...output });
  }
  return modules;
}

/**
 * `fHvp(…, direction)` → `{ value, grad, hvp }`: forward mode applied to `fGrad` (tsad
 * differentiating its own output), wrapped to return the gradient's tangent as `hvp`.
 */
function hessianVectorProducts(structured: Program, reverseFunctions: Function[], targets: { fn: Function; wrt: boolean[]; gradName: string }[], taken: ReadonlySet<string>): { wrappers: Function[]; functions: DerivativeFunction[]; primalCalls: Set<string>; tangents: Map<string, TangentNames> } {
  if (targets.length === 0) return { wrappers: [], functions: [], primalCalls: new Set(), tangents: new Map() };
  // Forward mode gives each name one tangent: a generated function that declares a name again in
  // an inner scope (a checkpointed loop's steps, copied beside the hoisted variables) gets the
  // inner one renamed first.
  const program: Program = { functions: new Map([...structured.functions, ...reverseFunctions.map((fn) => [fn.name, renameSiblingDeclarations(fn, "shadowing")] as const)]) };
  const forward = differentiateForward(
    program,
    new ActivityOracle(program),
    targets.map((t) => ({ fn: t.gradName, wrt: t.wrt, exportName: `${t.gradName}Jvp` })),
    taken,
  );
  const wrappers = targets.map((t) => hvpWrapper(t.fn, t.wrt, `${t.gradName}Jvp`, program.functions.get(t.gradName)!.returnType));
  return { wrappers, functions: forward.functions.map((fn) => ({ ...fn, exported: false })), primalCalls: forward.primalCalls, tangents: forward.tangents };
}

/** A nested `fHvp`: forward mode over the gradient `gradName`, and the wrapper, named `hvpName`. */
function nestedHvp(program: Program, fn: Function, wrt: boolean[], gradName: string, hvpName: string): Function[] {
  const forward = differentiateForward(program, new ActivityOracle(program), [{ fn: gradName, wrt, exportName: `${gradName}Jvp` }]);
  return [...forward.functions, { ...hvpWrapper(fn, wrt, `${gradName}Jvp`, program.functions.get(gradName)!.returnType), name: hvpName }];
}

/** `fHessian` and `fJacobian` for one target, built on the functions generated for it. */
function denseWrappers(target: { fn: Function; wrt: boolean[]; hessian: boolean; jacobian?: JacobianMode }, generated: ReadonlyMap<string, Function>, written: boolean[]): Function[] {
  const name = target.fn.sourceName;
  const callee = (suffix: string): Callee | undefined => {
    const fn = generated.get(`${name}${suffix}`);
    return fn && { name: fn.name, returnType: fn.returnType };
  };
  const wrappers: Function[] = [];
  if (target.hessian) wrappers.push(hessianWrapper(target.fn, target.wrt, callee("Grad")!, callee("GradJvp")!, callee("GradJvpN")));
  if (target.jacobian) wrappers.push(jacobianWrapper(target.fn, target.wrt, target.jacobian, { jvp: callee("Jvp"), jvpN: callee("JvpN"), vjp: callee("Vjp") }, written));
  return wrappers;
}

/** The functions the user asked for and every generated function they call, in the given order. */
function reachableFrom(functions: Function[]): Function[] {
  const program: Program = { functions: new Map(functions.map((fn) => [fn.name, fn])) };
  const reached = new Set(reachable(program, functions.filter((fn) => fn.exported).map((fn) => fn.name)));
  return functions.filter((fn) => reached.has(fn.name));
}

/** `--emit auto`: a gradient for a number; otherwise both directional derivatives and the cheaper Jacobian. */
function expandAuto(kinds: EmitKind[], fn: Function): EmitKind[] {
  if (!kinds.includes("auto")) return kinds;
  const chosen: EmitKind[] = fn.returnType.kind === "number" ? ["grad"] : ["jvp", "vjp", "jacobian"];
  return [...new Set([...kinds.filter((k) => k !== "auto"), ...chosen])];
}

function defaultKinds(fn: Function): EmitKind[] {
  return fn.returnType.kind === "number" ? ["grad"] : ["jvp", "vjp"];
}

/**
 * The parameters to differentiate with respect to: those named, or by default every
 * differentiable parameter from which a derivative can flow to the result (a `labels: number[]`
 * used only as indices is left out: its gradient would be zeros). `inert`: the ones left out.
 */
function selectWrt(fn: Function, source: SourceFunction, wrt: string[] | undefined, oracle: ActivityOracle): { mask: boolean[]; inert: string[] } {
  if (!wrt) {
    const typed = fn.params.map((p) => isDifferentiable(p.type));
    if (!typed.some(Boolean)) throw new DiagnosticError([diagnostics.noDifferentiableInput(fn.sourceName, fn.loc)]);
    const flows = typed.map((t, i) => t && oracle.analyze(fn, fn.params.map((_, j) => j === i)).resultActive);
    // A result that depends on no parameter at all: its derivatives are zeros, with respect to all of them.
    if (!flows.some(Boolean)) return { mask: typed, inert: [] };
    return { mask: flows, inert: fn.params.filter((_, i) => typed[i] && !flows[i]).map((p) => p.name) };
  }
  for (const name of wrt) {
    const param = fn.params.find((p) => p.name === name);
    if (!param) throw new UsageError(`\`${name}\` is not a parameter of \`${source.name}\` (its parameters: ${fn.params.map((p) => p.name).join(", ") || "none"})`);
    if (!isDifferentiable(param.type)) throw new DiagnosticError([diagnostics.notDifferentiableParam(name, fn.sourceName, param.loc ?? fn.loc)]);
  }
  return { mask: fn.params.map((p) => wrt.includes(p.name)), inert: [] };
}

/** The source functions the generated code calls as they are, and everything they call. */
function primalCopies(program: Program, calls: Set<string>): Function[] {
  return reachable(program, [...calls].sort()).map((name) => ({ ...program.functions.get(name)!, exported: false }));
}

function headerFor(input: string, targets: SourceFunction[], options: CompileOptions, kinds: EmitKind[], tagged: boolean): string {
  const command = [`tsad ${basename(input)}`];
  // Targets chosen by their @differentiate tags need no flags: the tags say it again.
  if (!tagged || options.fn || options.wrt || options.emit || options.defaultEmit) {
    command.push(`--fn ${targets.map((t) => t.name).join(",")}`);
    if (options.wrt) command.push(`--wrt ${options.wrt.join(",")}`);
    command.push(`--emit ${kinds.join(",")}`);
  }
  if (options.format && options.format !== "ts") command.push(`--format ${options.format}`);
  if (options.tapeLimit !== undefined) command.push(`--tape-limit ${options.tapeLimit}`);
  return [`// Generated by tsad from ${basename(input)}. Do not edit: regenerate with`, `//   ${options.command ?? command.join(" ")}`, ""].join("\n");
}

function debugIR(stage: string, program: Program): void {
  if (process.env.TSAD_DEBUG_IR) process.stderr.write(`── IR ${stage} ──\n${printProgram(program)}\n`);
}
