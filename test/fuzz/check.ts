/**
 * The checker: compiles one program with tsad (forward mode, and `grad` or `vjp`), then checks
 *
 *   - the compiler neither throws nor reports a diagnostic (`crash`, `diagnostic`);
 *   - the generated module type-checks with --strict (`typecheck`) and loads (`load`);
 *   - at a few seeded points: forward mode against central finite differences (`jvp-vs-fd`;
 *     points where the estimates at different steps disagree — a kink or a branch switch
 *     nearby — are skipped), reverse mode against forward mode by the dot-product identity
 *     (`dot-identity`), `value` equal to the primal (`*-value`), arguments, tangents and
 *     cotangents unchanged (`*-mutates`), derivative shapes (`*-shape`), no exceptions or
 *     endless loops in generated code (`*-throws`, `*-hang`).
 *
 * Programs and generated modules run in this process: transpiled to CommonJS by TypeScript with
 * a step counter at the top of every loop body (so an endless loop becomes an error), then
 * evaluated with `new Function`.
 */
import ts from "typescript";
import { compile } from "../../src/pipeline.ts";
import { deepClone, rng } from "../support/numeric.ts";
import { checkLanes, checkNested } from "./check-vector.ts";
import { CONSOLE } from "../support/typecheck.ts";

export interface Failure {
  check: string;
  message: string;
  /** What the shrinker must preserve: the check, and for crashes, diagnostics and type errors, what kind. */
  signature: string;
}

export type Outcome =
  | { status: "pass"; points: number; skipped: number }
  | { status: "skip"; reason: string }
  | { status: "invalid"; reason: string }
  | { status: "fail"; failure: Failure };

export interface CheckOptions {
  points?: number;
  seed?: number;
  /** Also generate `hvp` for scalar outputs and check it (against finite differences of the gradient, and symmetry). */
  hvp?: boolean;
  /** Differentiate with respect to these parameters only (`--wrt`). */
  wrt?: string[];
  /** Inline small callees (the default); false keeps calls as calls (split forward/pullback halves). */
  inline?: boolean;
  /** Also generate `jvpN` and check each of its lanes against a single JVP along that direction. */
  lanes?: boolean;
  /** Also differentiate a function that calls the generated gradient (scalar outputs; see check-vector.ts). */
  nested?: boolean;
  /** With `nested`: also check reverse mode over the gradient by the dot-product identity (default true). */
  nestedReverse?: boolean;
}

const STEP_LIMIT = 3_000_000;
const FD_TOLERANCE = 1e-6;
const KINK_SPREAD = 1e-4;
const IDENTITY_TOLERANCE = 1e-9;
const MAGNITUDE = 1e8;
const PATH = "/fuzz/program.ts";

export let lastModule = "";

class StepLimit extends Error {}

// ---------------------------------------------------------------------------------------------
// Running TypeScript text in this process

const counter = { n: 0 };
const tick = () => {
  if (++counter.n > STEP_LIMIT) throw new StepLimit(`more than ${STEP_LIMIT} loop iterations`);
};

const guardLoops: ts.TransformerFactory<ts.SourceFile> = (context) => {
  const f = context.factory;
  const guarded = (body: ts.Statement) =>
    f.createBlock([f.createExpressionStatement(f.createCallExpression(f.createIdentifier("__tick"), undefined, [])), ...(ts.isBlock(body) ? body.statements : [body])], true);
  const visit = (node: ts.Node): ts.Node => {
    const n = ts.visitEachChild(node, visit, context);
    if (ts.isForStatement(n)) return f.updateForStatement(n, n.initializer, n.condition, n.incrementor, guarded(n.statement));
    if (ts.isForOfStatement(n)) return f.updateForOfStatement(n, n.awaitModifier, n.initializer, n.expression, guarded(n.statement));
    if (ts.isForInStatement(n)) return f.updateForInStatement(n, n.initializer, n.expression, guarded(n.statement));
    if (ts.isWhileStatement(n)) return f.updateWhileStatement(n, n.expression, guarded(n.statement));
    if (ts.isDoStatement(n)) return f.updateDoStatement(n, guarded(n.statement), n.expression);
    return n;
  };
  return (file) => ts.visitNode(file, visit) as ts.SourceFile;
};

