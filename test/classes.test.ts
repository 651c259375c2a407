/**
 * Differentiating a class's methods themselves (`--fn Vec2.norm`, or a method tagged
 * `@differentiate`): the generated `Vec2_normGrad(self, …)` takes the instance as `self`, and its
 * gradient (with respect to the instance's fields and the other parameters) and Hessian-vector
 * product agree with central differences of the method called on real instances.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compile, UsageError } from "../src/pipeline.ts";
import { importGenerated } from "./support/generate.ts";
import { centralDifferences, relativeError } from "./support/numeric.ts";

const SCRATCH = resolve(import.meta.dirname, "../.tsad-tmp");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SOURCE = `
export class Vec2 {
  constructor(public x: number, public y: number) {}
  get lengthSquared(): number {
    return this.x * this.x + this.y * this.y;
  }
  norm(): number {
    return Math.sqrt(this.lengthSquared);
  }
  /** @differentiate emit=grad,hvp */
  scaledDot(other: Vec2, k: number): number {
    return k * Math.sin(this.x * other.x + this.y * other.y);
  }
}
`;

function write(text: string): string {
  mkdirSync(SCRATCH, { recursive: true });
  const dir = mkdtempSync(join(SCRATCH, "classes-"));
  dirs.push(dir);
  writeFileSync(join(dir, "vec.ts"), text);
  return join(dir, "vec.ts");
}

type Vec = { x: number; y: number };
type Gradient = { value: number; grad: Record<string, Vec | number>; hvp?: Record<string, Vec | number> };

describe("class methods as targets", () => {
  it("`--fn Vec2.norm` differentiates the method with respect to the instance", async () => {
    const path = write(SOURCE);
    const result = await compile({ files: [path], fn: ["Vec2.norm"], emit: ["grad", "hvp"] });
    expect(result.diagnostics).toEqual([]);
    const module = await importGenerated("classes-norm", result.modules[0]!.text);
    const { Vec2 } = (await import(path)) as { Vec2: new (x: number, y: number) => { norm(): number } };
    const at = { x: 0.6, y: -1.7 };
    const { value, grad } = module.Vec2_normGrad!(new Vec2(at.x, at.y)) as Gradient;
    expect(value).toBe(new Vec2(at.x, at.y).norm());
    const fd = (field: "x" | "y") => centralDifferences((h) => [new Vec2(at.x + (field === "x" ? h : 0), at.y + (field === "y" ? h : 0)).norm()]);
    for (const field of ["x", "y"] as const) {
      expect(Math.min(...fd(field).map((e) => relativeError([(grad.self as Vec)[field]], e)))).toBeLessThan(1e-6);
    }
  });

  it("a tagged method: gradient and HVP with respect to the instance, another instance and a number", async () => {
    const path = write(SOURCE);
    const result = await compile({ files: [path] });
    expect(result.diagnostics).toEqual([]);
    const module = await importGenerated("classes-dot", result.modules[0]!.text);
    const { Vec2 } = (await import(path)) as { Vec2: new (x: number, y: number) => { scaledDot(o: unknown, k: number): number } };
    const point = [0.4, -0.3, 1.1, 0.9, 2.0];
    const primal = (p: number[]) => new Vec2(p[0]!, p[1]!).scaledDot(new Vec2(p[2]!, p[3]!), p[4]!);
    const flat = (g: Record<string, Vec | number>) => [(g.self as Vec).x, (g.self as Vec).y, (g.other as Vec).x, (g.other as Vec).y, g.k as number];
    const gradAt = (p: number[]) => flat((module.Vec2_scaledDotGrad!(new Vec2(p[0]!, p[1]!), new Vec2(p[2]!, p[3]!), p[4]!) as Gradient).grad);
    const direction = [0.3, -0.5, 0.2, 0.7, -0.4];
    const moved = (h: number) => point.map((v, i) => v + h * direction[i]!);
    const along = (g: number[]) => g.reduce((s, v, i) => s + v * direction[i]!, 0);
    expect(Math.min(...centralDifferences((h) => [primal(moved(h))]).map((e) => relativeError([along(gradAt(point))], e)))).toBeLessThan(1e-6);
    const hvp = module.Vec2_scaledDotHvp!(new Vec2(point[0]!, point[1]!), new Vec2(point[2]!, point[3]!), point[4]!, { self: { x: direction[0], y: direction[1] }, other: { x: direction[2], y: direction[3] }, k: direction[4] }) as Gradient;
    expect(Math.min(...centralDifferences((h) => gradAt(moved(h))).map((e) => relativeError(flat(hvp.hvp!), e)))).toBeLessThan(1e-6);
  });

  it("a module with classes only names their methods when there is nothing to differentiate", async () => {
    const path = write(SOURCE.replace(/\/\*\*.*\*\//, ""));
    await expect(compile({ files: [path] })).rejects.toThrow(UsageError);
    await expect(compile({ files: [path] })).rejects.toThrow(/Vec2\.lengthSquared, Vec2\.norm, Vec2\.scaledDot|Vec2\.norm, Vec2\.scaledDot, Vec2\.lengthSquared/);
  });
});
