/**
 * `npm run bench -- --checkpoint`: gradients of long loops with a checkpointed time loop against
 * the same gradients with an unbounded tape. For each: the time of one gradient (median over
 * alternating runs), and its peak extra memory.
 *
 * Problems: the RK4 ODE from a state (n = 10, 10⁵ steps) and the LSTM objective (l = 2,
 * b = 14, 10⁴ characters). The checkpointed version is the same source with `// @checkpoint`
 * before its time loop, compiled in memory; both gradients are checked against each other.
 *
 * Peak extra memory: measured in a fresh process per gradient, warmed up on runs 10% as long,
 * with a young generation of 1 MB (V8 grows it to tens of MB as garbage accumulates, which would
 * bury a small peak under the collector's own growth).
 * Linux keeps a process's peak resident size (VmHWM in /proc/self/status), and writing 5 to
 * /proc/self/clear_refs resets it. After a garbage collection, the peak during one call minus the
 * resident size before it is what the call needed at its worst, whether V8 collected in between
 * or not, typed-array tapes included. Elsewhere the column is left empty.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";
import { compile, type SourceText } from "../src/pipeline.ts";
import { createProject } from "../src/load/load.ts";
import { InMemoryModules } from "../src/verify/modules.ts";
import { lstmInputs, odeInputs, uniformVector } from "./problems/inputs.ts";

const PROBLEMS = resolve(import.meta.dirname, "problems");

interface Case {
  name: string;
  size: string;
  files: SourceText[];
  /** The file and function differentiated; the loop to checkpoint is marked in `tag`. */
  input: string;
  fn: string;
  wrt: string[];
  tag: { file: string; before: string };
  /** The arguments; `short`: a run 10% as long (warm-up). */
  args: (short?: boolean) => unknown[];
  /** The gradient as a list of numbers. */
  flatten: (grad: Record<string, unknown>) => number[];
}

function source(name: string): SourceText {
  const path = join(PROBLEMS, name);
  return { path, text: readFileSync(path, "utf8") };
}

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

function cases(): Case[] {
  const n = 10;
  const steps = 100_000;
  const y0 = uniformVector(n, -1, 1, 2026);
  const { x } = odeInputs(n, steps, 2027);
  const characters = 10_000;
  const lstm = lstmInputs(2, characters, 14, 2026);
  return [
    {
      name: "ODE, RK4 (w.r.t. y0 and x)",
      size: `n=${n}, ${steps.toExponential(0)} steps`,
      files: [source("ode-from-state.ts"), source("ode.ts")],
      input: join(PROBLEMS, "ode-from-state.ts"),
      fn: "odeLastFrom",
      wrt: ["y0", "x"],
      tag: { file: join(PROBLEMS, "ode.ts"), before: "for (let step = 0; step < s; step++)" },
      args: (short) => [y0.slice(), x.slice(), short ? steps / 10 : steps],
      flatten: (g) => [...flat(g.y0), ...flat(g.x)],
    },
    {
      name: "LSTM (w.r.t. its parameters)",
      size: `l=2, b=14, ${characters.toExponential(0)} characters`,
      files: [source("lstm.ts")],
      input: join(PROBLEMS, "lstm.ts"),
      fn: "lstmObjective",
      wrt: ["mainParams", "extraParams"],
      tag: { file: join(PROBLEMS, "lstm.ts"), before: "for (let t = 0; t < c - 1; t++)" },
      args: (short) => [lstm.main_params, lstm.extra_params, lstm.state, short ? lstm.sequence.slice(0, characters / 10) : lstm.sequence],
      flatten: (g) => [...flat(g.mainParams), ...flat(g.extraParams)],
    },
  ];
}

/** The gradient function generated from `files`, loaded in memory. */
async function gradientOf(c: Case, files: SourceText[]): Promise<(...args: unknown[]) => { grad: Record<string, unknown> }> {
  const result = await compile({ files: files.filter((f) => f.path === c.input), fn: [c.fn], wrt: c.wrt, emit: ["grad"], sources: new Map(files.map((f) => [resolve(f.path), f.text])) });
  if (result.diagnostics.length > 0) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  const project = createProject(new Map(files.map((f) => [resolve(f.path), f.text])));
  const modules = new InMemoryModules(project);
  const loaded = await modules.importText(result.modules[0]!.path, result.modules[0]!.text);
  return loaded[`${c.fn}Grad`] as (...args: unknown[]) => { grad: Record<string, unknown> };
}

function tagged(c: Case): SourceText[] {
  return c.files.map((f) => {
    if (f.path !== c.tag.file) return f;
    if (!f.text.includes(c.tag.before)) throw new Error(`${f.path} has no \`${c.tag.before}\` to checkpoint`);
    return { ...f, text: f.text.replace(c.tag.before, `// @checkpoint\n  ${c.tag.before}`) };
  });
}

const canMeasurePeak = existsSync("/proc/self/clear_refs");

function residentKilobytes(field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) : NaN;
}

/** Peak resident growth during one call, in bytes (NaN where the peak cannot be reset). */
function peakExtraMemory(run: () => unknown): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  if (!canMeasurePeak) {
    run();
    return NaN;
  }
  writeFileSync("/proc/self/clear_refs", "5");
  const before = residentKilobytes("VmRSS");
  run();
  return (residentKilobytes("VmHWM") - before) * 1024;
}

/** Runs this file in a fresh process to measure one gradient's peak extra memory. */
function measureInChild(name: string, checkpointed: boolean): number {
  if (!canMeasurePeak) return NaN;
  const child = spawnSync(process.execPath, ["--expose-gc", "--max-semi-space-size=1", "--import", "tsx", fileURLToPath(import.meta.url), MEASURE, name, String(checkpointed)], { encoding: "utf8", maxBuffer: 1 << 20 });
  const bytes = Number(child.stdout.trim().split("\n").pop());
  if (child.status !== 0 || !Number.isFinite(bytes)) throw new Error(`measuring ${name}: ${child.stderr}`);
  return bytes;
}