export type Callable = (...args: unknown[]) => unknown;

/** Whether the primal computed a non-finite or huge number anywhere (its derivatives may then be NaN for good reason). */
const overflow = { seen: false };
const finite = (v: unknown) => {
  if (typeof v === "number" && !(Math.abs(v) < 1e150)) overflow.seen = true;
  return v;
};

const ASSIGNMENTS = new Set([ts.SyntaxKind.EqualsToken, ts.SyntaxKind.PlusEqualsToken, ts.SyntaxKind.MinusEqualsToken, ts.SyntaxKind.AsteriskEqualsToken, ts.SyntaxKind.SlashEqualsToken, ts.SyntaxKind.PercentEqualsToken, ts.SyntaxKind.AsteriskAsteriskEqualsToken]);

/** Wraps every assignment and initializer in `__finite(…)`. */
const watchValues: ts.TransformerFactory<ts.SourceFile> = (context) => {
  const f = context.factory;
  const wrap = (e: ts.Expression) => f.createCallExpression(f.createIdentifier("__finite"), undefined, [e]);
  const visit = (node: ts.Node): ts.Node => {
    const n = ts.visitEachChild(node, visit, context);
    if (ts.isBinaryExpression(n) && ASSIGNMENTS.has(n.operatorToken.kind) && !ts.isArrayLiteralExpression(n.left) && !ts.isObjectLiteralExpression(n.left)) return f.createParenthesizedExpression(wrap(n));
    if (ts.isVariableDeclaration(n) && n.initializer && ts.isIdentifier(n.name)) return f.updateVariableDeclaration(n, n.name, n.exclamationToken, n.type, wrap(n.initializer));
    return n;
  };
  return (file) => ts.visitNode(file, visit) as ts.SourceFile;
};

export function load(text: string, watch = false): Record<string, Callable> {
  const js = ts.transpileModule(text, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    transformers: { before: watch ? [guardLoops, watchValues] : [guardLoops] },
  }).outputText;
  const exports: Record<string, Callable> = {};
  new Function("exports", "__tick", "__finite", js)(exports, tick, finite);
  return exports;
}

type Run = { ok: true; value: unknown } | { ok: false; hang: boolean; error: string };

export function run(fn: Callable, args: unknown[]): Run {
  counter.n = 0;
  overflow.seen = false;
  try {
    return { ok: true, value: fn(...args) };
  } catch (error) {
    return { ok: false, hang: error instanceof StepLimit, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

// ---------------------------------------------------------------------------------------------
// Type-checking generated modules (lib files parsed once)

const libFiles = new Map<string, ts.SourceFile | undefined>();
const TYPECHECK_OPTIONS: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ["lib.es2022.d.ts"], skipLibCheck: true, types: [] };
let baseHost: ts.CompilerHost | undefined;
/** `console` is declared (programs and generated code may log); nothing else outside the ES library. */
const CONSOLE_PATH = "/generated/console.d.ts";

export function typeCheckText(text: string, name = "/generated/module.ts"): { code: number; text: string }[] {
  baseHost ??= ts.createCompilerHost(TYPECHECK_OPTIONS);
  const base = baseHost;
  const host: ts.CompilerHost = {
    ...base,
    fileExists: (p) => p === name || p === CONSOLE_PATH || base.fileExists(p),
    readFile: (p) => (p === name ? text : p === CONSOLE_PATH ? CONSOLE : base.readFile(p)),
    getSourceFile: (p, language) => {
      if (p === name) return ts.createSourceFile(p, text, language);
      if (p === CONSOLE_PATH) return ts.createSourceFile(p, CONSOLE, language);
      if (!libFiles.has(p)) libFiles.set(p, base.getSourceFile(p, language));
      return libFiles.get(p);
    },
  };
  const program = ts.createProgram([name, CONSOLE_PATH], TYPECHECK_OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return { code: d.code, text: `line ${line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}` };
  });
}

// ---------------------------------------------------------------------------------------------
// Values

const isNum = (v: unknown): v is number => typeof v === "number";

/** Exact structural equality (numbers by ===, NaN equal to NaN). */
export function same(a: unknown, b: unknown): boolean {
  if (isNum(a) && isNum(b)) return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return same(ka.length, kb.length) && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

export function differentiable(v: unknown): boolean {
  if (isNum(v)) return true;
  // An empty array (what `.filter` may give) is still an array of numbers: its cotangent is `[]`.
  if (Array.isArray(v)) return v.length === 0 || v.some(differentiable);
  if (v && typeof v === "object") return Object.values(v).some(differentiable);
  return false;
}

/** The derivative-shaped value of `v`, each number from `leaf`. */
export function shapeLike(v: unknown, leaf: (x: number) => number): unknown {
  if (isNum(v)) return leaf(v);
  if (Array.isArray(v)) return v.map((e) => shapeLike(e, leaf));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, e]) => differentiable(e)).map(([k, e]) => [k, shapeLike(e, leaf)]));
  return v;
}

