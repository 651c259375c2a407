/**
 * Vector forward mode (`--emit jvpN`): on every fixture, `fJvpN` with three directions gives, lane
 * by lane, what `fJvp` gives along each direction alone (to rounding: the same operations in the
 * same order), leaves its arguments alone, and returns the primal value; with one direction and
 * with none it still works. `explain` counts the Jacobian by vector mode. (Dense Jacobians and
 * Hessians, which vector mode builds, are checked against finite differences in dense.test.ts.)
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explain } from "../src/pipeline.ts";
import { FIXTURES, fixtureNames, generate, importGenerated, loadConfig, parameterNames } from "./support/generate.ts";
import { deepClone, flattenLike, hasNumbers, mapLeaves, relativeError, rng } from "./support/numeric.ts";

describe.each(fixtureNames())("fixture %s", (name) => {
  it("has a k-lane JVP whose every lane is the single JVP along that direction", async () => {
    const config = await loadConfig(name);
    const module = await importGenerated(`vector-${name}`, await generate(name, config, ["jvp", "jvpN"]), join(FIXTURES, name));
    const source = await import(join(FIXTURES, name, "input.ts"));
    const primal = source[config.fn] as (...args: unknown[]) => unknown;
    const params = parameterNames(primal);
    const wrt = config.wrt ?? params.filter((_, i) => hasNumbers(config.args()[i]));
    const random = rng(99);
    const args = config.args();
    const directions = [0, 1, 2].map(() => Object.fromEntries(wrt.map((w) => [w, mapLeaves(args[params.indexOf(w)], () => 2 * random() - 1)])));
    const before = deepClone(args);
    const given = deepClone(directions);
    const result = module[`${config.fn}JvpN`]!(...args, given) as { value: unknown; tangents: unknown[] };
    expect(args).toEqual(before);
    expect(given).toEqual(directions);
    expect(result.value).toEqual(primal(...deepClone(args)));
    expect(result.tangents).toHaveLength(3);
    directions.forEach((direction, lane) => {
      const single = (module[`${config.fn}Jvp`]!(...deepClone(args), deepClone(direction)) as { tangent: unknown }).tangent;
      const shape = single;
      expect(relativeError(flattenLike(result.tangents[lane], shape), flattenLike(single, shape)), `lane ${lane}`).toBeLessThan(1e-13);
    });
    const one = module[`${config.fn}JvpN`]!(...deepClone(args), [deepClone(directions[1])]) as { tangents: unknown[] };
    expect(one.tangents).toHaveLength(1);
    expect(relativeError(flattenLike(one.tangents[0], result.tangents[1]), flattenLike(result.tangents[1], result.tangents[1]))).toBeLessThan(1e-13);
    const none = module[`${config.fn}JvpN`]!(...deepClone(args), []) as { value: unknown; tangents: unknown[] };
    expect(none.value).toEqual(result.value);
    expect(none.tangents).toHaveLength(0);
  });
});

describe("explain", () => {
  it("counts the Jacobian by vector mode: the primal once per 16 inputs, the tangent part once per input", async () => {
    const text = `export function scaleShift(x: number[], s: number): number[] {\n  return x.map((v) => Math.sin(v) * s + 1);\n}\n`;
    const result = await explain({ files: [{ path: "/virtual/explain/scale.ts", text }], sizes: new Map([["x.length", 40]]) });
    expect(result.diagnostics).toEqual([]);
    const e = result.explanations[0]!;
    // 41 inputs: 3 sweeps of the primal and 41 of the tangent part (one JVP is primal + tangent part).
    const primal = Number(e.operations.primal.replace(/·x\.length.*/, "")) * 40;
    const jvp = Number(e.operations.jvp.replace(/·x\.length.*/, "")) * 40;
    expect(e.text).toContain(`Jacobian, vector`);
    const vector = /Jacobian, vector +[^(]*\(([\d,]+) at the given sizes\)/.exec(e.text);
    expect(vector).not.toBeNull();
    expect(Number(vector![1]!.replace(/,/g, ""))).toBe(3 * primal + 41 * (jvp - primal));
  });
});
