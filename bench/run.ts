/**
 * `npm run bench`: times tsad's generated derivatives beside the primal, hand-written gradients,
 * TensorFlow.js (when bench/peers is installed) and finite differences, on the AD community's
 * benchmark problems (bench/problems/, defined as in ADBench and GradBench), in one process.
 * Every contender's gradient is checked against tsad's before it is timed.
 *
 *   npm run bench                      the table on stdout
 *   npm run bench -- --json FILE       also the records {problem, size, contender, ms, ratio, spread}
 *   npm run bench -- --only gmm        only the problems whose name contains "gmm"
 *   npm run bench -- --no-peers        without TensorFlow.js even when it is installed
 *   npm run bench -- --vector          vector forward mode against one pass per direction (bench/vector.ts)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compile } from "../src/pipeline.ts";
import { loss as mlpLoss, type Layer } from "../examples/mlp.ts";
import { llsqGradient, lseGradient, mlpGradient, rosenbrockGradient } from "./handwritten.ts";
import { flatten, type Nested } from "./leaves.ts";
import { finiteDifferenceGradient, jvpSweepGradient } from "./sweeps.ts";
import { time, timePrimal } from "./timing.ts";
import { printTable, type Row } from "./table.ts";
import { gmmInputs, llsqInputs, lseInputs, lstmInputs, odeInputs, seededRandom, uniformMatrix, uniformVector } from "./problems/inputs.ts";
import { gmmObjective, logGamma } from "./problems/gmm.ts";
import { gmmObjectiveGrad, gmmObjectiveJvp } from "./problems/gmm.grad.ts";
import { lstmObjective } from "./problems/lstm.ts";
import { lstmObjectiveGrad, lstmObjectiveJvp } from "./problems/lstm.grad.ts";
import { lse } from "./problems/lse.ts";
import { lseGrad, lseJvp } from "./problems/lse.grad.ts";
import { llsq } from "./problems/llsq.ts";
import { llsqGrad, llsqJvp } from "./problems/llsq.grad.ts";
import { odeLast } from "./problems/ode.ts";
import { odeLastGrad, odeLastJvp } from "./problems/ode.grad.ts";
import { odeLastFrom } from "./problems/ode-from-state.ts";
import { odeLastFromGrad, odeLastFromJvp } from "./problems/ode-from-state.grad.ts";
import { rosenbrock } from "./problems/rosenbrock.ts";
import { rosenbrockGrad, rosenbrockHvp, rosenbrockJvp } from "./problems/rosenbrock.grad.ts";
import { logisticLoss } from "./problems/logistic.ts";
import { logisticLossGrad } from "./problems/logistic.grad.ts";
import type { TfPeer, TfProblem } from "./peer.ts";

interface Contender {
  name: string;
  run: () => unknown;
  /** Its gradient, flattened like the reference; contenders without one are not checked. */
  gradient?: () => number[];
  /** Largest allowed max |a − b| / max(1, ‖reference‖∞). */
  tolerance?: number;
}

interface Problem {
  name: string;
  size: string;
  primal: () => unknown;
  /** tsad's gradient, flattened: what the others are checked against. */
  reference: () => number[];
  contenders: Contender[];
  /** Contenders left out at this size, with the reason. */
  skipped: string[];
}

const EXACT = 1e-9;
const FINITE_DIFFERENCES = 1e-5;
const FLOAT32 = 2e-3;
const TF = "TF.js (float32)";

const root = resolve(import.meta.dirname, "..");

async function loadTf(): Promise<{ tf: TfPeer; version: string } | string> {
  if (process.argv.includes("--no-peers")) return "TensorFlow.js left out (--no-peers).";
  try {
    // A path in a variable: tsad's typecheck must not follow it into a package it may not have.
    const peerModule = "./peers/tfjs-problems.ts";
    const tf = (await import(peerModule)) as TfPeer;
    return { tf, version: await tf.initialise() };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND") return "TensorFlow.js is not installed: run `npm ci --prefix bench/peers` to compare with it.";
    throw error;
  }
}

