/**
 * Gradient ÷ objective ratios as GradBench measures them, through the tool: one tool process per
 * eval (as `gradbench run` starts it), the objective then the gradient for each size, each with
 * `min_runs` / `min_seconds`, from the tool's own `evaluate` timings: the ratio of their means
 * and the ratio of their medians, side by side.
 *
 * Two scorings set the defaults and say which ratio heads the summary:
 *   --scoring median     (the default) at least 5 runs and 1 s; the ratio of the medians, which a
 *                        slow first run (the JIT still tiering up) or a burst of load hardly moves.
 *   --scoring gradbench  as GradBench scores a tool: its evals' defaults (--min-runs 1,
 *                        --min-seconds 1), no warm-up, and the MEAN of all runs, first ones included.
 * Inputs come from seeded generators (bench/problems/inputs.ts, hand-inputs.ts) in GradBench's
 * JSON shapes; the sizes are GradBench's defaults for llsq, lse, ode, kmeans and det
 * (python/gradbench/gradbench/evals/*), the shapes of the data files the ba and ht evals send by
 * default (ADBench's; our numbers are synthetic), and, for gmm and lstm, the sizes of the ADBench
 * comparisons (see bench/problems). Evals the tool does not implement are listed as skipped.
 * particle and saddle have no primal to divide by (GradBench reports their times): each
 * variant's mean and median time, after checking its output against the one the eval expects.
 *
 *   npm run gradbench:ratios -- [--scoring median|gradbench] [--evals llsq,lse,ode,gmm,lstm,kmeans,ba,ht,det,particle,saddle]
 *                               [--min-runs N] [--min-seconds S] [--warmup SECONDS] [--quick] [--json FILE]
 *
 * --warmup S first sends, for each size, an evaluate of both functions that runs for S seconds and
 * whose timings are dropped, so that the measured runs see code V8 has already optimised (GradBench
 * itself does not warm up: without --warmup the first sizes include the JIT's tier-up).
 * --quick keeps the smallest and the largest size of llsq, lse, ode and kmeans, two of det and
 * one of each ht variant. Before its timings count, every gradient is checked against a central
 * difference of the tool's own primal along a random direction, and kmeans', ba's and ht's
 * derivatives by bench/gradbench/derivative-checks.ts (the driver stops if they disagree).
 */
import { writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { baInputs, gmmInputs, kmeansInputs, llsqInputs, lseInputs, lstmInputs, odeInputs, seededRandom, uniformVector } from "../problems/inputs.ts";
import { htInputs } from "../problems/hand-inputs.ts";
import { ToolClient, type Response } from "./client.ts";
import { checkBa, checkHt, checkKmeans } from "./derivative-checks.ts";
import { isImplemented } from "./modules/index.ts";

interface Case {
  size: string;
  input: () => Record<string, unknown>;
}

interface Eval {
  module: string;
  primal: string;
  gradient: string;
  /** The input fields the gradient is taken with respect to, in the order of the gradient's output. */
  wrt: string[];
  /** The number the gradient is of, from the primal's output (ode: its last element). */
  scalar?: (output: unknown) => number;
  /** For a derivative that is not a gradient: its own check, instead of the gradient's. */
  check?: (tool: ToolClient, input: Record<string, unknown>, output: unknown) => Promise<void>;
  cases: Case[];
}

interface Row {
  eval: string;
  size: string;
  /** Medians of the runs. */
  objectiveMs: number;
  gradientMs: number;
  /** Ratio of the medians. */
  ratio: number;
  /** Means of all the runs, and their ratio: GradBench's figures. */
  objectiveMeanMs: number;
  gradientMeanMs: number;
  meanRatio: number;
  /** The ratio of the fastest runs: less sensitive to other processes on a shared machine. */
  ratioOfMinima: number;
  runs: [number, number];
}

const LLSQ_N = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8196, 16392];
const LSE_N = [2500, 5000, 10000, 20000, 40000, 80000, 160000, 320000, 640000, 1280000];
/** The kmeans eval's defaults: k ∈ {10, 100, 1000} × n ∈ {1000, 10000} × d ∈ {8, 16}. */
const KMEANS_SIZES = [10, 100, 1000].flatMap((k) => [1000, 10000].flatMap((n) => [8, 16].map((d) => ({ k, n, d }))));
/** The shapes of ADBench's two smallest data files, which the ba eval sends by default. */
const BA_SIZES = [
  { name: "ba1_n49_m7776_p31843", n: 49, m: 7776, p: 31843 },
  { name: "ba2_n21_m11315_p36455", n: 21, m: 11315, p: 36455 },
];
/** The shapes of ADBench's hand1 and hand2 files (c = 100 and 192 points), simple then complicated, on a 544-vertex model. */
const HT_SIZES = [false, true].flatMap((complicated) => [100, 192].map((c, i) => ({ name: `${complicated ? "complicated" : "simple"}/hand${i + 1}_t26_c${c}`, c, complicated })));
/** The det eval's default edge sizes. */
const DET_ELL = [5, 6, 7, 8, 9, 10, 11];
const ODE_SIZES = [1000, 10000, 100000].flatMap((n) => [1, 10, 100].map((s) => ({ n, s }))).sort((a, b) => a.n * a.s - b.n * b.s);

