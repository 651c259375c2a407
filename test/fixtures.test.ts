/**
 * Every fixture: the generated module matches its snapshot (fixtures/<name>/input.grad.ts), and
 * its derivatives agree with central finite differences at several random points. The generated
 * modules type-check under `--strict`.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, fixtureNames, generate, importGenerated, loadConfig } from "./support/generate.ts";
import { centralDifferences, deepClone, flattenLike, hasNumbers, mapLeaves, relativeError, rng, step } from "./support/numeric.ts";
import { typeCheck } from "./support/typecheck.ts";

const POINTS = 3;
const TOLERANCE = 1e-6;
const generated = new Map<string, string>();

describe.each(fixtureNames())("fixture %s", (name) => {
  it("generates the expected module", async () => {
    const config = await loadConfig(name);
    const text = await generate(name, config, ["jvp"]);
    generated.set(name, text);
    await expect(text).toMatchFileSnapshot(join(FIXTURES, name, "input.grad.ts"));
  });

  it("forward mode agrees with finite differences", async () => {
    const config = await loadConfig(name);
    const text = generated.get(name) ?? (await generate(name, config, ["jvp"]));
    const module = await importGenerated(name, text);
    const source = await import(join(FIXTURES, name, "input.ts"));
    const primal = source[config.fn] as (...args: unknown[]) => unknown;
    const jvp = module[`${config.fn}Jvp`]!;
    const paramNames = parameterNames(primal);
    const wrt = config.wrt ?? paramNames.filter((_, i) => hasNumbers(config.args()[i]));
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
    }
  });
});

describe("generated modules", () => {
  it("type-check with --strict", () => {
    const problems = typeCheck(generated);
    expect(problems).toEqual([]);
  });
});

function parameterNames(fn: (...args: never[]) => unknown): string[] {
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