/** examples/mlp.ts has only `lossGrad` committed; the bench also wants its JVP and HVP. */
async function mlpDerivatives(): Promise<{ lossGrad: Function; lossJvp: Function; lossHvp: Function }> {
  const result = await compile({ files: [join(root, "examples/mlp.ts")], fn: ["loss"], wrt: ["layers"], emit: ["grad", "jvp", "hvp"] });
  if (result.diagnostics.length > 0) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  const dir = join(root, ".tsad-tmp", "bench");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "mlp.grad.ts"), result.modules[0]!.text);
  return import(join(dir, "mlp.grad.ts"));
}

function tfContenders(tf: TfPeer | undefined, make: (tf: TfPeer) => TfProblem, pick: (g: number[]) => number[] = (g) => g): Contender[] {
  if (!tf) return [];
  const peer = make(tf);
  return [
    { name: `${TF} primal`, run: () => peer.primal() },
    { name: `${TF} tf.grads`, run: () => peer.gradient(), gradient: () => pick(peer.gradient()), tolerance: FLOAT32 },
  ];
}

const fd = (name = "finite differences"): string => `${name}: skipped at this size (too slow)`;

function gmmProblem(d: number, K: number, n: number, tf: TfPeer | undefined, small: boolean): Problem {
  const input = gmmInputs(d, K, n, 2026);
  const { alpha, mu, q, l, x, gamma, m } = input;
  const params = { alpha, mu, q, l };
  const grad = () => gmmObjectiveGrad(alpha, mu, q, l, x, gamma, m);
  const flatGrad = (g: ReturnType<typeof grad>["grad"]) => [g.alpha, g.mu, g.q, g.l].flatMap((v) => flatten(v));
  const direction = { alpha: uniformVector(K, -1, 1, 3), mu: uniformMatrix(K, d, -1, 1, 4), q: uniformMatrix(K, d, -1, 1, 5), l: uniformMatrix(K, (d * (d - 1)) / 2, -1, 1, 6) };
  const primal = () => gmmObjective(alpha, mu, q, l, x, gamma, m);
  const dof = d + m + 1;
  let logMultiGamma = ((d * (d - 1)) / 4) * Math.log(Math.PI);
  for (let j = 1; j <= d; j++) logMultiGamma += logGamma(0.5 * dof + (1 - j) / 2);
  const priorConstant = K * (dof * d * (Math.log(gamma) - 0.5 * Math.log(2)) - logMultiGamma);
  const count = K * (1 + 2 * d + (d * (d - 1)) / 2);
  return {
    name: "GMM",
    size: `d=${d}, K=${K}, n=${n}`,
    primal,
    reference: () => flatGrad(grad().grad),
    contenders: [
      { name: "tsad grad", run: grad },
      { name: "tsad jvp (1 direction)", run: () => gmmObjectiveJvp(alpha, mu, q, l, x, gamma, m, direction) },
      ...(small
        ? [
            { name: `tsad gradient by ${count} JVPs`, run: () => jvpSweepGradient((t) => gmmObjectiveJvp(alpha, mu, q, l, x, gamma, m, t as typeof direction).tangent, params), gradient: () => jvpSweepGradient((t) => gmmObjectiveJvp(alpha, mu, q, l, x, gamma, m, t as typeof direction).tangent, params) },
            { name: "finite differences", run: () => finiteDifferenceGradient(primal, [alpha, mu, q, l]), gradient: () => finiteDifferenceGradient(primal, [alpha, mu, q, l]), tolerance: FINITE_DIFFERENCES },
          ]
        : []),
      ...tfContenders(tf, (t) => t.gmm(input, priorConstant)),
    ],
    skipped: small ? [] : [`gradient by ${count} JVPs: skipped at this size (too slow)`, fd()],
  };
}