function evals(quick: boolean): Eval[] {
  const ends = <T>(sizes: T[]) => (quick ? [sizes[0]!, sizes.at(-1)!] : sizes);
  return [
    { module: "llsq", primal: "primal", gradient: "gradient", wrt: ["x"], cases: ends(LLSQ_N).map((n) => ({ size: `n=${n},m=128`, input: () => llsqInputs(n, 128) })) },
    { module: "lse", primal: "primal", gradient: "gradient", wrt: ["x"], cases: ends(LSE_N).map((n) => ({ size: `n=${n}`, input: () => lseInputs(n) })) },
    { module: "ode", primal: "primal", gradient: "gradient", wrt: ["x"], scalar: (y) => (y as number[]).at(-1)!, cases: ends(ODE_SIZES).map(({ n, s }) => ({ size: `n=${n},s=${s}`, input: () => odeInputs(n, s) })) },
    {
      module: "gmm",
      primal: "objective",
      gradient: "jacobian",
      wrt: ["alpha", "mu", "q", "l"],
      cases: [
        { size: "d=2,K=5,n=1000", input: () => ({ ...gmmInputs(2, 5, 1000) }) },
        { size: "d=10,K=25,n=1000", input: () => ({ ...gmmInputs(10, 25, 1000) }) },
      ],
    },
    { module: "lstm", primal: "objective", gradient: "jacobian", wrt: ["main_params", "extra_params"], cases: [{ size: "l=2,c=1024", input: () => ({ ...lstmInputs(2, 1024) }) }] },
    {
      module: "kmeans",
      primal: "cost",
      gradient: "dir",
      wrt: ["centroids"],
      check: checkKmeans,
      cases: ends(KMEANS_SIZES).map(({ k, n, d }) => ({ size: `k=${k},n=${n},d=${d}`, input: () => kmeansInputs(k, n, d) })),
    },
    { module: "ba", primal: "objective", gradient: "jacobian", wrt: [], check: checkBa, cases: BA_SIZES.map(({ name, n, m, p }) => ({ size: name, input: () => ({ ...baInputs(n, m, p) }) })) },
    {
      module: "ht",
      primal: "objective",
      gradient: "jacobian",
      wrt: ["theta"],
      check: checkHt,
      cases: (quick ? [HT_SIZES[0]!, HT_SIZES[2]!] : HT_SIZES).map(({ name, c, complicated }) => ({ size: name, input: () => ({ ...htInputs(c, { complicated }) }) })),
    },
    { module: "det", primal: "primal", gradient: "gradient", wrt: ["A"], cases: (quick ? [5, 9] : DET_ELL).map((ell) => ({ size: `ell=${ell}`, input: () => ({ A: uniformVector(ell * ell, 0, 1, ell), ell }) })) },
  ];
}

/**
 * Evals with no primal to divide by (GradBench reports their times): each function runs on the
 * eval's default input, and its output must be the one the eval expects.
 */
interface TimedEval {
  module: string;
  functions: string[];
  input: Record<string, unknown>;
  expected: number[];
}

interface TimedRow {
  eval: string;
  fn: string;
  meanMs: number;
  medianMs: number;
  runs: number;
}

const TIMED: TimedEval[] = [
  { module: "particle", functions: ["rr", "ff", "fr", "rf"], input: { w: 0 }, expected: [0.2071918746486116] },
  { module: "saddle", functions: ["rr", "ff", "fr", "rf"], input: { start: [1, 1] }, expected: new Array<number>(4).fill(8.246324826140356e-6) },
];

