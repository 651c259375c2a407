/**
 * `npm run bench`: times tsad's generated derivatives against the primal, hand-written gradients
 * and central finite differences, in one process. Every contender's result is checked against
 * tsad's before it is timed. `npm run bench -- --json FILE` also writes the records as JSON.
 *
 * TensorFlow.js and the full ADBench/GradBench problem set (GMM, LSTM, ODE) are not here yet.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compile } from "../src/pipeline.ts";
import { logsumexpGradient, rosenbrockGradient } from "./handwritten.ts";
import { rosenbrock } from "./problems/rosenbrock.ts";
import { lse } from "./problems/lse.ts";
import { logisticLoss } from "./problems/logistic.ts";
const problems = { rosenbrock, logsumexp: lse, logisticLoss };
import { loss as mlpLoss, type Layer } from "../examples/mlp.ts";

type Fn = (...args: never[]) => unknown;
interface Contender {
  name: string;
  run: () => unknown;
  /** The gradient it computes, flattened, to check against tsad's. */
  gradient?: () => number[];
}
interface Problem {
  name: string;
  size: string;
  primal: () => unknown;
  contenders: Contender[];
  reference: () => number[];
}
interface Record {
  problem: string;
  size: string;
  contender: string;
  ms: number;
  ratio: number;
  spread: [number, number];
}

const root = resolve(import.meta.dirname, "..");
const scratch = join(root, ".tsad-tmp", "bench");

async function generated(file: string, fn: string[], wrt?: string[]): Promise<Record<string, Fn>> {
  const result = await compile({ files: [join(root, file)], fn, wrt, emit: ["grad", "jvp", "hvp"] });
  if (result.diagnostics.length > 0) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  mkdirSync(scratch, { recursive: true });
  const path = join(scratch, `${fn.join("-")}.grad.ts`);
  writeFileSync(path, result.modules[0]!.text);
  return import(path);
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Central differences of a scalar function of a flat vector, all components. */
function finiteDifferences(f: (x: number[]) => number, x: number[]): number[] {
  const h = 1e-6;
  return x.map((_, i) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[i]! += h;
    minus[i]! -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median time per call over batches of at least 20 ms, after warming up. */
function time(run: () => unknown): { ms: number; spread: [number, number] } {
  let calls = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) run();
    if (performance.now() - start > 20) break;
    calls *= 2;
  }
  const samples: number[] = [];
  for (let batch = 0; batch < 9; batch++) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) run();
    samples.push((performance.now() - start) / calls);
  }
  return { ms: median(samples), spread: [Math.min(...samples), Math.max(...samples)] };
}

function check(problem: Problem, contender: Contender): void {
  if (!contender.gradient) return;
  const expected = problem.reference();
  const actual = contender.gradient();
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  const tolerance = contender.name.includes("finite") ? 1e-4 : 1e-9;
  if (!(worst <= tolerance)) throw new Error(`${problem.name}: ${contender.name} disagrees with tsad's gradient (${worst.toExponential(2)})`);
}