function lstmProblem(layers: number, c: number, tf: TfPeer | undefined, small: boolean): Problem {
  const input = lstmInputs(layers, c, 14, 2026);
  const { main_params: mainParams, extra_params: extraParams, state, sequence } = input;
  const grad = () => lstmObjectiveGrad(mainParams, extraParams, state, sequence);
  const params = { mainParams, extraParams };
  const direction = { mainParams: uniformMatrix(2 * layers, 56, -1, 1, 7), extraParams: uniformMatrix(3, 14, -1, 1, 8) };
  const primal = () => lstmObjective(mainParams, extraParams, state, sequence);
  const sweep = () => jvpSweepGradient((t) => lstmObjectiveJvp(mainParams, extraParams, state, sequence, t as typeof direction).tangent, params);
  const count = 8 * layers * 14 + 3 * 14;
  return {
    name: "LSTM",
    size: `l=${layers}, c=${c}, b=14`,
    primal,
    reference: () => [...flatten(grad().grad.mainParams), ...flatten(grad().grad.extraParams)],
    contenders: [
      { name: "tsad grad", run: grad },
      { name: "tsad jvp (1 direction)", run: () => lstmObjectiveJvp(mainParams, extraParams, state, sequence, direction) },
      ...(small
        ? [
            { name: `tsad gradient by ${count} JVPs`, run: sweep, gradient: sweep },
            { name: "finite differences", run: () => finiteDifferenceGradient(primal, [mainParams, extraParams]), gradient: () => finiteDifferenceGradient(primal, [mainParams, extraParams]), tolerance: FINITE_DIFFERENCES },
          ]
        : []),
      ...tfContenders(tf, (t) => t.lstm(input)),
    ],
    skipped: small ? [] : [`gradient by ${count} JVPs: skipped at this size (too slow)`, fd()],
  };
}

function lseProblem(n: number, tf: TfPeer | undefined): Problem {
  const { x } = lseInputs(n, 2026);
  const direction = { x: uniformVector(n, -1, 1, 9) };
  return {
    name: "lse",
    size: `n=${n}`,
    primal: () => lse(x),
    reference: () => lseGrad(x).grad.x,
    contenders: [
      { name: "tsad grad", run: () => lseGrad(x) },
      { name: "tsad jvp (1 direction)", run: () => lseJvp(x, direction) },
      { name: "hand-written gradient", run: () => lseGradient(x), gradient: () => lseGradient(x) },
      ...tfContenders(tf, (t) => t.lse(x)),
    ],
    skipped: [`gradient by ${n} JVPs: skipped (too slow)`, fd()],
  };
}

function llsqProblem(n: number, m: number, tf: TfPeer | undefined): Problem {
  const { x } = llsqInputs(n, m, 2026);
  const direction = { x: uniformVector(m, -1, 1, 10) };
  const primal = () => llsq(x, n);
  const sweep = () => jvpSweepGradient((t) => llsqJvp(x, n, t as typeof direction).tangent, { x });
  return {
    name: "llsq",
    size: `n=${n}, m=${m}`,
    primal,
    reference: () => llsqGrad(x, n).grad.x,
    contenders: [
      { name: "tsad grad", run: () => llsqGrad(x, n) },
      { name: "tsad jvp (1 direction)", run: () => llsqJvp(x, n, direction) },
      { name: `tsad gradient by ${m} JVPs`, run: sweep, gradient: sweep },
      { name: "hand-written gradient", run: () => llsqGradient(x, n), gradient: () => llsqGradient(x, n) },
      { name: "finite differences", run: () => finiteDifferenceGradient(primal, [x]), gradient: () => finiteDifferenceGradient(primal, [x]), tolerance: FINITE_DIFFERENCES },
      ...tfContenders(tf, (t) => t.llsq(x, n)),
    ],
    skipped: [],
  };
}

