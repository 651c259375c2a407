/**
 * The fuzzer's checks of vector forward mode and of nested derivatives, at one point of a program
 * (see check.ts):
 *
 * - `lanes`: `fJvpN` with three directions (the point's own and two random ones) equals, lane by
 *   lane, `fJvp` along each direction alone (`jvpN-vs-jvp`), and changes none of its arguments.
 * - `nested`: a function that calls the generated gradient,
 *   `outer(p…) = f(p…) + Σ wᵢ · fGrad(p…).grad[i]` with random weights, is compiled too; its JVP
 *   is checked against central differences of that sum (`nested-jvp-vs-fd`) and its gradient
 *   against its JVP by the dot-product identity (`nested-dot-identity`).
 */
import ts from "typescript";
import { compile, type EmitKind } from "../../src/pipeline.ts";
import { deepClone } from "../support/numeric.ts";
import { allFinite, compare, differences, fail, flat, fmt, load, relErr, run, same, shapeLike, ShapeError, stepBy, inertAsZero, type Callable, type CheckOptions, type Outcome } from "./check.ts";

const LANE_TOLERANCE = 1e-12;
const IDENTITY_TOLERANCE = 1e-9;

export function checkLanes(jvpN: Callable | undefined, jvp: Callable, at: unknown[], tangent: Record<string, unknown>, value: unknown, random: () => number, where: string): Outcome | undefined {
  if (!jvpN) return fail("load", "missing export fJvpN");
  const directions = [tangent, shapeLike(tangent, () => 2 * random() - 1), shapeLike(tangent, () => 2 * random() - 1)] as Record<string, unknown>[];
  const args = deepClone(at);
  const given = deepClone(directions);
  const result = run(jvpN, [...args, given]);
  if (!result.ok) return fail(result.hang ? "jvpN-hang" : "jvpN-throws", `${result.error} ${where}`);
  if (!same(args, at) || !same(given, directions)) return fail("jvpN-mutates", `the arguments or directions changed ${where}`);
  const r = result.value as { value: unknown; tangents: unknown[] };
  if (!same(r.value, value)) return fail("jvpN-value", `value ${JSON.stringify(r.value)}, primal ${JSON.stringify(value)} ${where}`);
  if (!r.tangents || r.tangents.length !== directions.length) return fail("jvpN-shape", `${r.tangents?.length} tangents for ${directions.length} directions ${where}`);
  const shape = shapeLike(value, () => 0);
  for (let lane = 0; lane < directions.length; lane++) {
    const single = run(jvp, [...deepClone(at), deepClone(directions[lane])]);
    if (!single.ok) return fail("jvp-throws", `${single.error} ${where}`);
    let mine: number[];
    let theirs: number[];
    try {
      mine = flat(r.tangents[lane], shape);
      theirs = flat((single.value as { tangent: unknown }).tangent, shape);
    } catch (error) {
      return fail("jvpN-shape", `lane ${lane}: ${(error as Error).message} ${where}`);
    }
    if (!(relErr(mine, theirs) <= LANE_TOLERANCE) && !(mine.every(Number.isNaN) && theirs.every(Number.isNaN))) {
      return fail("jvpN-vs-jvp", `lane ${lane}: ${fmt(mine)}, single JVP ${fmt(theirs)} ${where} direction ${JSON.stringify(directions[lane])}`);
    }
  }
  return undefined;
}

/** `g.x[0]`, `g.p.a[1]`, …: where each number of a gradient shaped like `shape` is. */
function leafPaths(shape: unknown, path: string, out: string[] = []): string[] {
  if (typeof shape === "number") out.push(path);
  else if (Array.isArray(shape)) shape.forEach((e, i) => leafPaths(e, `${path}[${i}]`, out));
  else if (shape && typeof shape === "object") for (const [k, e] of Object.entries(shape)) leafPaths(e, /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, out);
  return out;
}

/** The entry's parameter declarations as written (`x: number[]`). */
function parameterTexts(text: string): string[] {
  const file = ts.createSourceFile("x.ts", text, ts.ScriptTarget.ES2022);
  for (const s of file.statements) if (ts.isFunctionDeclaration(s) && s.name?.text === "f") return s.parameters.map((p) => p.getText(file));
  return [];
}