const MEASURE = "--measure-peak";

/** In the child: warm up on short runs, then one full run's peak resident growth. */
async function measureHere(name: string, checkpointed: boolean): Promise<void> {
  const c = cases().find((k) => k.name === name)!;
  const gradient = await gradientOf(c, checkpointed ? tagged(c) : c.files);
  // Long enough that V8 has optimised every loop before the measured call (compiling a large
  // function takes memory of its own).
  for (let k = 0; k < 5; k++) gradient(...c.args(true));
  const args = c.args();
  process.stdout.write(`${peakExtraMemory(() => gradient(...args))}\n`);
}

if (process.argv[2] === MEASURE) await measureHere(process.argv[3]!, process.argv[4] === "true");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export interface CheckpointRow {
  problem: string;
  size: string;
  unboundedMs: number;
  checkpointedMs: number;
  /** Checkpointed time ÷ unbounded time: median and mean over the alternating pairs. */
  timeRatio: { median: number; mean: number };
  /** Peak extra memory, median over fresh processes. */
  unboundedBytes: number;
  checkpointedBytes: number;
  /** Each process's measurement, in bytes. */
  memoryRuns: { unbounded: number[]; checkpointed: number[] };
  /** Largest |difference| between the two gradients, relative to the largest entry. */
  difference: number;
}

export async function checkpointBench(options: { runs?: number; memoryRuns?: number; only?: string } = {}): Promise<CheckpointRow[]> {
  const runs = options.runs ?? 5;
  const rows: CheckpointRow[] = [];
  for (const c of cases().filter((k) => !options.only || k.name.toLowerCase().includes(options.only.toLowerCase()))) {
    const unbounded = await gradientOf(c, c.files);
    const checkpointed = await gradientOf(c, tagged(c));
    const reference = c.flatten(unbounded(...c.args()).grad);
    const candidate = c.flatten(checkpointed(...c.args()).grad);
    const scale = Math.max(...reference.map(Math.abs));
    const difference = Math.max(...reference.map((r, i) => Math.abs(r - candidate[i]!))) / scale;
    // Median of three fresh processes each (the resident size moves by a few MB between runs).
    const memoryRuns = options.memoryRuns ?? 3;
    const checkpointedRuns = Array.from({ length: memoryRuns }, () => measureInChild(c.name, true));
    const unboundedRuns = Array.from({ length: memoryRuns }, () => measureInChild(c.name, false));
    const checkpointedBytes = median(checkpointedRuns);
    const unboundedBytes = median(unboundedRuns);
    const pairs: { u: number; k: number }[] = [];
    for (let r = 0; r < runs; r++) {
      const args1 = c.args();
      let start = performance.now();
      unbounded(...args1);
      const u = performance.now() - start;
      const args2 = c.args();
      start = performance.now();
      checkpointed(...args2);
      pairs.push({ u, k: performance.now() - start });
    }
    const ratios = pairs.map((p) => p.k / p.u);
    rows.push({
      problem: c.name,
      size: c.size,
      unboundedMs: median(pairs.map((p) => p.u)),
      checkpointedMs: median(pairs.map((p) => p.k)),
      timeRatio: { median: median(ratios), mean: mean(ratios) },
      unboundedBytes,
      checkpointedBytes,
      memoryRuns: { unbounded: unboundedRuns, checkpointed: checkpointedRuns },
      difference,
    });
  }
  return rows;
}

export function printCheckpointTable(rows: CheckpointRow[]): void {
  const mb = (b: number) => (Number.isFinite(b) ? `${(b / 2 ** 20).toFixed(1)} MB` : "");
  const header = ["problem", "size", "unbounded ms", "checkpointed ms", "time ratio (median / mean)", "unbounded peak memory", "checkpointed peak memory", "memory ratio", "gradients differ by"];
  const lines = rows.map((r) => [
    r.problem,
    r.size,
    r.unboundedMs.toFixed(1),
    r.checkpointedMs.toFixed(1),
    `${r.timeRatio.median.toFixed(2)} / ${r.timeRatio.mean.toFixed(2)}`,
    mb(r.unboundedBytes),
    mb(r.checkpointedBytes),
    Number.isFinite(r.unboundedBytes) && r.checkpointedBytes > 0 ? `1/${(r.unboundedBytes / r.checkpointedBytes).toFixed(0)}` : "",
    r.difference.toExponential(1),
  ]);
  console.log(`| ${header.join(" | ")} |\n| ${header.map(() => "---").join(" | ")} |\n${lines.map((l) => `| ${l.join(" | ")} |`).join("\n")}`);
  for (const r of rows) console.log(`${r.problem}: peak memory per process, unbounded ${r.memoryRuns.unbounded.map(mb).join(", ")}; checkpointed ${r.memoryRuns.checkpointed.map(mb).join(", ")}`);
  console.log(`\nNode ${process.version}. Time: one gradient, median over alternating runs; the ratio is checkpointed ÷ unbounded per pair. Peak memory: the growth of the process's peak resident size during one call (after a garbage collection), median over fresh processes.`);
}

/** `npm run bench -- --checkpoint [--only NAME]`: the table; exit status 1 when the two gradients disagree. */
export async function checkpointCommand(only?: string): Promise<void> {
  const rows = await checkpointBench({ only });
  printCheckpointTable(rows);
  if (rows.some((r) => !(r.difference <= 1e-9))) process.exitCode = 1;
}
