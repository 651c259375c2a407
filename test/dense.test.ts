/**
 * Dense Jacobians and Hessians of every fixture, against independent references: each column
 * against central finite differences of the function (Jacobian) or of its gradient (Hessian);
 * J·v and uᵀJ against the generated JVP and VJP along random directions; H·v against the HVP;
 * Hessians symmetric. Rows and columns follow SPEC §3's flattening, which the generated
 * gradient's own key order spells out.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EmitKind } from "../src/pipeline.ts";
import { FIXTURES, fixtureNames, generate, importGenerated, loadConfig, parameterNames } from "./support/generate.ts";
import { centralDifferences, deepClone, flattenLike, hasNumbers, mapLeaves, relativeError, rng, step } from "./support/numeric.ts";

type Generated = Record<string, (...args: unknown[]) => unknown>;
const TOLERANCE = 1e-6;
const EXACT = 1e-9;

describe.each(fixtureNames())("fixture %s", (name) => {
  it("has a Jacobian (and for a number, a Hessian) that finite differences, JVPs and VJPs agree with", async () => {
    const config = await loadConfig(name);
    if (config.forwardOnly) return;
    const source = await import(join(FIXTURES, name, "input.ts"));
    const primal = source[config.fn] as (...args: unknown[]) => unknown;
    const scalar = typeof primal(...config.args()) === "number";
    const kinds: EmitKind[] = scalar ? ["jvp", "grad", "hvp", "hessian", "jacobian"] : ["jvp", "vjp", "jacobian"];
    const module = (await importGenerated(`dense-${name}`, await generate(name, config, kinds), join(FIXTURES, name))) as Generated;
    const random = rng(4242);
    const params = parameterNames(primal);
    const wrt = config.wrt ?? params.filter((_, i) => hasNumbers(config.args()[i]));
    const jitter = config.jitter ?? 0.1;
    const args = config.args().map((a, i) => (wrt.includes(params[i]!) ? mapLeaves(a, (x) => x + jitter * (2 * random() - 1)) : a));
    const call = (fn: string, ...extra: unknown[]) => module[`${config.fn}${fn}`]!(...deepClone(args), ...extra);

    const before = deepClone(args);
    const { value, jacobian } = module[`${config.fn}Jacobian`]!(...args) as { value: unknown; jacobian: number[][] };
    expect(args, "arguments unchanged").toEqual(before);
    expect(value).toEqual(primal(...deepClone(args)));

    // The selected inputs in flattening order: the shape of the gradient tsad returns.
    const zeroCotangent = scalar ? 1 : mapLeaves(value, () => 0);
    const inputShape = (scalar ? (call("Grad") as { grad: unknown }) : (call("Vjp", zeroCotangent) as { grad: unknown })).grad;
    const n = flattenLike(inputShape, inputShape).length;
    const m = scalar ? 1 : flattenLike(value, value).length;
    expect(jacobian.length, "one row per output").toBe(m);
    for (const row of jacobian) expect(row.length, "one column per input").toBe(n);

    const shaped = (vector: number[]) => {
      let k = 0;
      return mapLeaves(inputShape, () => vector[k++]!) as Record<string, unknown>;
    };
    const outputs = (at: unknown[]) => flattenLike(primal(...at), value);
    const along = (direction: Record<string, unknown>, h: number) => args.map((a, i) => (params[i]! in direction ? step(deepClone(a), direction[params[i]!], h) : deepClone(a)));

    // Columns against finite differences of the function.
    for (let k = 0; k < n; k++) {
      const unit = shaped(Array.from({ length: n }, (_, j) => (j === k ? 1 : 0)));
      const column = jacobian.map((row) => row[k]!);
      const error = Math.min(...centralDifferences((h) => outputs(along(unit, h))).map((estimate) => relativeError(column, estimate)));
      expect(error, `column ${k}`).toBeLessThan(TOLERANCE);
    }

    // J·v against one JVP, uᵀJ against one VJP (or the gradient).
    const v = Array.from({ length: n }, () => 2 * random() - 1);
    const jvp = flattenLike((call("Jvp", shaped(v)) as { tangent: unknown }).tangent, value);
    expect(relativeError(jacobian.map((row) => dot(row, v)), jvp)).toBeLessThan(EXACT);
    const u = Array.from({ length: m }, () => 2 * random() - 1);
    const cotangent = scalar ? u[0]! : mapLeaves(value, ((k) => () => u[k++]!)(0));
    const vjp = scalar ? flattenLike((call("Grad") as { grad: unknown }).grad, inputShape).map((g) => g * u[0]!) : flattenLike((call("Vjp", cotangent) as { grad: unknown }).grad, inputShape);
    const uJ = Array.from({ length: n }, (_, k) => jacobian.reduce((sum, row, i) => sum + u[i]! * row[k]!, 0));
    expect(relativeError(uJ, vjp)).toBeLessThan(EXACT);

    if (!scalar) return;
    const result = module[`${config.fn}Hessian`]!(...args) as { value: number; grad: unknown; hessian: number[][] };
    expect(args, "arguments unchanged").toEqual(before);
    expect(result.value).toEqual(value);
    expect(relativeError(flattenLike(result.grad, inputShape), flattenLike(inputShape, inputShape))).toBeLessThan(1e-13);
    const { hessian } = result;
    expect(hessian.length).toBe(n);
    const scale = Math.max(1, ...hessian.flat().map(Math.abs));
    for (let i = 0; i < n; i++) {
      expect(hessian[i]!.length).toBe(n);
      for (let j = 0; j < i; j++) expect(Math.abs(hessian[i]![j]! - hessian[j]![i]!) / scale, `H[${i}][${j}] = H[${j}][${i}]`).toBeLessThan(1e-12);
    }
    const gradient = (at: unknown[]) => flattenLike((module[`${config.fn}Grad`]!(...at) as { grad: unknown }).grad, inputShape);
    for (let k = 0; k < n; k++) {
      const unit = shaped(Array.from({ length: n }, (_, j) => (j === k ? 1 : 0)));
      const error = Math.min(...centralDifferences((h) => gradient(along(unit, h))).map((estimate) => relativeError(hessian[k]!, estimate)));
      expect(error, `row ${k}`).toBeLessThan(TOLERANCE);
    }
    const hvp = flattenLike((call("Hvp", shaped(v)) as { hvp: unknown }).hvp, inputShape);
    expect(relativeError(hessian.map((row) => dot(row, v)), hvp)).toBeLessThan(EXACT);
  });
});

function dot(a: number[], b: number[]): number {
  return a.reduce((sum, x, i) => sum + x * b[i]!, 0);
}

describe("a Jacobian whose mode is chosen when it runs", () => {
  it("uses reverse mode for more inputs than outputs and matches the closed form", async () => {
    const config = await loadConfig("jacobian-runtime");
    const module = (await importGenerated("dense-runtime", await generate("jacobian-runtime", config, ["jacobian"]))) as Generated;
    // One number in x: two inputs (x₀, scale), one output scale·x₀·tanh(x₀).
    const [x, scale] = [0.7, 1.5];
    const { jacobian } = module.pairwiseProductsJacobian!([x], scale) as { jacobian: number[][] };
    const sech2 = 1 / Math.cosh(x) ** 2;
    expect(relativeError(jacobian[0]!, [scale * (Math.tanh(x) + x * sech2), x * Math.tanh(x)])).toBeLessThan(1e-14);
    expect(jacobian.length).toBe(1);
  });
});
