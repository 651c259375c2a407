/**
 * Nested derivatives: functions that call tsad-generated derivatives are differentiated in every
 * combination of modes, without perturbation confusion, checked against closed forms; GradBench's
 * saddle and particle computations reach the evals' expected points in all four variants; the
 * generated modules that fixtures import are what tsad generates now.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, type EmitKind } from "../src/pipeline.ts";
import { FIXTURES, importGenerated } from "./support/generate.ts";
import { saddle } from "../bench/problems/saddle.ts";
import { particle } from "../bench/problems/particle.ts";

const dir = "/virtual/nested";

/** Compiles `text` as `name.ts` beside `others` (path → text), all in memory; returns the module's text. */
async function generateText(name: string, text: string, emit: EmitKind[], others: Map<string, string> = new Map(), fn?: string[], wrt?: string[]): Promise<string> {
  const result = await compile({ files: [{ path: join(dir, `${name}.ts`), text }], sources: others, emit, fn, wrt });
  if (result.diagnostics.length > 0) throw new Error(result.diagnostics.map((d) => `${d.message} at ${d.at?.line}:${d.at?.column}`).join("\n"));
  return result.modules[0]!.text;
}

// d/dy (x·y²) = 2xy; the outer function is x · that at y = 1, i.e. 2x², whose derivative is 4x.
// A tool that confused the two perturbations would also differentiate the inner x.
const INNER = `export function inner(x: number, y: number): number {
  return x * y * y;
}
`;

const OUTERS = {
  reverse: `import { innerGrad } from "./inner.grad.ts";
export function outer(x: number): number {
  return x * innerGrad(x, 1).grad.y;
}
`,
  forward: `import { innerJvp } from "./inner.grad.ts";
export function outer(x: number): number {
  return x * innerJvp(x, 1, { y: 1 }).tangent;
}
`,
  vjp: `import { innerVjp } from "./inner.grad.ts";
export function outer(x: number): number {
  return x * innerVjp(x, 1, 1).grad.y;
}
`,
  hvp: `import { innerHvp } from "./inner.grad.ts";
export function outer(x: number): number {
  // d²/dy² (x·y²) = 2x: the HVP along 1 is 2x, and the outer function is 2x², as above.
  return x * innerHvp(x, 1, { y: 1 }).hvp.y;
}
`,
};

describe("nested derivatives", () => {
  it.each(Object.keys(OUTERS) as (keyof typeof OUTERS)[])("d/dx [x · (inner %s derivative in y)] is 4x in forward and reverse mode, and 4 to second order", async (kind) => {
    const innerGrad = await generateText("inner", INNER, ["grad", "jvp", "vjp", "hvp"], new Map(), ["inner"], ["y"]);
    const sources = new Map([
      [join(dir, "inner.ts"), INNER],
      [join(dir, "inner.grad.ts"), innerGrad],
    ]);
    for (const inline of [true, false]) {
      const result = await compile({ files: [{ path: join(dir, "outer.ts"), text: OUTERS[kind] }], sources, emit: ["grad", "jvp", "hvp"], inline });
      expect(result.diagnostics).toEqual([]);
      const module = (await importGenerated(`nested-${kind}`, result.modules[0]!.text)) as Record<string, (...args: unknown[]) => any>;
      for (const x of [-1.5, 0.5, 3]) {
        expect(module.outerGrad!(x).value).toBeCloseTo(2 * x * x, 12);
        expect(module.outerGrad!(x).grad.x).toBeCloseTo(4 * x, 12);
        expect(module.outerJvp!(x, { x: 1 }).tangent).toBeCloseTo(4 * x, 12);
        expect(module.outerHvp!(x, { x: 1 }).hvp.x).toBeCloseTo(4, 12);
      }
    }
  });

  it("the classic: d/dx [x · d/dy (x + y)] at y = 1 is 1 in all four combinations", async () => {
    const inner = `export function add(x: number, y: number): number {\n  return x + y;\n}\n`;
    const generated = await generateText("add", inner, ["grad", "jvp"], new Map(), ["add"], ["y"]);
    const sources = new Map([
      [join(dir, "add.ts"), inner],
      [join(dir, "add.grad.ts"), generated],
    ]);
    const outer = `import { addGrad, addJvp } from "./add.grad.ts";
export function overReverse(x: number): number {
  return x * addGrad(x, 1).grad.y;
}
export function overForward(x: number): number {
  return x * addJvp(x, 1, { y: 1 }).tangent;
}
`;
    const result = await compile({ files: [{ path: join(dir, "classic.ts"), text: outer }], sources, emit: ["grad", "jvp"], inline: false });
    expect(result.diagnostics).toEqual([]);
    const module = (await importGenerated("nested-classic", result.modules[0]!.text)) as Record<string, (...args: unknown[]) => any>;
    for (const name of ["overReverse", "overForward"]) {
      expect(module[`${name}Grad`]!(2).grad.x, `reverse over ${name}`).toBe(1);
      expect(module[`${name}Jvp`]!(2, { x: 1 }).tangent, `forward over ${name}`).toBe(1);
    }
  });

  it("a module may import its own generated derivatives before they exist (the first run makes them)", async () => {
    const text = `import { squareGrad } from "./self.grad.ts";
/** @differentiate */
export function square(x: number): number {
  return x * x;
}
export function slope(x: number): number {
  return squareGrad(x).grad.x;
}
`;
    const first = await compile({ files: [{ path: join(dir, "self.ts"), text }], fn: ["square"] });
    expect(first.diagnostics).toEqual([]);
    expect(first.modules[0]!.text).toContain("export function squareGrad");
  });
});

describe("GradBench's nested evals", () => {
  // The evals' expected outputs, checked as GradBench does (|a − b| / max(|a| + |b|, 1) ≤ 1e-4), and tighter.
  const close = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a) + Math.abs(b), 1);

  it.each(["ff", "fr", "rf", "rr"] as const)("saddle %s reaches the expected saddle point from (1, 1)", (variant) => {
    const point = saddle(variant, [1, 1]);
    expect(point).toHaveLength(4);
    for (const coordinate of point) expect(close(coordinate, 8.246324826140356e-6)).toBeLessThan(1e-12);
  });

  it.each(["ff", "fr", "rf", "rr"] as const)("particle %s finds the control w from w = 0", (variant) => {
    expect(close(particle(variant, 0), 0.2071918746486116)).toBeLessThan(1e-12);
  });
});

describe("fixtures' imported derivative modules", () => {
  it.each(["nested-grad", "nested-jvp", "nested-vjp", "nested-hvp"])("%s/inner.grad.ts is what tsad generates now", async (name) => {
    const result = await compile({ files: [join(FIXTURES, name, "inner.ts")] });
    expect(result.diagnostics).toEqual([]);
    expect(result.modules[0]!.text).toBe(readFileSync(join(FIXTURES, name, "inner.grad.ts"), "utf8"));
  });
});