async function measureTimed(spec: TimedEval, runs: { min_runs: number; min_seconds: number }): Promise<TimedRow[]> {
  const tool = new ToolClient();
  const rows: TimedRow[] = [];
  try {
    await tool.send({ kind: "start", eval: spec.module });
    const defined = await tool.send({ kind: "define", module: spec.module });
    if (!defined.success) throw new Error(`define ${spec.module} failed: ${defined.error}`);
    for (const fn of spec.functions) {
      const response = await tool.send({ kind: "evaluate", module: spec.module, function: fn, input: { ...spec.input, ...runs } });
      const timings = evaluateTimings(response, `${spec.module} ${fn}`);
      const output = flat(response.output);
      spec.expected.forEach((e, i) => {
        if (!(Math.abs(output[i]! - e) <= 1e-4 * Math.max(Math.abs(output[i]!) + Math.abs(e), 1))) throw new Error(`${spec.module} ${fn}: ${output} is not what the eval expects (${spec.expected})`);
      });
      rows.push({ eval: spec.module, fn, meanMs: mean(timings) / 1e6, medianMs: median(timings) / 1e6, runs: timings.length });
      process.stderr.write(`${spec.module} ${fn}: mean ${(mean(timings) / 1e6).toFixed(2)} ms\n`);
    }
  } finally {
    await tool.close();
  }
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function flat(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flat) : [value as number];
}

/** `input` with `h·direction` added to the numbers of the `wrt` fields (row by row). */
function shifted(input: Record<string, unknown>, wrt: string[], direction: number[], h: number): Record<string, unknown> {
  let next = 0;
  const shift = (value: unknown): unknown => (Array.isArray(value) ? value.map(shift) : (value as number) + h * direction[next++]!);
  return { ...input, ...Object.fromEntries(wrt.map((field) => [field, shift(input[field])])) };
}

/** Checks ⟨gradient, v⟩ against a central difference of the primal along a random ±1 direction v. */
async function checkGradient(tool: ToolClient, spec: Eval, input: Record<string, unknown>, output: unknown, size: string): Promise<void> {
  const gradient = Array.isArray(output) ? flat(output) : spec.wrt.flatMap((field) => flat((output as Record<string, unknown>)[field]));
  const random = seededRandom(gradient.length);
  const direction = gradient.map(() => (random() < 0.5 ? -1 : 1));
  const scalar = spec.scalar ?? ((o: unknown) => o as number);
  const h = 1e-5;
  const at = async (sign: number) => {
    const response = await tool.send({ kind: "evaluate", module: spec.module, function: spec.primal, input: { ...shifted(input, spec.wrt, direction, sign * h), min_runs: 1, min_seconds: 0 } });
    if (!response.success) throw new Error(`${spec.module} ${spec.primal} ${size} failed: ${response.error}`);
    return scalar(response.output);
  };
  const difference = ((await at(1)) - (await at(-1))) / (2 * h);
  const product = gradient.reduce((sum, g, i) => sum + g * direction[i]!, 0);
  const scale = Math.max(1, gradient.reduce((sum, g) => sum + Math.abs(g), 0));
  if (!(Math.abs(difference - product) <= 1e-5 * scale)) {
    throw new Error(`${spec.module} ${size}: the gradient along a random direction is ${product}, central differences give ${difference}`);
  }
}

function evaluateTimings(response: Response, what: string): number[] {
  if (!response.success) throw new Error(`${what} failed: ${response.error}`);
  return response.timings!.filter((t) => t.name === "evaluate").map((t) => t.nanoseconds);
}

async function measure(spec: Eval, runs: { min_runs: number; min_seconds: number }, warmup: number): Promise<Row[]> {
  const tool = new ToolClient();
  const rows: Row[] = [];
  try {
    await tool.send({ kind: "start", eval: spec.module });
    const defined = await tool.send({ kind: "define", module: spec.module });
    if (!defined.success) throw new Error(`define ${spec.module} failed: ${defined.error}`);
    for (const { size, input: generate } of spec.cases) {
      const input = generate();
      if (warmup > 0) {
        for (const fn of [spec.primal, spec.gradient]) {
          evaluateTimings(await tool.send({ kind: "evaluate", module: spec.module, function: fn, input: { ...input, min_runs: 1, min_seconds: warmup } }), `${spec.module} ${fn} ${size}`);
        }
      }
      const message = { kind: "evaluate", module: spec.module, input: { ...input, ...runs }, description: size };
      const objective = evaluateTimings(await tool.send({ ...message, function: spec.primal }), `${spec.module} ${spec.primal} ${size}`);
      const gradientResponse = await tool.send({ ...message, function: spec.gradient });
      const gradient = evaluateTimings(gradientResponse, `${spec.module} ${spec.gradient} ${size}`);
      if (spec.check) await spec.check(tool, input, gradientResponse.output);
      else await checkGradient(tool, spec, input, gradientResponse.output, size);
      const row = {
        eval: spec.module,
        size,
        objectiveMs: median(objective) / 1e6,
        gradientMs: median(gradient) / 1e6,
        ratio: median(gradient) / median(objective),
        objectiveMeanMs: mean(objective) / 1e6,
        gradientMeanMs: mean(gradient) / 1e6,
        meanRatio: mean(gradient) / mean(objective),
        // A fast objective runs millions of times in its second: no spread into Math.min.
        ratioOfMinima: gradient.reduce((a, b) => Math.min(a, b)) / objective.reduce((a, b) => Math.min(a, b)),
        runs: [objective.length, gradient.length] as [number, number],
      };
      process.stderr.write(`${row.eval} ${row.size}: mean ratio ${row.meanRatio.toFixed(2)}, median ratio ${row.ratio.toFixed(2)}\n`);
      rows.push(row);
    }
  } finally {
    await tool.close();
  }
  return rows;
}