function rosenbrockProblem(n: number, tf: TfPeer | undefined): Problem {
  const x = uniformVector(n, -1, 1, 2026);
  const direction = { x: uniformVector(n, -1, 1, 11) };
  const small = n <= 1000;
  const sweep = () => jvpSweepGradient((t) => rosenbrockJvp(x, t as typeof direction).tangent, { x });
  return {
    name: "Rosenbrock",
    size: `n=${n}`,
    primal: () => rosenbrock(x),
    reference: () => rosenbrockGrad(x).grad.x,
    contenders: [
      { name: "tsad grad", run: () => rosenbrockGrad(x) },
      { name: "tsad jvp (1 direction)", run: () => rosenbrockJvp(x, direction) },
      { name: "tsad hvp (1 direction)", run: () => rosenbrockHvp(x, direction) },
      ...(small ? [{ name: `tsad gradient by ${n} JVPs`, run: sweep, gradient: sweep }] : []),
      { name: "hand-written gradient", run: () => rosenbrockGradient(x), gradient: () => rosenbrockGradient(x) },
      ...(small ? [{ name: "finite differences", run: () => finiteDifferenceGradient(() => rosenbrock(x), [x]), gradient: () => finiteDifferenceGradient(() => rosenbrock(x), [x]), tolerance: FINITE_DIFFERENCES }] : []),
      ...tfContenders(tf, (t) => t.rosenbrock(x)),
    ],
    skipped: small ? [] : [`gradient by ${n} JVPs: skipped (too slow)`, fd()],
  };
}

function odeFromStateProblem(n: number, s: number, tf: TfPeer | undefined): Problem {
  const y0 = uniformVector(n, -1, 1, 2026);
  const { x } = odeInputs(n, s, 2027);
  const direction = { y0: uniformVector(n, -1, 1, 12), x: uniformVector(n, -1, 1, 13) };
  const primal = () => odeLastFrom(y0, x, s);
  const grad = () => odeLastFromGrad(y0, x, s);
  const sweep = () => jvpSweepGradient((t) => odeLastFromJvp(y0, x, s, t as typeof direction).tangent, { y0, x });
  return {
    name: "ODE, RK4 (w.r.t. y0 and x)",
    size: `n=${n}, ${s} steps`,
    primal,
    reference: () => [...grad().grad.y0, ...grad().grad.x],
    contenders: [
      { name: "tsad grad", run: grad },
      { name: "tsad jvp (1 direction)", run: () => odeLastFromJvp(y0, x, s, direction) },
      { name: `tsad gradient by ${2 * n} JVPs`, run: sweep, gradient: sweep },
      { name: "finite differences", run: () => finiteDifferenceGradient(primal, [y0, x]), gradient: () => finiteDifferenceGradient(primal, [y0, x]), tolerance: FINITE_DIFFERENCES },
      ...tfContenders(tf, (t) => t.odeFromState(y0, x, s)),
    ],
    skipped: [],
  };
}

function gradbenchOdeProblem(n: number, s: number, tf: TfPeer | undefined): Problem {
  const { x } = odeInputs(n, s, 2028);
  const direction = { x: uniformVector(n, -1, 1, 14) };
  return {
    name: "ODE (GradBench eval)",
    size: `n=${n}, s=${s}`,
    primal: () => odeLast(x, s),
    reference: () => odeLastGrad(x, s).grad.x,
    contenders: [
      { name: "tsad grad", run: () => odeLastGrad(x, s) },
      { name: "tsad jvp (1 direction)", run: () => odeLastJvp(x, s, direction) },
      ...tfContenders(tf, (t) => t.odeFromState(new Array(n).fill(0), x, s), (g) => g.slice(n)),
    ],
    skipped: [`gradient by ${n} JVPs: skipped (too slow)`, fd()],
  };
}