export class ShapeError extends Error {}

/** The numbers of `value` where `shape` has numbers; throws ShapeError on a different shape. */
export function flat(value: unknown, shape: unknown, out: number[] = []): number[] {
  if (isNum(shape)) {
    if (!isNum(value)) throw new ShapeError(`expected a number, got ${JSON.stringify(value)}`);
    out.push(value);
  } else if (Array.isArray(shape)) {
    if (!Array.isArray(value) || value.length !== shape.length) throw new ShapeError(`expected an array of ${shape.length}, got ${JSON.stringify(value)}`);
    shape.forEach((s, i) => flat(value[i], s, out));
  } else if (shape && typeof shape === "object") {
    if (!value || typeof value !== "object") throw new ShapeError(`expected an object, got ${JSON.stringify(value)}`);
    for (const k of Object.keys(shape)) flat((value as Record<string, unknown>)[k], (shape as Record<string, unknown>)[k], out);
  }
  return out;
}

export function stepBy(value: unknown, direction: unknown, h: number): unknown {
  if (isNum(value)) return value + h * (direction as number);
  if (Array.isArray(value)) return value.map((e, i) => stepBy(e, (direction as unknown[])[i], h));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, e]) => [k, direction && k in (direction as object) ? stepBy(e, (direction as Record<string, unknown>)[k], h) : e]));
  return value;
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