async function main(): Promise<void> {
  const jsonAt = process.argv.indexOf("--json");
  const jsonFile = jsonAt >= 0 ? process.argv[jsonAt + 1] : undefined;
  const bench = { ...(await generated("bench/problems/rosenbrock.ts", ["rosenbrock"])), ...(await generated("bench/problems/lse.ts", ["lse"])) };
  bench.logsumexpGrad = bench.lseGrad!;
  bench.logsumexpJvp = bench.lseJvp!;
  const logistic = await generated("bench/problems/logistic.ts", ["logisticLoss"], ["w", "b"]);
  const mlp = await generated("examples/mlp.ts", ["loss"], ["layers"]);
  const random = seeded(42);
  const list: Problem[] = [];

  for (const n of [1000, 100000]) {
    const x = Array.from({ length: n }, () => 2 * random() - 1);
    const direction = { x: x.map(() => random()) };
    const grad = () => (bench.rosenbrockGrad as Fn)(...([x] as never[])) as { grad: { x: number[] } };
    list.push({
      name: "rosenbrock",
      size: `n=${n}`,
      primal: () => problems.rosenbrock(x),
      reference: () => grad().grad.x,
      contenders: [
        { name: "tsad grad", run: grad },
        { name: "tsad jvp (1 direction)", run: () => (bench.rosenbrockJvp as Fn)(...([x, direction] as never[])) },
        { name: "tsad hvp (1 direction)", run: () => (bench.rosenbrockHvp as Fn)(...([x, direction] as never[])) },
        { name: "hand-written gradient", run: () => rosenbrockGradient(x), gradient: () => rosenbrockGradient(x) },
        ...(n <= 1000 ? [{ name: "finite differences", run: () => finiteDifferences(problems.rosenbrock, x), gradient: () => finiteDifferences(problems.rosenbrock, x) }] : []),
      ],
    });
  }
  {
    const x = Array.from({ length: 100000 }, () => 4 * random() - 2);
    const grad = () => (bench.logsumexpGrad as Fn)(...([x] as never[])) as { grad: { x: number[] } };
    list.push({
      name: "logsumexp",
      size: "n=100000",
      primal: () => problems.logsumexp(x),
      reference: () => grad().grad.x,
      contenders: [
        { name: "tsad grad", run: grad },
        { name: "tsad jvp (1 direction)", run: () => (bench.logsumexpJvp as Fn)(...([x, { x }] as never[])) },
        { name: "hand-written gradient", run: () => logsumexpGradient(x), gradient: () => logsumexpGradient(x) },
      ],
    });
  }
  {
    const d = 20;
    const N = 1000;
    const X = Array.from({ length: N }, () => Array.from({ length: d }, () => 2 * random() - 1));
    const y = X.map((row) => (row[0]! + 0.5 * row[1]! > 0 ? 1 : 0));
    const w = Array.from({ length: d }, () => 0.1 * random());
    const grad = () => (logistic.logisticLossGrad as Fn)(...([w, 0.1, X, y] as never[])) as { grad: { w: number[]; b: number } };
    list.push({
      name: "logistic regression",
      size: `N=${N}, d=${d}`,
      primal: () => problems.logisticLoss(w, 0.1, X, y),
      reference: () => grad().grad.w,
      contenders: [
        { name: "tsad grad", run: grad },
        { name: "finite differences", run: () => finiteDifferences((v) => problems.logisticLoss(v, 0.1, X, y), w), gradient: () => finiteDifferences((v) => problems.logisticLoss(v, 0.1, X, y), w) },
      ],
    });
  }
  {
    const sizes = [8, 64, 64, 4];
    const layers: Layer[] = [];
    for (let l = 1; l < sizes.length; l++) {
      layers.push({ W: Array.from({ length: sizes[l]! }, () => Array.from({ length: sizes[l - 1]! }, () => random() - 0.5)), b: Array.from({ length: sizes[l]! }, () => random() - 0.5) });
    }
    const xs = Array.from({ length: 64 }, () => Array.from({ length: 8 }, () => random()));
    const ys = Array.from({ length: 64 }, () => Array.from({ length: 4 }, () => random()));
    const grad = () => (mlp.lossGrad as Fn)(...([layers, xs, ys] as never[])) as { grad: { layers: Layer[] } };
    const flat = (ls: Layer[]) => ls.flatMap((l) => [...l.W.flat(), ...l.b]);
    list.push({
      name: "MLP loss (examples/mlp.ts)",
      size: "8-64-64-4, 64 samples",
      primal: () => mlpLoss(layers, xs, ys),
      reference: () => flat(grad().grad.layers),
      contenders: [
        { name: "tsad grad", run: grad },
        { name: "tsad hvp (1 direction)", run: () => (mlp.lossHvp as Fn)(...([layers, xs, ys, { layers }] as never[])) },
      ],
    });
  }

  const records: Record[] = [];
  for (const problem of list) {
    for (const contender of problem.contenders) check(problem, contender);
    const primal = time(problem.primal);
    records.push({ problem: problem.name, size: problem.size, contender: "primal", ms: primal.ms, ratio: 1, spread: primal.spread });
    for (const contender of problem.contenders) {
      const t = time(contender.run);
      records.push({ problem: problem.name, size: problem.size, contender: contender.name, ms: t.ms, ratio: t.ms / primal.ms, spread: t.spread });
    }
  }
  printTable(records);
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(records, null, 2) + "\n");
}

function printTable(records: Record[]): void {
  const rows = records.map((r) => [r.problem, r.size, r.contender, r.ms < 0.1 ? r.ms.toFixed(4) : r.ms.toFixed(3), r.ratio.toFixed(2), `${r.spread[0].toFixed(3)}–${r.spread[1].toFixed(3)}`]);
  const header = ["problem", "size", "contender", "ms (median)", "× primal", "spread (ms)"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
  console.log(`\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}; medians of 9 batches after warm-up.`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
