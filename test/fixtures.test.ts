/**
 * Every fixture: the generated module matches its snapshot (fixtures/<name>/input.grad.ts); its
 * forward mode agrees with central finite differences at several random points; its reverse
 * mode (`Grad` for scalar outputs, `Vjp` otherwise) agrees with forward mode by the dot-product
 * identity ⟨J·ẋ, ȳ⟩ = ⟨ẋ, Jᵀ·ȳ⟩ and with finite differences; for scalar outputs the HVP agrees with
 * finite differences of the gradient; no generated function changes its arguments. The generated
 * modules type-check under `--strict`.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, fixtureNames, generate, importGenerated, loadConfig, parameterNames } from "./support/generate.ts";
import { centralDifferences, deepClone, flattenLike, hasNumbers, mapLeaves, relativeError, rng, step } from "./support/numeric.ts";
import { typeCheck } from "./support/typecheck.ts";
import type { FixtureConfig } from "./fixture-config.ts";
import type { EmitKind } from "../src/pipeline.ts";

const POINTS = 3;
const TOLERANCE = 1e-6;
const IDENTITY_TOLERANCE = 1e-9;
const generated = new Map<string, string>();

describe.each(fixtureNames())("fixture %s", (name) => {
  it("generates the expected module", async () => {
    const config = await loadConfig(name);
    const text = await generate(name, config, await kindsFor(name, config));
    generated.set(name, text);
    await expect(text).toMatchFileSnapshot(join(FIXTURES, name, "input.grad.ts"));
  });

  it("forward mode agrees with finite differences", async () => {
    const config = await loadConfig(name);
    const text = generated.get(name) ?? (await generate(name, config, await kindsFor(name, config)));
    const module = await importGenerated(name, text, join(FIXTURES, name));
    const source = await import(join(FIXTURES, name, "input.ts"));
    const primal = source[config.fn] as (...args: unknown[]) => unknown;
    const jvp = module[`${config.fn}Jvp`]!;
    const paramNames = parameterNames(primal);
    const numeric = paramNames.filter((_, i) => hasNumbers(config.args()[i]));
    const wrt = config.wrt ?? defaultWrt(module, config, primal);
    if (!config.wrt) {
      // By default tsad leaves out a parameter only when no derivative flows from it: the
      // function does not change along any direction in it.
      for (const left of numeric.filter((n) => !wrt.includes(n))) {
        const random = rng(99);
        const i = paramNames.indexOf(left);
        const direction = mapLeaves(config.args()[i], () => 2 * random() - 1);
        const along = (h: number) => flattenLike(primal(...config.args().map((a, j) => (j === i ? step(a, direction, h) : a))), primal(...config.args()));
        for (const estimate of centralDifferences(along)) expect(norm(estimate), `${left} was left out of the default wrt`).toBeLessThan(TOLERANCE);
      }
    }
    for (let point = 0; point < POINTS; point++) {
      const random = rng(1000 * point + 17);
      const jitter = config.jitter ?? 0.1;
      const base = config.args();
      const args = base.map((a, i) => (wrt.includes(paramNames[i]!) && point > 0 ? mapLeaves(a, (x) => x + jitter * (2 * random() - 1)) : a));
      // Keep non-wrt arguments exactly as given (integers stay integers, data stays data).
      const fixed = args.map((a, i) => (wrt.includes(paramNames[i]!) ? a : base[i]));
      const direction = fixed.map((a, i) => (wrt.includes(paramNames[i]!) ? mapLeaves(a, () => 2 * random() - 1) : undefined));
      const tangent = Object.fromEntries(wrt.map((w) => [w, direction[paramNames.indexOf(w)]]));
      const before = deepClone(fixed);
      const result = jvp(...deepClone(fixed), deepClone(tangent)) as { value: unknown; tangent: unknown };
      expect(deepClone(fixed)).toEqual(before);
      const expectedValue = primal(...deepClone(fixed));
      expect(result.value).toEqual(expectedValue);
      const g = (h: number) => flattenLike(primal(...fixed.map((a, i) => (direction[i] === undefined ? deepClone(a) : step(a, direction[i], h)))), result.tangent);
      const actual = flattenLike(result.tangent, result.tangent);
      const estimates = centralDifferences(g);
      const error = Math.min(...estimates.map((e) => relativeError(actual, e)));
      expect(error, `point ${point}: jvp ${actual.slice(0, 6)} vs fd ${estimates[1]!.slice(0, 6)}`).toBeLessThan(TOLERANCE);

      // Reverse mode at the same point, with a random cotangent.
      if (config.forwardOnly) continue;
      const scalar = typeof expectedValue === "number";
      const cotangent = scalar ? 1 : mapLeaves(result.tangent, () => 2 * random() - 1);
      const cotangentBefore = deepClone(cotangent);
      const reverse = (scalar ? module[`${config.fn}Grad`]!(...deepClone(fixed)) : module[`${config.fn}Vjp`]!(...deepClone(fixed), cotangent)) as { value: unknown; grad: Record<string, unknown> };
      expect(cotangent).toEqual(cotangentBefore);
      expect(reverse.value).toEqual(expectedValue);
      const jvpDotCotangent = dot(flattenLike(result.tangent, result.tangent), flattenLike(cotangent, result.tangent));
      const directionDotGrad = dot(flattenLike(tangent, tangent), flattenLike(reverse.grad, tangent));
      const scale = Math.max(1, Math.abs(jvpDotCotangent), norm(flattenLike(result.tangent, result.tangent)) * norm(flattenLike(cotangent, result.tangent)));
      expect(Math.abs(jvpDotCotangent - directionDotGrad) / scale, `point ${point}: ⟨Jẋ,ȳ⟩ = ${jvpDotCotangent}, ⟨ẋ,Jᵀȳ⟩ = ${directionDotGrad}`).toBeLessThan(IDENTITY_TOLERANCE);
      const fdDotCotangent = estimates.map((e) => dot(e, flattenLike(cotangent, result.tangent)));
      const reverseError = Math.min(...fdDotCotangent.map((e) => Math.abs(e - directionDotGrad) / Math.max(1, Math.abs(e))));
      expect(reverseError, `point ${point}: ⟨ẋ,Jᵀȳ⟩ = ${directionDotGrad} vs finite differences ${fdDotCotangent[1]}`).toBeLessThan(TOLERANCE);

      // Second order: the HVP against central differences of the gradient along the same direction.
      if (!scalar) continue;
      const hvpResult = module[`${config.fn}Hvp`]!(...deepClone(fixed), deepClone(tangent)) as { value: number; grad: unknown; hvp: unknown };
      expect(hvpResult.value).toEqual(expectedValue);
      // The same gradient, up to rounding (the two functions are printed from different IR).
      expect(relativeError(flattenLike(hvpResult.grad, tangent), flattenLike(reverse.grad, tangent))).toBeLessThan(1e-13);
      const gradAt = (h: number) => flattenLike((module[`${config.fn}Grad`]!(...fixed.map((a, i) => (direction[i] === undefined ? deepClone(a) : step(a, direction[i], h)))) as { grad: unknown }).grad, tangent);
      const hvp = flattenLike(hvpResult.hvp, tangent);
      const hvpError = Math.min(...centralDifferences(gradAt).map((e) => relativeError(hvp, e)));
      expect(hvpError, `point ${point}: hvp ${hvp.slice(0, 6)}`).toBeLessThan(TOLERANCE);
    }
  });
});

/** Forward mode always; reverse mode as `--emit` defaults: `grad` for a number, `vjp` otherwise. */
async function kindsFor(name: string, config: FixtureConfig): Promise<EmitKind[]> {
  if (config.emit) return config.emit as EmitKind[];
  const source = await import(join(FIXTURES, name, "input.ts"));
  return typeof source[config.fn](...config.args()) === "number" ? ["jvp", "grad", "hvp"] : ["jvp", "vjp"];
}