export function relErr(a: number[], b: number[]): number {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Infinity;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** Equal up to rounding (1e-12 relative), shape and all. */
function nearly(a: unknown, b: unknown): boolean {
  if (isNum(a) && isNum(b)) return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => nearly(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") return Object.keys(b).every((k) => nearly((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  return a === b;
}

export function allFinite(v: unknown): boolean {
  if (isNum(v)) return Number.isFinite(v) && Math.abs(v) < MAGNITUDE;
  if (Array.isArray(v)) return v.every(allFinite);
  if (v && typeof v === "object") return Object.values(v).every(allFinite);
  return true;
}

// ---------------------------------------------------------------------------------------------
// The check

/** The entry's parameter names and return type text, read from the source. */
export function entrySignature(text: string, fn: string): { params: string[]; returns: string } | undefined {
  const file = ts.createSourceFile("x.ts", text, ts.ScriptTarget.ES2022);
  for (const s of file.statements) {
    if (ts.isFunctionDeclaration(s) && s.name?.text === fn) {
      return { params: s.parameters.map((p) => p.name.getText(file)), returns: s.type?.getText(file) ?? "" };
    }
  }
  return undefined;
}

export function fail(check: string, message: string, detail = ""): Outcome {
  return { status: "fail", failure: { check, message, signature: detail ? `${check}:${detail}` : check } };
}

/** Crash messages without names and numbers, so the shrinker keeps the same crash. */
function normalize(message: string): string {
  return (message.split("\n")[0] ?? "")
    .replace(/`[^`]*`/g, "`_`")
    .replace(/"[^"]*"/g, '"_"')
    .replace(/'[^']*'/g, "'_'")
    .replace(/\d+/g, "#")
    .slice(0, 80);
}

export async function checkProgram(text: string, args: unknown[], options: CheckOptions = {}): Promise<Outcome> {
  const fn = "f";
  const signature = entrySignature(text, fn);
  if (!signature) return { status: "invalid", reason: "no function f" };

  // The primal, as the user would run it.
  let primal: Callable;
  try {
    primal = load(text, true)[fn]!;
  } catch (error) {
    return { status: "invalid", reason: `the program does not load: ${String(error)}` };
  }
  const sample = run(primal, deepClone(args));
  if (!sample.ok) return { status: "invalid", reason: `the program throws: ${sample.error}` };
  const scalar = isNum(sample.value);
  const emit = [...(scalar ? (options.hvp ? (["jvp", "grad", "hvp"] as const) : (["jvp", "grad"] as const)) : (["jvp", "vjp"] as const)), ...(options.lanes ? (["jvpN"] as const) : [])];

  // Compile.
  let generated: string;
  try {
    const result = await compile({ files: [PATH], fn: [fn], emit: [...emit], sources: new Map([[PATH, text]]), inline: options.inline, ...(options.wrt ? { wrt: options.wrt } : {}) });
    if (result.diagnostics.length > 0) {
      const d = result.diagnostics[0]!;
      if (d.code === 1001 || d.code === 1002) {
        const problems = typeCheckText(text, "/fuzz/source.ts");
        if (problems.length > 0) return { status: "invalid", reason: `not valid TypeScript: ${problems.map((p) => p.text).join("; ")}` };
      }
      return fail("diagnostic", result.diagnostics.map((x) => `TSAD${x.code} ${x.message} (line ${x.at?.line}:${x.at?.column})`).join("\n"), String(d.code));
    }
    generated = result.modules[0]!.text;
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}\n${(error.stack ?? "").split("\n").slice(1, 6).join("\n")}` : String(error);
    return fail("crash", message, normalize(error instanceof Error ? error.message : String(error)));
  }
  lastModule = generated;

  const problems = typeCheckText(generated);
  if (problems.length > 0) return fail("typecheck", problems.map((p) => p.text).join("\n"), String(problems[0]!.code));

  let module: Record<string, Callable>;
  try {
    module = load(generated);
  } catch (error) {
    return fail("load", String(error));
  }
  const jvp = module[`${fn}Jvp`];
  const reverse = module[`${fn}${scalar ? "Grad" : "Vjp"}`];
  const hvp = scalar && options.hvp ? module[`${fn}Hvp`] : undefined;
  if (!jvp || !reverse || (scalar && options.hvp && !hvp)) return fail("load", `missing exports: ${Object.keys(module).join(", ")}`);

  // By default tsad leaves out parameters from which no derivative can flow: their gradient is
  // zero. The directions below still move them, so finite differences check that they are inert.
  const withInert = (grad: unknown, like: Record<string, unknown>) => (options.wrt ? grad : inertAsZero(grad, like));

  const random = rng(options.seed ?? 20240611);
  const points = options.points ?? 3;
  let checked = 0;
  let skipped = 0;
  let deferred: Outcome | undefined;
  for (let point = 0; point < points; point++) {
    const at = point === 0 ? deepClone(args) : args.map((a) => (differentiable(a) ? shapeLike(a, (x) => x + 0.3 * (2 * random() - 1)) : deepClone(a)));
    const direction = at.map((a, i) => (differentiable(a) && (!options.wrt || options.wrt.includes(signature.params[i]!)) ? shapeLike(a, () => 2 * random() - 1) : undefined));
    const tangent = Object.fromEntries(signature.params.flatMap((name, i) => (direction[i] === undefined ? [] : [[name, direction[i]]])));
    const where = `at ${JSON.stringify(at)}`;

    const base = run(primal, deepClone(at));
    if (!base.ok) return { status: "invalid", reason: `the program throws ${where}: ${base.error}` };
    if (!allFinite(base.value) || overflow.seen) {
      // Overflow inside the function: derivatives may be NaN (0 · ∞) where the value is fine.
      skipped++;
      continue;
    }
    const value = base.value;

    // Forward mode.
    const jvpArgs = deepClone(at);
    const jvpTangent = deepClone(tangent);
    const forward = run(jvp, [...jvpArgs, jvpTangent]);
    if (!forward.ok) return fail(forward.hang ? "jvp-hang" : "jvp-throws", `${forward.error} ${where}`);
    if (!same(jvpArgs, at)) return fail("jvp-mutates", `the arguments changed ${where}: ${JSON.stringify(jvpArgs)}`);
    if (!same(jvpTangent, tangent)) return fail("jvp-mutates", `the tangent changed ${where}: ${JSON.stringify(jvpTangent)} (was ${JSON.stringify(tangent)})`);
    const fr = forward.value as { value: unknown; tangent: unknown };
    if (!same(fr.value, value)) {
      const mismatch = fail("jvp-value", `value ${JSON.stringify(fr.value)}, primal ${JSON.stringify(value)} ${where}`);
      if (!nearly(fr.value, value)) return mismatch;
      deferred ??= mismatch;
    }
    let jv: number[];
    try {
      jv = flat(fr.tangent, shapeLike(value, () => 0));
    } catch (error) {
      return fail("jvp-shape", `tangent ${JSON.stringify(fr.tangent)}: ${(error as Error).message} ${where}`);
    }

    // Finite differences along the same direction.
    const g = (h: number) => {
      const r = run(primal, at.map((a, i) => (direction[i] === undefined ? deepClone(a) : stepBy(a, direction[i], h))));
      if (!r.ok || !allFinite(r.value)) throw new ShapeError("not finite");
      return flat(r.value, shapeLike(value, () => 0));
    };
    const estimates = differences(g);
    const fd = compare(jv, estimates);
    let fdInconclusive = fd.status === "skip";
    if (fd.status === "fail") {
      return fail("jvp-vs-fd", `jvp ${fmt(jv)} vs finite differences ${fmt(estimates![2]!)} (relative error ${fd.error.toExponential(2)}) ${where} direction ${JSON.stringify(tangent)}`);
    }

    // Reverse mode.
    const cotangent = scalar ? 1 : shapeLike(value, () => 2 * random() - 1);
    const revArgs = deepClone(at);
    const revCotangent = deepClone(cotangent);
    const backward = run(reverse, scalar ? revArgs : [...revArgs, revCotangent]);
    const mode = scalar ? "grad" : "vjp";
    if (!backward.ok) return fail(backward.hang ? `${mode}-hang` : `${mode}-throws`, `${backward.error} ${where}`);
    if (!same(revArgs, at)) return fail(`${mode}-mutates`, `the arguments changed ${where}: ${JSON.stringify(revArgs)}`);
    if (!same(revCotangent, cotangent)) return fail(`${mode}-mutates`, `the cotangent changed ${where}`);
    const rr = backward.value as { value: unknown; grad: unknown };
    if (!same(rr.value, value)) {
      const mismatch = fail(`${mode}-value`, `value ${JSON.stringify(rr.value)}, primal ${JSON.stringify(value)} ${where}`);
      if (!nearly(rr.value, value)) return mismatch;
      deferred ??= mismatch;
    }
    let gv: number[];
    try {
      gv = flat(withInert(rr.grad, tangent), tangent);
    } catch (error) {
      return fail(`${mode}-shape`, `grad ${JSON.stringify(rr.grad)}: ${(error as Error).message} ${where}`);
    }
    const yb = flat(cotangent, shapeLike(value, () => 0));
    const xd = flat(tangent, tangent);
    const lhs = dot(jv, yb);
    const rhs = dot(xd, gv);
    const scale = Math.max(1, Math.abs(lhs), norm(jv) * norm(yb), norm(xd) * norm(gv));
    const gap = Math.abs(lhs - rhs) / scale;
    if (!(gap < IDENTITY_TOLERANCE)) {
      if (!(Number.isFinite(lhs) || Number.isFinite(rhs)) && fdInconclusive) {
        skipped++;
        continue;
      }
      return fail("dot-identity", `⟨J·ẋ, ȳ⟩ = ${lhs}, ⟨ẋ, Jᵀ·ȳ⟩ = ${rhs} (gap ${gap.toExponential(2)}) ${where}; jvp ${fmt(jv)}, ${mode} ${JSON.stringify(rr.grad)}, direction ${JSON.stringify(tangent)}`);
    }
    if (options.lanes) {
      const outcome = checkLanes(module[`${fn}JvpN`], jvp, at, tangent, value, random, where);
      if (outcome) return outcome;
    }
    if (options.nested && scalar && checked === 0) {
      const outcome = await checkNested(text, generated, signature.params, at, tangent, primal, reverse, options, random, where);
      if (outcome) return outcome;
    }
    if (hvp) {
      const outcome = checkHvp(hvp, reverse, value, at, direction, tangent, gv, random, where, (o) => (deferred ??= o), withInert);
      if (outcome === "skip") fdInconclusive = true;
      else if (outcome) return outcome;
    }
    if (fdInconclusive) skipped++;
    else checked++;
  }
  if (deferred) return deferred;
  if (checked === 0) return { status: "skip", reason: `no conclusive point (finite differences inconclusive, or overflow inside the function) (${skipped} skipped)` };
  // A value off in its last bits is reported only when nothing else fails (it would hide more).
  if (deferred) return deferred;
  return { status: "pass", points: checked, skipped };
}

/** HVP checks at one point: value, gradient, H·v against differences of the gradient, symmetry. */
/** A gradient with zeros for the parameters of `like` it leaves out (those no derivative flows from). */
export function inertAsZero(grad: unknown, like: Record<string, unknown>): unknown {
  if (!grad || typeof grad !== "object") return grad;
  return { ...Object.fromEntries(Object.entries(like).map(([k, v]) => [k, shapeLike(v, () => 0)])), ...(grad as object) };
}

function checkHvp(hvp: Callable, grad: Callable, value: unknown, at: unknown[], direction: unknown[], tangent: Record<string, unknown>, gradient: number[], random: () => number, where: string, defer: (o: Outcome) => void, withInert: (grad: unknown, like: Record<string, unknown>) => unknown = (g) => g): Outcome | "skip" | undefined {
  const args = deepClone(at);
  const dir = deepClone(tangent);
  const result = run(hvp, [...args, dir]);
  if (!result.ok) return fail(result.hang ? "hvp-hang" : "hvp-throws", `${result.error} ${where}`);
  if (!same(args, at)) return fail("hvp-mutates", `the arguments changed ${where}: ${JSON.stringify(args)}`);
  if (!same(dir, tangent)) return fail("hvp-mutates", `the direction changed ${where}`);
  const r = result.value as { value: unknown; grad: unknown; hvp: unknown };
  if (!same(r.value, value)) {
    const mismatch = fail("hvp-value", `value ${JSON.stringify(r.value)}, primal ${JSON.stringify(value)} ${where}`);
    if (!nearly(r.value, value)) return mismatch;
    defer(mismatch);
  }
  let g: number[];
  let hv: number[];
  try {
    g = flat(withInert(r.grad, tangent), tangent);
    hv = flat(withInert(r.hvp, tangent), tangent);
  } catch (error) {
    return fail("hvp-shape", `${(error as Error).message} ${where}`);
  }
  // The gradient fHvp returns is fGrad's, up to rounding (nothing promises the same bits).
  if (!(relErr(g, gradient) < 1e-12)) return fail("hvp-grad", `hvp's grad ${fmt(g)}, grad's ${fmt(gradient)} ${where}`);
  const G = (h: number) => {
    const r = run(grad, at.map((a, i) => (direction[i] === undefined ? deepClone(a) : stepBy(a, direction[i], h))));
    if (!r.ok || !allFinite((r.value as { grad: unknown }).grad)) throw new ShapeError("not finite");
    return flat(withInert((r.value as { grad: unknown }).grad, tangent), tangent);
  };
  const estimates = differences(G);
  const fd = compare(hv, estimates);
  if (fd.status === "fail") return fail("hvp-vs-fd", `hvp ${fmt(hv)} vs finite differences of the gradient ${fmt(estimates![2]!)} (relative error ${fd.error.toExponential(2)}) ${where} direction ${JSON.stringify(tangent)}`);
  // Symmetry: ⟨u, H·v⟩ = ⟨v, H·u⟩.
  const u = shapeLike(tangent, () => 2 * random() - 1) as Record<string, unknown>;
  const other = run(hvp, [...deepClone(at), deepClone(u)]);
  if (!other.ok) return fail(other.hang ? "hvp-hang" : "hvp-throws", `${other.error} ${where}`);
  let hu: number[];
  try {
    hu = flat(withInert((other.value as { hvp: unknown }).hvp, tangent), tangent);
  } catch (error) {
    return fail("hvp-shape", `${(error as Error).message} ${where}`);
  }
  const uf = flat(u, tangent);
  const vf = flat(tangent, tangent);
  const lhs = dot(uf, hv);
  const rhs = dot(vf, hu);
  const scale = Math.max(1, Math.abs(lhs), norm(uf) * norm(hv), norm(vf) * norm(hu));
  if (!(Math.abs(lhs - rhs) / scale < IDENTITY_TOLERANCE)) {
    if (fd.status === "skip" && !(Number.isFinite(lhs) && Number.isFinite(rhs))) return "skip";
    return fail("hvp-symmetry", `⟨u, H·v⟩ = ${lhs}, ⟨v, H·u⟩ = ${rhs} ${where}; H·v ${fmt(hv)}, H·u ${fmt(hu)}, v ${JSON.stringify(tangent)}, u ${JSON.stringify(u)}`);
  }
  return fd.status === "skip" ? "skip" : undefined;
}

/**
 * Central differences of `g` at 0 with one Richardson step, for steps 1e-2, 1e-3, 1e-4;
 * undefined when the output changes shape or leaves the finite range nearby.
 */
export function differences(g: (h: number) => number[]): number[][] | undefined {
  try {
    return [1e-2, 1e-3, 1e-4].map((h) => {
      const central = (s: number) => {
        const plus = g(s);
        const minus = g(-s);
        if (plus.length !== minus.length) throw new ShapeError("shape changes");
        return plus.map((p, i) => (p - minus[i]!) / (2 * s));
      };
      const coarse = central(h);
      const fine = central(h / 2);
      if (coarse.length !== fine.length) throw new ShapeError("shape changes");
      return fine.map((v, i) => (4 * v - coarse[i]!) / 3);
    });
  } catch (error) {
    if (error instanceof ShapeError) return undefined;
    throw error;
  }
}

/**
 * A derivative against finite-difference estimates: pass within FD_TOLERANCE of one of them;
 * skip when the estimates disagree among themselves (a kink or a branch switch within a step);
 * fail otherwise.
 */
export function compare(actual: number[], estimates: number[][] | undefined): { status: "pass" | "skip" } | { status: "fail"; error: number } {
  if (!estimates) return { status: "skip" };
  if (estimates.some((e) => e.length !== actual.length)) return { status: "skip" };
  const error = Math.min(...estimates.map((e) => relErr(actual, e)));
  if (error < FD_TOLERANCE) return { status: "pass" };
  let spread = 0;
  for (const a of estimates) for (const b of estimates) spread = Math.max(spread, relErr(a, b));
  if (spread > KINK_SPREAD || error < 10 * spread || !Number.isFinite(spread)) return { status: "skip" };
  return { status: "fail", error };
}

export function fmt(v: number[]): string {
  return `[${v
    .slice(0, 6)
    .map((x) => x.toPrecision(8))
    .join(", ")}${v.length > 6 ? ", …" : ""}]`;
}
