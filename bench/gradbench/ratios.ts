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
 * Inputs come from the seeded generator (bench/problems/inputs.ts) in GradBench's JSON shapes;
 * the sizes are GradBench's defaults for llsq, lse and ode (python/gradbench/gradbench/evals/*),
 * and, for gmm and lstm, the sizes of the ADBench comparisons (see bench/problems).
 *
 *   npm run gradbench:ratios -- [--scoring median|gradbench] [--evals llsq,lse,ode,gmm,lstm]
 *                               [--min-runs N] [--min-seconds S] [--warmup SECONDS] [--quick] [--json FILE]
 *
 * --warmup S first sends, for each size, an evaluate of both functions that runs for S seconds and
 * whose timings are dropped, so that the measured runs see code V8 has already optimised (GradBench
 * itself does not warm up: without --warmup the first sizes include the JIT's tier-up).
 * --quick keeps the smallest and the largest size of llsq, lse and ode. Before its timings count,
 * every gradient is checked against a central difference of the tool's own primal along a random
 * direction (the driver stops if they disagree).
 */
import { writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { gmmInputs, llsqInputs, lseInputs, lstmInputs, odeInputs, seededRandom } from "../problems/inputs.ts";
import { ToolClient, type Response } from "./client.ts";

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
  ];
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
      await checkGradient(tool, spec, input, gradientResponse.output, size);
      const row = {
        eval: spec.module,
        size,
        objectiveMs: median(objective) / 1e6,
        gradientMs: median(gradient) / 1e6,
        ratio: median(gradient) / median(objective),
        objectiveMeanMs: mean(objective) / 1e6,
        gradientMeanMs: mean(gradient) / 1e6,
        meanRatio: mean(gradient) / mean(objective),
        ratioOfMinima: Math.min(...gradient) / Math.min(...objective),
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
  for (const spec of evals(values.quick!)) {
    if (wanted && !wanted.includes(spec.module)) continue;
    rows.push(...(await measure(spec, runs, Number(values.warmup ?? 0))));
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
  process.stdout.write(`${headline}\n\n${lines.join("\n")}\n\n${summary}\n${load}\n`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(rows, null, 2)}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`ratios: ${error.message}\n`);
  process.exitCode = 1;
});