/** The parameters the generated module differentiates with respect to by default: the keys of its gradient. */
function defaultWrt(module: Record<string, (...args: unknown[]) => unknown>, config: FixtureConfig, primal: (...args: unknown[]) => unknown): string[] {
  const value = primal(...config.args());
  const reverse = (typeof value === "number" ? module[`${config.fn}Grad`]!(...config.args()) : module[`${config.fn}Vjp`]!(...config.args(), mapLeaves(value, () => 1))) as { grad: Record<string, unknown> };
  return Object.keys(reverse.grad);
}

function dot(a: number[], b: number[]): number {
  return a.reduce((sum, x, i) => sum + x * b[i]!, 0);
}

function norm(a: number[]): number {
  return Math.sqrt(dot(a, a));
}

describe("generated modules", () => {
  /** Every fixture's module (those the tests above did not make, when they were filtered out). */
  async function allGenerated(): Promise<Map<string, string>> {
    for (const name of fixtureNames()) {
      if (generated.has(name)) continue;
      const config = await loadConfig(name);
      generated.set(name, await generate(name, config, await kindsFor(name, config)));
    }
    return generated;
  }

  it("type-check under the strictest tsconfig options (one program for every fixture)", async () => {
    const problems = typeCheck(await allGenerated(), (name) => join(FIXTURES, name, "input.grad.ts"));
    expect(problems).toEqual([]);
  });

  it("have no empty if blocks and no multiplications by one", async () => {
    for (const [name, text] of await allGenerated()) {
      expect(text, name).not.toMatch(/\bif \([^\n]*\) \{\n\s*\}/);
      // (Comments quote the source, which may multiply by one.)
      const code = text.replace(/\/\/.*$/gm, "");
      expect(code, name).not.toMatch(/(?<![\w.])1 \* |[^\w.\s]\s*\* 1(?![\w.])|\w \* 1(?![\w.])/);
    }
  });

  it("never evaluate strings and import nothing but their own source", async () => {
    for (const [name, text] of await allGenerated()) {
      expect(text, name).not.toMatch(/\beval\s*\(|new\s+Function\b|\bFunction\s*\(|\brequire\s*\(/m);
      // A user's derivative rule is called from the source module; nothing else is imported.
      for (const line of text.split("\n").filter((l) => /^import\b/.test(l))) expect(line, name).toMatch(/^import \{[\w, ]+\} from "\.\/input\.js";$/);
    }
  });
});
