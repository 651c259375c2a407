/**
 * Reverse mode's plan, read for small functions: how each loop is reversed, what is saved, what
 * is recomputed instead, what is undone by an inverse; and TSAD_DEBUG_PLAN printing it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../src/pipeline.ts";
import { onPlan, summarizePlan, type PlanSummary } from "../src/reverse/plan-print.ts";

const ROOT = resolve(import.meta.dirname, "..");

/** The plans made while compiling `source`'s gradient of `fn`, by generated function name (the last plan of each). */
async function plans(source: string, fn: string, options: { inline?: boolean } = {}): Promise<Map<string, PlanSummary>> {
  const path = `/plan/${fn}.ts`;
  const found = new Map<string, PlanSummary>();
  const stop = onPlan((name, plan) => found.set(name, summarizePlan(plan, name)));
  try {
    const result = await compile({ files: [path], fn: [fn], emit: ["grad"], sources: new Map([[path, source]]), inline: options.inline });
    expect(result.diagnostics).toEqual([]);
  } finally {
    stop();
  }
  return found;
}

async function planOf(source: string, fn: string): Promise<PlanSummary> {
  const found = await plans(source, fn);
  const plan = found.get(`${fn}Grad`);
  expect(plan, `a plan for ${fn}Grad`).toBeDefined();
  return plan!;
}

describe("reverse-mode plans", () => {
  it("a loop that only accumulates saves nothing and is reversed by counting its counter down", async () => {
    const plan = await planOf(
      `export function sumSquares(x: number[]): number {
         let s = 0;
         for (let i = 0; i < x.length; i++) s += x[i] * x[i];
         return s;
       }`,
      "sumSquares",
    );
    expect(plan.loops).toHaveLength(1);
    expect(plan.loops[0]).toMatchObject({ reversal: "count down", counter: "i", exit: true, saves: [] });
    expect(plan.saved.size).toBe(0);
  });

  it("a value computed from parameters nothing writes is recomputed, not taped", async () => {
    const plan = await planOf(
      `export function weighted(W: number[], x: number[]): number {
         let s = 0;
         for (let i = 0; i < x.length; i++) {
           const w = W[i] * 2;
           s += Math.sin(w * x[i]);
         }
         return s;
       }`,
      "weighted",
    );
    expect(plan.recomputed.has("w")).toBe(true);
    expect(plan.saved.has("w")).toBe(false);
    expect(plan.loops[0]!.saves).toEqual([]);
  });

  it("a value the loop overwrites and the backward sweep reads is saved at its overwrite", async () => {
    const plan = await planOf(
      `export function iterate(x: number, n: number): number {
         let y = x;
         for (let i = 0; i < n; i++) y = Math.sin(y);
         return y;
       }`,
      "iterate",
    );
    expect(plan.loops[0]).toMatchObject({ reversal: "count down", saves: ["y"] });
    expect(plan.saved.get("y")).toEqual([3]);
    expect(plan.recomputed.has("y")).toBe(false);
  });

  it("a loop without a counter is reversed by its saved trip count", async () => {
    const plan = await planOf(
      `export function halve(x: number): number {
         let n = 0;
         while (x > 1) {
           x = x / 2;
           n = n + 1;
         }
         return x * n;
       }`,
      "halve",
    );
    expect(plan.loops[0]!.reversal).toBe("trip count");
    expect(plan.loops[0]!.saves).toEqual(["x"]);
  });

  it("a counted loop whose bound is not fixed leaves its counter where it stopped", async () => {
    const plan = await planOf(
      `export function grow(x: number[]): number {
         const a: number[] = [];
         for (let i = 0; i < x.length; i++) a.push(x[i]);
         let s = 0;
         for (let j = 0; j < a.length; j++) s += a[j] * a[j];
         return s;
       }`,
      "grow",
    );
    expect(plan.loops.map((l) => l.reversal)).toEqual(["count down", "count down"]);
    // `a` grows: its length is no fixed bound to compute the second counter's exit from.
    expect(plan.loops[1]).toMatchObject({ counter: "j", exit: false });
  });

  it("a running index is undone by its inverse, and what it indexes is recomputed after that", async () => {
    const plan = await planOf(
      `export function running(x: number[]): number {
         let s = 0;
         let k = 0;
         for (let i = 0; i < 3; i++) {
           s = s + x[k] * x[k];
           k = k + 1;
         }
         return s;
       }`,
      "running",
    );
    expect(plan.undone).toEqual(["[6] k = k + 1 undone by k = k - 1"]);
    expect(plan.saved.has("k")).toBe(false);
    expect([...plan.recomputed.values()]).toEqual(["after undoing [6] k = k + 1"]);
    expect(plan.loops[0]!.saves).toEqual([]);
  });

  it("a loop-invariant read is recomputed once, before the inner loop", async () => {
    const plan = await planOf(
      `export function matvec(W: number[][], x: number[]): number {
         let s = 0;
         for (let i = 0; i < W.length; i++) {
           const row = W[i];
           for (let j = 0; j < x.length; j++) s += Math.sin(row[j] * x[j]);
         }
         return s;
       }`,
      "matvec",
    );
    expect(plan.recomputed.get("row")).toBe("at the top of its block");
    expect(plan.loops.every((l) => l.saves.length === 0)).toBe(true);
  });

  it("a callee kept as a call gets a plan of its own", async () => {
    const found = await plans(
      `function square(v: number): number {
         let r = v;
         r = r * r;
         return r;
       }
       export function f(x: number): number {
         return square(x) + square(x * 2);
       }`,
      "f",
      { inline: false },
    );
    expect([...found.keys()].sort()).toEqual(["fGrad", "squarePullback"]);
    // The callee's overwritten `r` is read by its backward code: saved.
    expect(found.get("squarePullback")!.saved.has("r")).toBe(true);
  });

  it("TSAD_DEBUG_PLAN=1 prints each function's plan to stderr", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsad-plan-"));
    try {
      const file = join(dir, "model.ts");
      writeFileSync(file, `export function f(x: number[]): number {\n  let s = 0;\n  for (let i = 0; i < x.length; i++) s += x[i] * x[i];\n  return s;\n}\n`);
      const run = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "cli.ts"), file, "--stdout"], { cwd: ROOT, env: { ...process.env, TSAD_DEBUG_PLAN: "1" }, encoding: "utf8" });
      expect(run.status).toBe(0);
      expect(run.stderr).toContain("plan of fGrad (reverse mode of f)");
      expect(run.stderr).toContain("reversed by counting i down from its computed exit value; saves nothing");
      expect(run.stderr).toContain("recomputed at the top of its block, not saved");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