function logisticProblem(tf: TfPeer | undefined): Problem {
  const d = 20;
  const N = 1000;
  const X = uniformMatrix(N, d, -1, 1, 2026);
  const y = X.map((row) => (row[0]! + 0.5 * row[1]! > 0 ? 1 : 0));
  const w = uniformVector(d, 0, 0.1, 2027);
  const primal = () => logisticLoss(w, 0.1, X, y);
  return {
    name: "logistic regression",
    size: `N=${N}, d=${d} (w.r.t. w)`,
    primal,
    reference: () => logisticLossGrad(w, 0.1, X, y).grad.w,
    contenders: [
      { name: "tsad grad", run: () => logisticLossGrad(w, 0.1, X, y) },
      { name: "finite differences", run: () => finiteDifferenceGradient(primal, [w]), gradient: () => finiteDifferenceGradient(primal, [w]), tolerance: FINITE_DIFFERENCES },
      ...tfContenders(tf, (t) => t.logistic(w, 0.1, X, y)),
    ],
    skipped: [],
  };
}

async function mlpProblem(tf: TfPeer | undefined): Promise<Problem> {
  const mlp = await mlpDerivatives();
  const random = seededRandom(2026);
  const sizes = [8, 64, 64, 4];
  const layers: Layer[] = [];
  for (let l = 1; l < sizes.length; l++) {
    layers.push({ W: Array.from({ length: sizes[l]! }, () => Array.from({ length: sizes[l - 1]! }, () => random() - 0.5)), b: Array.from({ length: sizes[l]! }, () => random() - 0.5) });
  }
  const xs = uniformMatrix(64, 8, 0, 1, 2027);
  const ys = uniformMatrix(64, 4, 0, 1, 2028);
  const direction = { layers: layers.map((l) => ({ W: l.W.map((r) => r.map(() => random() - 0.5)), b: l.b.map(() => random() - 0.5) })) };
  const flat = (ls: Layer[]) => ls.flatMap((l) => [...l.W.flat(), ...l.b]);
  const count = flat(layers).length;
  return {
    name: "MLP loss (examples/mlp.ts)",
    size: "8-64-64-4, 64 samples",
    primal: () => mlpLoss(layers, xs, ys),
    reference: () => flat(mlp.lossGrad(layers, xs, ys).grad.layers),
    contenders: [
      { name: "tsad grad", run: () => mlp.lossGrad(layers, xs, ys) },
      { name: "tsad jvp (1 direction)", run: () => mlp.lossJvp(layers, xs, ys, direction) },
      { name: "tsad hvp (1 direction)", run: () => mlp.lossHvp(layers, xs, ys, direction) },
      { name: "hand-written gradient", run: () => mlpGradient(layers, xs, ys), gradient: () => flat(mlpGradient(layers, xs, ys)) },
      ...tfContenders(tf, (t) => t.mlp(layers, xs, ys)),
    ],
    skipped: [`gradient by ${count} JVPs: skipped (too slow)`, fd()],
  };
}