function format(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(3);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scoring: { type: "string", default: "median" },
      evals: { type: "string" },
      "min-runs": { type: "string" },
      "min-seconds": { type: "string" },
      warmup: { type: "string" },
      quick: { type: "boolean", default: false },
      json: { type: "string" },
    },
  });
  const scoring = values.scoring;
  if (scoring !== "median" && scoring !== "gradbench") throw new Error(`--scoring is median or gradbench, not ${scoring}`);
  const gradbench = scoring === "gradbench";
  if (gradbench && values.warmup !== undefined && Number(values.warmup) > 0) throw new Error("--scoring gradbench measures without warm-up, as GradBench does; leave out --warmup");
  const wanted = values.evals?.split(",");
  const runs = { min_runs: Number(values["min-runs"] ?? (gradbench ? 1 : 5)), min_seconds: Number(values["min-seconds"] ?? 1) };
  const rows: Row[] = [];
  // Wall-clock timings of runs of a few milliseconds stretch when the machine is oversubscribed
  // (preemption lands in long runs, rarely in short ones), so the load goes with the figures.
  const loadBefore = loadavg()[0]!;
  const skipped: string[] = [];
  for (const spec of evals(values.quick!)) {
    if (wanted && !wanted.includes(spec.module)) continue;
    if (!isImplemented(spec.module)) skipped.push(spec.module);
    else rows.push(...(await measure(spec, runs, Number(values.warmup ?? 0))));
  }
  const timedRows: TimedRow[] = [];
  for (const spec of TIMED) {
    if (wanted && !wanted.includes(spec.module)) continue;
    if (!isImplemented(spec.module)) skipped.push(spec.module);
    else timedRows.push(...(await measureTimed(spec, runs)));
  }
  const lines = [
    "| eval | size | objective ms (mean / median) | gradient ms (mean / median) | gradient ÷ objective, means | gradient ÷ objective, medians | ratio of the fastest runs | runs |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    lines.push(`| ${r.eval} | ${r.size} | ${format(r.objectiveMeanMs)} / ${format(r.objectiveMs)} | ${format(r.gradientMeanMs)} / ${format(r.gradientMs)} | ${r.meanRatio.toFixed(2)} | ${r.ratio.toFixed(2)} | ${r.ratioOfMinima.toFixed(2)} | ${r.runs.join(" / ")} |`);
  }
  const perEval = (pick: (r: Row) => number) => [...new Set(rows.map((r) => r.eval))].map((name) => `${name} ${median(rows.filter((r) => r.eval === name).map(pick)).toFixed(2)}`).join(", ");
  const headline = gradbench ? `GradBench scoring (mean of all runs, fresh process, no warm-up, min_runs ${runs.min_runs}, min_seconds ${runs.min_seconds})` : `median scoring (median of the runs, min_runs ${runs.min_runs}, min_seconds ${runs.min_seconds}${Number(values.warmup ?? 0) > 0 ? `, ${values.warmup} s warm-up` : ""})`;
  const summary = gradbench
    ? `median over sizes of the ratio of means, per eval: ${perEval((r) => r.meanRatio)}\n(ratio of medians: ${perEval((r) => r.ratio)})`
    : `median over sizes of the ratio of medians, per eval: ${perEval((r) => r.ratio)}\n(ratio of means: ${perEval((r) => r.meanRatio)})`;
  const load = `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, on ${availableParallelism()} cores`;
  const timedLines = ["| eval | function | mean ms (GradBench's score) | median ms | runs |", "| --- | --- | --- | --- | --- |"];
  for (const r of timedRows) timedLines.push(`| ${r.eval} | ${r.fn} | ${format(r.meanMs)} | ${format(r.medianMs)} | ${r.runs} |`);
  const parts = [headline];
  if (rows.length > 0) parts.push(lines.join("\n"), summary);
  if (timedRows.length > 0) parts.push(timedLines.join("\n"));
  if (skipped.length > 0) parts.push(`not implemented by the tool, skipped: ${skipped.join(", ")}`);
  process.stdout.write(`${parts.join("\n\n")}\n${load}\n`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(timedRows.length > 0 ? { ratios: rows, timed: timedRows } : rows, null, 2)}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`ratios: ${error.message}\n`);
  process.exitCode = 1;
});