export async function checkNested(text: string, generated: string, params: string[], at: unknown[], tangent: Record<string, unknown>, primal: Callable, grad: Callable, options: CheckOptions, random: () => number, where: string): Promise<Outcome | undefined> {
  // The gradient leaves out parameters no derivative flows from: the outer function reads what it has.
  const first = run(grad, deepClone(at));
  if (!first.ok) return undefined;
  const gradShape = (first.value as { grad: unknown }).grad;
  const paths = leafPaths(gradShape, "g");
  if (paths.length === 0) return undefined;
  const weights = paths.map(() => Math.round(200 * random() - 100) / 100);
  const call = params.join(", ");
  const outer = [
    `import { f } from "./program.ts";`,
    `import { fGrad } from "./program.grad.ts";`,
    `export function outer(${params.map((p, i) => `${p}: Parameters<typeof f>[${i}]`).join(", ")}): number {`,
    `  const g = fGrad(${call}).grad;`,
    `  return f(${call}) + ${paths.map((p, i) => `${weights[i]} * ${p}`).join(" + ")};`,
    `}`,
  ].join("\n");
  const sources = new Map([
    ["/fuzz/program.ts", text],
    ["/fuzz/program.grad.ts", generated],
    ["/fuzz/outer.ts", outer],
  ]);
  let module: Record<string, Callable>;
  try {
    const build = (emit: EmitKind[]) => compile({ files: ["/fuzz/outer.ts"], fn: ["outer"], emit, sources, inline: options.inline, ...(options.wrt ? { wrt: options.wrt } : {}) });
    let result = await build(["jvp", "grad"]);
    // Reverse over the gradient of a recursive function that takes arrays is rejected with
    // TSAD2010 (its pullback writes into its adjoint parameter): a documented limit. Forward over
    // reverse is still checked there.
    if (result.diagnostics.length > 0 && result.diagnostics.every((d) => d.code === 2010)) result = await build(["jvp"]);
    if (result.diagnostics.length > 0) return fail("nested-diagnostic", `${result.diagnostics.map((d) => `TSAD${d.code} ${d.message} (line ${d.at?.line})`).join("\n")}\n${outer}`, String(result.diagnostics[0]!.code));
    module = load(result.modules[0]!.text);
  } catch (error) {
    return fail("nested-crash", `${error instanceof Error ? error.message : String(error)}\n${outer}`);
  }
  // The nested function, evaluated with the generated gradient the source imports.
  const value = (args: unknown[]): number => {
    const p = run(primal, deepClone(args));
    const g = run(grad, deepClone(args));
    if (!p.ok || !g.ok) throw new ShapeError("throws");
    const leaves = flat((g.value as { grad: unknown }).grad, gradShape);
    return (p.value as number) + leaves.reduce((sum, x, i) => sum + weights[i]! * x, 0);
  };
  const direction = at.map((_, i) => tangent[params[i]!]);
  const forward = run(module.outerJvp!, [...deepClone(at), deepClone(tangent)]);
  if (!forward.ok) return fail("nested-jvp-throws", `${forward.error} ${where}\n${outer}`);
  const jv = (forward.value as { tangent: number }).tangent;
  const estimates = differences((h) => {
    const v = value(at.map((a, i) => (direction[i] === undefined ? deepClone(a) : stepBy(a, direction[i], h))));
    if (!allFinite(v)) throw new ShapeError("not finite");
    return [v];
  });
  const fd = compare([jv], estimates);
  if (fd.status === "fail") return fail("nested-jvp-vs-fd", `jvp ${jv} vs finite differences ${estimates![2]![0]} ${where}\n${outer}`);
  if (!module.outerGrad) return undefined;
  const backward = run(module.outerGrad, deepClone(at));
  if (!backward.ok) return fail("nested-grad-throws", `${backward.error} ${where}\n${outer}`);
  if (options.nestedReverse === false) return undefined;
  const gv = flat(inertAsZero((backward.value as { grad: unknown }).grad, tangent), tangent);
  const xd = flat(tangent, tangent);
  const rhs = gv.reduce((sum, x, i) => sum + x * xd[i]!, 0);
  const scale = Math.max(1, Math.abs(jv), Math.hypot(...gv) * Math.hypot(...xd));
  if (!(Math.abs(jv - rhs) / scale < IDENTITY_TOLERANCE) && fd.status === "pass") return fail("nested-dot-identity", `outer JVP ${jv}, ⟨ẋ, ∇outer⟩ = ${rhs} ${where}\n${outer}`);
  return undefined;
}