/** max |a − b| / max(1, ‖b‖∞): how far a contender's gradient is from tsad's. */
function disagreement(actual: number[], expected: number[]): number {
  if (actual.length !== expected.length) return Infinity;
  let scale = 1;
  for (const e of expected) scale = Math.max(scale, Math.abs(e));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return Number.isFinite(worst) ? worst / scale : Infinity;
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

interface Measured {
  rows: Row[];
  notes: string[];
  wrong: number;
}

/** Checks every contender against tsad's gradient, then times the primal and each contender. */
function measure(problem: Problem): Measured {
  const rows: Row[] = [];
  const notes: string[] = [];
  let wrong = 0;
  const reference = problem.reference();
  const primal = timePrimal(problem.primal);
  rows.push({ problem: problem.name, size: problem.size, contender: "primal", ms: primal.ms, ratio: 1, spread: primal.spread, check: "" });
  for (const contender of problem.contenders) {
    let check = "";
    if (contender.gradient) {
      const error = disagreement(contender.gradient(), reference);
      const tolerance = contender.tolerance ?? EXACT;
      check = error.toExponential(1);
      if (!(error <= tolerance)) {
        wrong++;
        notes.push(`${problem.name} ${problem.size}: ${contender.name} disagrees with tsad's gradient (${check} > ${tolerance}); not timed.`);
        continue;
      }
    }
    const t = time(contender.run, problem.primal);
    rows.push({ problem: problem.name, size: problem.size, contender: contender.name, ms: t.ms, ratio: t.ratio, spread: t.spread, check });
  }
  for (const skipped of problem.skipped) notes.push(`${problem.name} ${problem.size}: ${skipped}.`);
  return { rows, notes, wrong };
}

const makers: { name: string; make: (tf: TfPeer | undefined) => Problem | Promise<Problem> }[] = [
  { name: "gmm", make: (tf) => gmmProblem(2, 5, 1000, tf, true) },
  { name: "gmm", make: (tf) => gmmProblem(10, 25, 1000, tf, false) },
  { name: "lstm", make: (tf) => lstmProblem(2, 128, tf, true) },
  { name: "lstm", make: (tf) => lstmProblem(2, 1024, tf, false) },
  { name: "lse", make: (tf) => lseProblem(100_000, tf) },
  { name: "llsq", make: (tf) => llsqProblem(1024, 128, tf) },
  { name: "rosenbrock", make: (tf) => rosenbrockProblem(1000, tf) },
  { name: "rosenbrock", make: (tf) => rosenbrockProblem(100_000, tf) },
  { name: "mlp", make: (tf) => mlpProblem(tf) },
  { name: "logistic", make: (tf) => logisticProblem(tf) },
  { name: "ode", make: (tf) => odeFromStateProblem(10, 1000, tf) },
  { name: "ode gradbench", make: (tf) => gradbenchOdeProblem(1000, 100, tf) },
];

/** Child mode: one problem, results as JSON in a file. */
async function measureOne(index: number, resultFile: string): Promise<void> {
  const loaded = await loadTf();
  const tf = typeof loaded === "string" ? undefined : loaded.tf;
  const peerNote = typeof loaded === "string" ? loaded : `${loaded.version}; float32, so its gradients are checked to ${FLOAT32} (relative to the largest entry), the others to ${EXACT} (finite differences ${FINITE_DIFFERENCES}).`;
  const problem = await makers[index]!.make(tf);
  const measured = measure(problem);
  writeFileSync(resultFile, JSON.stringify({ ...measured, peerNote }));
}

/**
 * Each problem runs in a process of its own (all its contenders in that one process): the heap
 * and the JIT's type feedback left by one problem must not slow down the next.
 */
function main(): void {
  const jsonFile = option("--json");
  const only = option("--only")?.toLowerCase();
  const scratch = join(root, ".tsad-tmp", "bench");
  mkdirSync(scratch, { recursive: true });
  const rows: Row[] = [];
  const notes = new Set<string>();
  let wrong = 0;
  let peerNote = "";
  makers.forEach((maker, index) => {
    if (only && !maker.name.includes(only)) return;
    const resultFile = join(scratch, `result-${process.pid}-${index}.json`);
    const passOn = process.argv.includes("--no-peers") ? ["--no-peers"] : [];
    const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, "--problem", String(index), "--result", resultFile, ...passOn], { stdio: ["ignore", "ignore", "inherit"] });
    if (child.status !== 0) {
      notes.add(`${maker.name} (problem ${index}): the measuring process failed (exit status ${child.status ?? child.signal}).`);
      wrong++;
      return;
    }
    const result = JSON.parse(readFileSync(resultFile, "utf8")) as Measured & { peerNote: string };
    rmSync(resultFile);
    process.stderr.write(`measured ${result.rows[0]?.problem} ${result.rows[0]?.size}\n`);
    rows.push(...result.rows);
    result.notes.forEach((note) => notes.add(note));
    wrong += result.wrong;
    peerNote = result.peerNote;
  });
  printTable(rows, [peerNote, ...notes].filter(Boolean));
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(rows.map(({ check: _, ...record }) => record), null, 2) + "\n");
  if (wrong > 0) process.exitCode = 1;
}

async function start(): Promise<void> {
  if (process.argv.includes("--vector")) return (await import("./vector.ts")).printVectorBench();
  const problem = option("--problem");
  if (problem !== undefined) await measureOne(Number(problem), option("--result")!);
  else main();
}

start().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
