/**
 * Functions a new user would write, one of each kind in SPEC §1, compiled from source text; their
 * JVPs and gradients are compared with derivatives worked out by hand (relative 1e-8).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../src/pipeline.ts";
import { importGenerated } from "./support/generate.ts";

const TOLERANCE = 1e-8;

async function build(source: string, fn: string, emit: ("jvp" | "grad" | "vjp")[], wrt?: string[]) {
  const path = `/closed-form/${fn}.ts`;
  const result = await compile({ files: [path], fn: [fn], wrt, emit, sources: new Map([[path, source]]) });
  expect(result.diagnostics).toEqual([]);
  return importGenerated(`closed-form-${fn}`, result.modules[0]!.text) as Promise<Record<string, (...args: any[]) => any>>;
}

function close(actual: number, expected: number): void {
  expect(Math.abs(actual - expected) / Math.max(1, Math.abs(expected))).toBeLessThan(TOLERANCE);
}

describe("closed forms", () => {
  it("a recurrence longer than a tape's first capacity: y ← sin(y), 5000 times, has dy/dx = Π cos(yₖ)", async () => {
    const m = await build(
      `export function iterate(x: number, n: number): number {
         let y = x;
         for (let i = 0; i < n; i++) y = Math.sin(y);
         return y;
       }`,
      "iterate",
      ["grad"],
      ["x"],
    );
    const [x, n] = [1.1, 5000];
    let y = x;
    let derivative = 1;
    for (let i = 0; i < n; i++) {
      derivative *= Math.cos(y);
      y = Math.sin(y);
    }
    const result = m.iterateGrad!(x, n);
    expect(result.value).toBe(y);
    // The derivative is about 8e-6: compare relatively, so that a lost tape entry shows.
    expect(Math.abs(result.grad.x - derivative) / Math.abs(derivative)).toBeLessThan(1e-10);
  });

  it("scalars and Math: f(x, y) = x²·sin y + e^(xy)", async () => {
    const m = await build(`export function f(x: number, y: number): number { return x * x * Math.sin(y) + Math.exp(x * y); }`, "f", ["jvp", "grad"]);
    const [x, y] = [0.7, -1.3];
    const fx = 2 * x * Math.sin(y) + y * Math.exp(x * y);
    const fy = x * x * Math.cos(y) + x * Math.exp(x * y);
    close(m.fJvp!(x, y, { x: 1, y: 0 }).tangent, fx);
    close(m.fJvp!(x, y, { x: 0.3, y: -2 }).tangent, 0.3 * fx - 2 * fy);
    const { grad } = m.fGrad!(x, y);
    close(grad.x, fx);
    close(grad.y, fy);
  });

  it("number[]: Σ cᵢ·xᵢ³ has gradient 3cᵢxᵢ²", async () => {
    const m = await build(
      `export function cubic(x: number[], c: readonly number[]): number {
         let s = 0;
         for (let i = 0; i < x.length; i++) s += c[i] * x[i] ** 3;
         return s;
       }`,
      "cubic",
      ["grad"],
      ["x"],
    );
    const x = [0.5, -1.2, 2.0];
    const c = [1, 3, -0.5];
    m.cubicGrad!(x, c).grad.x.forEach((g: number, i: number) => close(g, 3 * c[i]! * x[i]! ** 2));
  });

  it("Float64Array: ‖x‖ has gradient x/‖x‖", async () => {
    const m = await build(
      `export function norm(x: Float64Array): number {
         let s = 0;
         for (const v of x) s += v * v;
         return Math.sqrt(s);
       }`,
      "norm",
      ["grad", "jvp"],
    );
    const x = new Float64Array([3, -4, 12]);
    const { value, grad } = m.normGrad!(x);
    expect(value).toBe(13);
    expect(grad.x).toBeInstanceOf(Float64Array);
    grad.x.forEach((g: number, i: number) => close(g, x[i]! / 13));
    close(m.normJvp!(x, { x: new Float64Array([1, 1, 1]) }).tangent, (3 - 4 + 12) / 13);
  });

  it("nested arrays: xᵀAx has gradient (A + Aᵀ)x in x and x·xᵀ in A", async () => {
    const m = await build(
      `export function quadratic(A: number[][], x: number[]): number {
         let s = 0;
         for (let i = 0; i < x.length; i++) {
           for (let j = 0; j < x.length; j++) s += x[i] * A[i][j] * x[j];
         }
         return s;
       }`,
      "quadratic",
      ["grad"],
    );
    const A = [[1, 2], [-3, 0.5]];
    const x = [0.4, -1.1];
    const { grad } = m.quadraticGrad!(A, x);
    for (let i = 0; i < 2; i++) {
      close(grad.x[i], (A[i]![0]! + A[0]![i]!) * x[0]! + (A[i]![1]! + A[1]![i]!) * x[1]!);
      for (let j = 0; j < 2; j++) close(grad.A[i][j], x[i]! * x[j]!);
    }
  });

  it("tuples in and out: polar to cartesian", async () => {
    const m = await build(
      `export function cartesian(p: [number, number]): [number, number] {
         const [r, theta] = p;
         return [r * Math.cos(theta), r * Math.sin(theta)];
       }`,
      "cartesian",
      ["jvp", "vjp"],
    );
    const [r, t] = [2, 0.6];
    const J = [[Math.cos(t), -r * Math.sin(t)], [Math.sin(t), r * Math.cos(t)]];
    const { tangent } = m.cartesianJvp!([r, t], { p: [0.5, -1] });
    close(tangent[0], J[0]![0]! * 0.5 - J[0]![1]!);
    close(tangent[1], J[1]![0]! * 0.5 - J[1]![1]!);
    const { grad } = m.cartesianVjp!([r, t], [1, 2]);
    close(grad.p[0], J[0]![0]! + 2 * J[1]![0]!);
    close(grad.p[1], J[0]![1]! + 2 * J[1]![1]!);
  });

  it("objects: kinetic energy m·|v|²/2 of a body, non-number fields left out", async () => {
    const m = await build(
      `interface Body { name: string; mass: number; v: { x: number; y: number } }
       export function kinetic(b: Body): number { return 0.5 * b.mass * (b.v.x ** 2 + b.v.y ** 2); }`,
      "kinetic",
      ["grad"],
    );
    const { grad } = m.kineticGrad!({ name: "probe", mass: 3, v: { x: 1.5, y: -2 } });
    expect(Object.keys(grad.b).sort()).toEqual(["mass", "v"]);
    close(grad.b.mass, 0.5 * (1.5 ** 2 + 4));
    close(grad.b.v.x, 3 * 1.5);
    close(grad.b.v.y, 3 * -2);
  });

  it("arrays of objects: springs Σ k·(len − rest)²", async () => {
    const m = await build(
      `export interface Spring { k: number; len: number }
       export function energy(springs: Spring[], rest: number): number {
         return springs.reduce((e, s) => e + s.k * (s.len - rest) ** 2, 0);
       }`,
      "energy",
      ["grad"],
    );
    const springs = [{ k: 2, len: 1.5 }, { k: 0.5, len: 0.7 }];
    const { grad } = m.energyGrad!(springs, 1);
    springs.forEach((s, i) => {
      close(grad.springs[i].k, (s.len - 1) ** 2);
      close(grad.springs[i].len, 2 * s.k * (s.len - 1));
    });
    close(grad.rest, -2 * (2 * 0.5 + 0.5 * -0.3));
  });

  it("vector output: softmax has Jacobian diag(s) − s·sᵀ", async () => {
    const m = await build(
      `export function softmax(z: number[]): number[] {
         const shift = z.reduce((a, b) => Math.max(a, b));
         const e = z.map((v) => Math.exp(v - shift));
         const total = e.reduce((a, b) => a + b, 0);
         return e.map((v) => v / total);
       }`,
      "softmax",
      ["jvp", "vjp"],
    );
    const z = [0.3, -1, 2];
    const s = z.map(Math.exp);
    const sum = s.reduce((a, b) => a + b);
    const p = s.map((v) => v / sum);
    const dz = [1, 0.5, -2];
    const { tangent } = m.softmaxJvp!(z, { z: dz });
    const pdz = p.reduce((acc, pi, i) => acc + pi * dz[i]!, 0);
    tangent.forEach((t: number, i: number) => close(t, p[i]! * (dz[i]! - pdz)));
    const ybar = [0.2, -1, 0.7];
    const { grad } = m.softmaxVjp!(z, ybar);
    const pybar = p.reduce((acc, pi, i) => acc + pi * ybar[i]!, 0);
    grad.z.forEach((g: number, i: number) => close(g, p[i]! * (ybar[i]! - pybar)));
  });
});
