/**
 * User-supplied derivative rules (`@derivativeOf`): a function tsad cannot see (a package with
 * declarations only) or should not differentiate from its source gets its derivative from the
 * user's companion function, in forward mode, reverse mode and Hessian-vector products alike.
 * Every derivative is checked against central differences of the real function.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "../src/pipeline.ts";
import { centralDifferences, relativeError } from "./support/numeric.ts";

const SCRATCH = resolve(import.meta.dirname, "../.tsad-tmp");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A temporary project: `files` written under it, returns its path. */
function project(files: Record<string, string>): string {
  mkdirSync(SCRATCH, { recursive: true });
  const dir = mkdtempSync(join(SCRATCH, "rules-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A package with JavaScript and declarations only: tsad has no source to differentiate. */
const PACKAGE = {
  "node_modules/special-fns/package.json": JSON.stringify({ name: "special-fns", type: "module", main: "index.js", types: "index.d.ts" }),
  "node_modules/special-fns/index.js": `
export function smoothAbs(x) { return Math.sqrt(x * x + 0.01); }
export function logAddExp(a, b) { const m = Math.max(a, b); return m + Math.log(Math.exp(a - m) + Math.exp(b - m)); }
`,
  "node_modules/special-fns/index.d.ts": `
export declare function smoothAbs(x: number): number;
export declare function logAddExp(a: number, b: number): number;
`,
};

const RULES = `import { logAddExp, smoothAbs } from "special-fns";

/** @derivativeOf smoothAbs */
export function smoothAbsDerivative(x: number): number {
  return x / smoothAbs(x);
}

/** @derivativeOf logAddExp */
export function logAddExpPartials(a: number, b: number): [number, number] {
  const m = Math.max(a, b);
  const ea = Math.exp(a - m);
  const eb = Math.exp(b - m);
  return [ea / (ea + eb), eb / (ea + eb)];
}
`;

const MODEL = `import { logAddExp, smoothAbs } from "special-fns";

/** @differentiate emit=grad,jvp,hvp */
export function energy(x: number[], s: number): number {
  let total = 0;
  for (let i = 0; i + 1 < x.length; i++) total += smoothAbs(x[i + 1] - x[i]) * s + logAddExp(x[i] * s, x[i + 1] * x[i]);
  return total;
}
`;

type Fn = (...args: any[]) => any;

async function compileAndImport(dir: string, input: string, rules: string[] = []) {
  const result = await compile({ files: [join(dir, input)], rules: rules.map((r) => join(dir, r)) });
  expect(result.diagnostics).toEqual([]);
  const module = result.modules[0]!;
  writeFileSync(module.path, module.text);
  return { text: module.text, exports: (await import(module.path)) as Record<string, Fn> };
}

const x0 = [0.4, -0.3, 1.2, 0.05];
const s0 = 0.7;
const direction = { x: [0.3, -0.8, 0.5, 0.2], s: -0.4 };

describe("user derivative rules", () => {
  it("give forward, reverse and second-order derivatives of package functions tsad cannot see", async () => {
    const dir = project({ ...PACKAGE, "src/rules.ts": RULES, "src/model.ts": MODEL });
    const { text, exports } = await compileAndImport(dir, "src/model.ts", ["src/rules.ts"]);
    expect(text).toContain('import { logAddExp, smoothAbs } from "special-fns";');
    // One call of a two-parameter rule's companion gives both partials.
    for (const fn of text.split(/\n(?=(?:export )?function )/)) {
      const calls = fn.match(/logAddExpPartials\([^)]*\)/g) ?? [];
      expect(new Set(calls).size, fn).toBe(calls.length);
    }
    const { energy } = (await import(join(dir, "src/model.ts"))) as Record<string, Fn>;
    const along = (h: number, xs = x0, s = s0) => [xs.map((v, i) => v + h * direction.x[i]!), s + h * direction.s] as const;

    // Forward and reverse mode against central differences of the real (package) function.
    const jvp = exports.energyJvp!(x0, s0, direction).tangent as number;
    const { grad } = exports.energyGrad!(x0, s0) as { grad: { x: number[]; s: number } };
    const projected = grad.x.reduce((sum, g, i) => sum + g * direction.x[i]!, grad.s * direction.s);
    const estimates = centralDifferences((h) => [energy!(...along(h))]);
    expect(Math.min(...estimates.map((e) => relativeError([jvp], e)))).toBeLessThan(1e-7);
    expect(Math.min(...estimates.map((e) => relativeError([projected], e)))).toBeLessThan(1e-7);

    // Hessian-vector product against central differences of the generated gradient.
    const { hvp } = exports.energyHvp!(x0, s0, direction) as { hvp: { x: number[]; s: number } };
    const gradAlong = (h: number) => {
      const g = exports.energyGrad!(...along(h)).grad as { x: number[]; s: number };
      return [...g.x, g.s];
    };
    const hvpEstimates = centralDifferences(gradAlong);
    expect(Math.min(...hvpEstimates.map((e) => relativeError([...hvp.x, hvp.s], e)))).toBeLessThan(1e-6);
  });

  it("replace differentiating a function's own source, and the companion is copied into the module", async () => {
    const dir = project({
      "model.ts": `/** log(1 + eᶻ) without overflow: the branch would make tsad's derivative piecewise. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** @derivativeOf softplus */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function loss(w: number[], y: number[]): number {
  let total = 0;
  for (let i = 0; i < w.length; i++) total += softplus(-y[i] * w[i]) * (i + 1);
  return total;
}
`,
    });
    const result = await compile({ files: [join(dir, "model.ts")], emit: ["grad", "jvp"] });
    expect(result.diagnostics).toEqual([]);
    const { text, path } = result.modules[0]!;
    // Only `loss` is a default target: the rule and the function it covers are not differentiated.
    expect(text).not.toMatch(/softplusGrad|sigmoidGrad|softplusTangent/);
    expect(text).toContain('import { softplus } from "./model.js";');
    expect(text).toMatch(/^function sigmoid\(/m);
    writeFileSync(path, text);
    const generated = (await import(path)) as Record<string, Fn>;
    const w = [0.3, -2.5, 40, -0.1];
    const y = [1, -1, 1, 1];
    const { grad } = generated.lossGrad!(w, y) as { grad: { w: number[] } };
    const expected = w.map((wi, i) => (-y[i]! / (1 + Math.exp(y[i]! * wi))) * (i + 1));
    expect(relativeError(grad.w, expected)).toBeLessThan(1e-12);
    const tangent = generated.lossJvp!(w, y, { w: [1, 1, 1, 1], y: [0, 0, 0, 0] }).tangent as number;
    expect(Math.abs(tangent - expected.reduce((a, b) => a + b, 0))).toBeLessThan(1e-12);
  });

  it("report a malformed rule at the tag or the companion", async () => {
    const cases: [string, number, number, number][] = [
      [`/** @derivativeOf nothingHere */\nexport function d(x: number): number { return x; }\nexport function f(x: number): number { return x; }\n`, 4020, 1, 5],
      [`export function g(x: number, y: number): number { return x * y; }\n/** @derivativeOf g */\nexport function dg(x: number, y: number): number { return y; }\nexport function f(x: number): number { return g(x, x); }\n`, 4021, 3, 17],
      [`function g(x: number): number { return x; }\n/** @derivativeOf g */\nexport function dg(x: number): number { return 1; }\nexport function f(x: number): number { return g(x); }\n`, 4022, 2, 5],
    ];
    for (const [source, code, line, column] of cases) {
      const result = await compile({ files: [{ path: "/rules/bad.ts", text: source }] });
      expect(result.diagnostics.map((d) => [d.code, d.at?.line, d.at?.column])).toEqual([[code, line, column]]);
    }
  });
});
