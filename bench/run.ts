/**
 * `npm run bench`: times tsad's generated derivatives beside the primal, hand-written gradients,
 * the JavaScript AD libraries in bench/peers (TensorFlow.js on its CPU and WebAssembly backends,
 * jax-js on WebAssembly; when `npm ci --prefix bench/peers` has installed them) and finite
 * differences, on the AD community's benchmark problems (bench/problems/, defined as in ADBench
 * and GradBench), one process per problem. Every contender's gradient is checked against tsad's
 * before it is timed; beside its time, each gets its peak extra memory (heap growth during one call).
 *
 *   npm run bench                      the table on stdout
 *   npm run bench -- --json FILE       also the records {problem, size, contender, ms, ratio, spread, heapBytes}
 *   npm run bench -- --only gmm        only the problems whose name contains "gmm"
 *   npm run bench -- --no-peers        without the peers even when they are installed
 *   npm run bench -- --check           only check every contender's gradient against tsad's, no timing
 *   npm run bench -- --help            these lines
 *   npm run bench -- --deopts          instead of timing: does V8 keep each generated derivative
 *                                      optimised? (bench/deopts.ts)
 *   npm run bench -- --checkpoint      checkpointed gradients of long loops against unbounded tapes (bench/checkpoint.ts)
 *   npm run bench -- --vector          vector forward mode against one pass per direction (bench/vector.ts)
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";
import { join, resolve } from "node:path";
import { compile } from "../src/pipeline.ts";
import { loss as mlpLoss, type Layer } from "../examples/mlp.ts";
import { llsqGradient, lseGradient, mlpGradient, rosenbrockGradient } from "./handwritten.ts";
import { flatten, type Nested } from "./leaves.ts";
import { finiteDifferenceGradient, jvpSweepGradient } from "./sweeps.ts";
import { extraMemory, time, timePrimal } from "./timing.ts";
import { printTable, type Row } from "./table.ts";
import { BenchUsageError, parseBenchArgs, USAGE, type BenchArgs } from "./args.ts";
import { deoptReport, deoptRows, loadedSourceMaps, traceCalls, type ChildResult, type DeoptRow } from "./deopts.ts";
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
import type { JaxPeer, PeerProblems, TfPeer, TfProblem } from "./peer.ts";
import { baProblem, detProblem, htProblem, kmeansProblem } from "./eval-problems.ts";

export interface Contender {
  name: string;
  run: () => unknown;
  /** Its gradient, flattened like the reference; contenders without one are not checked. */
  gradient?: () => number[];
  /** Largest allowed max |a − b| / max(1, ‖reference‖∞). */
  tolerance?: number;
  /** Run before it is checked and timed (a peer selects its backend and builds its problem here). */
  prepare?: () => Promise<void>;
  /**
   * Another library (its memory is not on the JavaScript heap, and a wrong gradient is its bug:
   * reported, not timed, but it does not fail the run).
   */
  peer?: boolean;
}

export interface Problem {
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

const root = resolve(import.meta.dirname, "..");

/** One peer library on one backend and precision, as the table names it. */
interface Peer {
  label: string;
  /** How it computes the gradient. */
  method: string;
  tolerance: number;
  /** Selects its backend (TensorFlow.js keeps one active backend per process). */
  select: () => Promise<void>;
  problems: PeerProblems;
}

/** A path in a variable: tsad's typecheck must not follow it into a package it may not have. */
async function importPeer<T>(path: string): Promise<T | undefined> {
  try {
    return (await import(path)) as T;
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw error;
  }
}

async function loadPeers(): Promise<{ peers: Peer[]; notes: string[] }> {
  if (args.noPeers) return { peers: [], notes: ["Peers left out (--no-peers)."] };
  const peers: Peer[] = [];
  const notes: string[] = [];
  const tf = await importPeer<TfPeer>("./peers/tfjs-problems.ts");
  const jax = await importPeer<JaxPeer>("./peers/jax-problems.ts");
  if (!tf || !jax) notes.push("The peers are not installed: run `npm ci --prefix bench/peers` to compare with TensorFlow.js and jax-js.");
  if (tf) {
    const version = await tf.initialise();
    const wasm = await tf.useBackend("wasm");
    await tf.useBackend("cpu");
    for (const [backend, how] of [["cpu", "cpu"], ["wasm", wasm]] as const) {
      peers.push({ label: `TF.js ${backend} (float32)`, method: "tf.grads", tolerance: FLOAT32, select: async () => void (await tf.useBackend(backend)), problems: tf });
      notes.push(`TF.js ${backend}: ${version}, backend ${how}; float32, so its gradients are checked to ${FLOAT32} (relative to the largest entry).`);
    }
  }
  if (jax) {
    const version = await jax.initialise();
    for (const dtype of ["float64", "float32"] as const) {
      const problems = Object.fromEntries(Object.entries(jax).filter(([, f]) => typeof f === "function").map(([name, f]) => [name, (...args: unknown[]) => (f as Function)(dtype, ...args)])) as unknown as PeerProblems;
      peers.push({ label: `jax-js wasm (${dtype})`, method: "jit(valueAndGrad)", tolerance: FLOAT32, select: async () => {}, problems });
    }
    notes.push(`jax-js: ${version}. Its gradients are checked to ${FLOAT32} in both precisions: in float64 they agree with tsad's only to about 1e-7 (see "vs tsad"). Loops over time (ODE steps, LSTM characters) are unrolled while jit traces them: jax-js has no loop primitive.`);
  }
  return { peers, notes };
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

/**
 * Each peer's primal and gradient. The peer's problem is built when the first of them is prepared,
 * after its backend is selected; a peer that cannot build it (or fails running it) is left out
 * with a note, not the whole problem.
 */
function peerContenders(peers: Peer[], make: (p: PeerProblems) => TfProblem, pick: (g: number[]) => number[] = (g) => g): Contender[] {
  return peers.flatMap((peer) => {
    let built: TfProblem | undefined;
    const prepare = async () => {
      await peer.select();
      built ??= make(peer.problems);
    };
    return [
      { name: `${peer.label} primal`, prepare, run: () => built!.primal(), peer: true },
      { name: `${peer.label} ${peer.method}`, prepare, run: () => built!.gradient(), gradient: () => pick(built!.gradient().flatMap((g) => Array.from(g))), tolerance: peer.tolerance, peer: true },
    ];
  });
}

const fd = (name = "finite differences"): string => `${name}: skipped at this size (too slow)`;

function gmmProblem(d: number, K: number, n: number, peers: Peer[], small: boolean): Problem {
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
      ...peerContenders(peers, (t) => t.gmm(input, priorConstant)),
    ],
    skipped: small ? [] : [`gradient by ${count} JVPs: skipped at this size (too slow)`, fd()],
  };
}

function lstmProblem(layers: number, c: number, peers: Peer[], small: boolean): Problem {
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
      ...peerContenders(peers, (t) => t.lstm(input)),
    ],
    skipped: small ? [] : [`gradient by ${count} JVPs: skipped at this size (too slow)`, fd()],
  };
}

function lseProblem(n: number, peers: Peer[]): Problem {
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
      ...peerContenders(peers, (t) => t.lse(x)),
    ],
    skipped: [`gradient by ${n} JVPs: skipped (too slow)`, fd()],
  };
}

function llsqProblem(n: number, m: number, peers: Peer[]): Problem {
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
      ...peerContenders(peers, (t) => t.llsq(x, n)),
    ],
    skipped: [],
  };
}

function rosenbrockProblem(n: number, peers: Peer[]): Problem {
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
      ...peerContenders(peers, (t) => t.rosenbrock(x)),
    ],
    skipped: small ? [] : [`gradient by ${n} JVPs: skipped (too slow)`, fd()],
  };
}

function odeFromStateProblem(n: number, s: number, peers: Peer[]): Problem {
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
      ...peerContenders(peers, (t) => t.odeFromState(y0, x, s)),
    ],
    skipped: [],
  };
}

function gradbenchOdeProblem(n: number, s: number, peers: Peer[]): Problem {
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
      ...peerContenders(peers, (t) => t.odeFromState(new Array(n).fill(0), x, s), (g) => g.slice(n)),
    ],
    skipped: [`gradient by ${n} JVPs: skipped (too slow)`, fd()],
  };
}

function logisticProblem(peers: Peer[]): Problem {
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
      ...peerContenders(peers, (t) => t.logistic(w, 0.1, X, y)),
    ],
    skipped: [],
  };
}

async function mlpProblem(peers: Peer[]): Promise<Problem> {
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
      ...peerContenders(peers, (t) => t.mlp(layers, xs, ys)),
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

/** The command line, read once in `start`. */
let args: BenchArgs;

interface Measured {
  rows: Row[];
  notes: string[];
  wrong: number;
}

/** Start and end times of garbage collections in this process (PerformanceObserver, delivered late). */
const collections: [number, number][] = [];
function watchCollections(): void {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collections.push([entry.startTime, entry.startTime + entry.duration]);
  }).observe({ entryTypes: ["gc"] });
}

/** Heap growth during one call, and whether a collection ran inside one of the measured calls. */
async function memoryOf(run: () => unknown): Promise<Pick<Row, "heapBytes" | "collected">> {
  const measured = extraMemory(run);
  if (!measured) return {};
  // Entries for the collections just done arrive in a later turn of the event loop.
  await new Promise((done) => setTimeout(done, 20));
  const collected = measured.windows.some(([start, end]) => collections.some(([from, to]) => from < end && to > start));
  return { heapBytes: measured.bytes, collected };
}

/** One contender checked, then timed; a string says why it disagrees. */
async function measureContender(problem: Problem, contender: Contender, reference: number[], checkOnly: boolean): Promise<Row | string> {
  await contender.prepare?.();
  let check = "";
  if (contender.gradient) {
    const error = disagreement(contender.gradient(), reference);
    const tolerance = contender.tolerance ?? EXACT;
    check = error.toExponential(1);
    if (!(error <= tolerance)) return `${problem.name} ${problem.size}: ${contender.name} disagrees with tsad's gradient (${check} > ${tolerance}); not timed.`;
  }
  const row = { problem: problem.name, size: problem.size, contender: contender.name, check };
  if (checkOnly) return { ...row, ms: NaN, ratio: NaN, spread: [NaN, NaN] };
  const t = time(contender.run, problem.primal);
  const memory = contender.peer ? {} : await memoryOf(contender.run);
  return { ...row, ms: t.ms, ratio: t.ratio, spread: t.spread, ...memory };
}

/** Checks every contender against tsad's gradient, then times the primal and each contender. */
async function measure(problem: Problem): Promise<Measured> {
  const rows: Row[] = [];
  const notes: string[] = [];
  let wrong = 0;
  const reference = problem.reference();
  const checkOnly = args.check;
  const primal = checkOnly ? { ms: NaN, spread: [NaN, NaN] as [number, number] } : timePrimal(problem.primal);
  rows.push({ problem: problem.name, size: problem.size, contender: "primal", ms: primal.ms, ratio: 1, spread: primal.spread, check: "", ...(checkOnly ? {} : await memoryOf(problem.primal)) });
  for (const contender of problem.contenders) {
    try {
      const row = await measureContender(problem, contender, reference, checkOnly);
      if (typeof row === "string") {
        if (!contender.peer) wrong++;
        notes.push(row);
      } else rows.push(row);
    } catch (error) {
      // A peer that lacks a kernel (TF.js wasm has no gradient for gather) is left out, not the problem.
      notes.push(`${problem.name} ${problem.size}: ${contender.name} left out: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  for (const skipped of problem.skipped) notes.push(`${problem.name} ${problem.size}: ${skipped}.`);
  return { rows, notes, wrong };
}

const makers: { name: string; make: (peers: Peer[]) => Problem | Promise<Problem> }[] = [
  { name: "gmm", make: (peers) => gmmProblem(2, 5, 1000, peers, true) },
  { name: "gmm", make: (peers) => gmmProblem(10, 25, 1000, peers, false) },
  { name: "lstm", make: (peers) => lstmProblem(2, 128, peers, true) },
  { name: "lstm", make: (peers) => lstmProblem(2, 1024, peers, false) },
  { name: "lse", make: (peers) => lseProblem(100_000, peers) },
  { name: "llsq", make: (peers) => llsqProblem(1024, 128, peers) },
  { name: "rosenbrock", make: (peers) => rosenbrockProblem(1000, peers) },
  { name: "rosenbrock", make: (peers) => rosenbrockProblem(100_000, peers) },
  { name: "mlp", make: (peers) => mlpProblem(peers) },
  { name: "logistic", make: (peers) => logisticProblem(peers) },
  { name: "ode", make: (peers) => odeFromStateProblem(10, 1000, peers) },
  { name: "ode gradbench", make: (peers) => gradbenchOdeProblem(1000, 100, peers) },
  { name: "kmeans", make: () => kmeansProblem(100, 10000, 8) },
  { name: "ba", make: () => baProblem("ba1_n49_m7776_p31843", 49, 7776, 31843) },
  { name: "ht", make: () => htProblem(100, false) },
  { name: "ht", make: () => htProblem(100, true) },
  { name: "det", make: () => detProblem(8) },
];

/** Child mode: one problem, results as JSON in a file. */
async function measureOne(index: number, resultFile: string): Promise<void> {
  watchCollections();
  const { peers, notes } = await loadPeers();
  const problem = await makers[index]!.make(peers);
  const measured = await measure(problem);
  writeFileSync(resultFile, JSON.stringify({ ...measured, peerNotes: notes }));
}

/** Child mode for --deopts: the primal and tsad's derivatives of one problem, V8 tracing to stdout. */
async function traceOne(index: number, resultFile: string): Promise<void> {
  const problem = await makers[index]!.make([]);
  const generated = problem.contenders.filter((c) => c.name.startsWith("tsad ") && !c.name.includes(" by "));
  const results = traceCalls([{ name: "primal", run: problem.primal }, ...generated]);
  const sourceMaps = loadedSourceMaps([join(root, "bench", "problems"), join(root, ".tsad-tmp", "bench"), join(root, "examples")]);
  const result: ChildResult = { problem: problem.name, size: problem.size, results, sourceMaps };
  writeFileSync(resultFile, JSON.stringify(result));
}

/** Runs Node with `nodeArgs` on this script for one problem in a fresh process; undefined and a note when it fails. */
function child(index: number, resultFile: string, nodeArgs: string[], stdout: "ignore" | number): unknown {
  const passOn = [...(args.noPeers ? ["--no-peers"] : []), ...(args.check ? ["--check"] : [])];
  const run = spawnSync(process.execPath, [...nodeArgs, import.meta.filename, "--problem", String(index), "--result", resultFile, ...passOn], { stdio: ["ignore", stdout, "inherit"] });
  if (run.status !== 0) return undefined;
  const result = JSON.parse(readFileSync(resultFile, "utf8")) as unknown;
  rmSync(resultFile);
  return result;
}

/**
 * Each problem runs in a process of its own (all its contenders in that one process): the heap
 * and the JIT's type feedback left by one problem must not slow down the next.
 */
function main(): void {
  const jsonFile = args.json;
  const only = args.only;
  const scratch = join(root, ".tsad-tmp", "bench");
  mkdirSync(scratch, { recursive: true });
  if (args.deopts) return deopts(scratch, only);
  const rows: Row[] = [];
  const notes = new Set<string>();
  let wrong = 0;
  let peerNotes: string[] = [];
  makers.forEach((maker, index) => {
    if (only && !maker.name.includes(only)) return;
    const result = child(index, join(scratch, `result-${process.pid}-${index}.json`), process.execArgv, "ignore") as (Measured & { peerNotes: string[] }) | undefined;
    if (!result) {
      notes.add(`${maker.name} (problem ${index}): the measuring process failed.`);
      wrong++;
      return;
    }
    process.stderr.write(`measured ${result.rows[0]?.problem} ${result.rows[0]?.size}\n`);
    rows.push(...result.rows);
    result.notes.forEach((note) => notes.add(note));
    wrong += result.wrong;
    peerNotes = result.peerNotes;
  });
  printTable(rows, [...peerNotes, `tsad's own contenders are checked to ${EXACT}, finite differences to ${FINITE_DIFFERENCES}.`, ...notes]);
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(rows.map(({ check: _, ...record }) => record), null, 2) + "\n");
  if (wrong > 0) process.exitCode = 1;
}

/** --deopts: every problem under V8's optimisation and deoptimisation traces. */
function deopts(scratch: string, only: string | undefined): void {
  const rows: DeoptRow[] = [];
  const maps: ChildResult["sourceMaps"] = {};
  const failed: string[] = [];
  makers.forEach((maker, index) => {
    if (only && !maker.name.includes(only)) return;
    const traceFile = join(scratch, `trace-${process.pid}-${index}.txt`);
    const fd = openSync(traceFile, "w");
    const result = child(index, join(scratch, `deopts-${process.pid}-${index}.json`), [...process.execArgv, "--trace-opt", "--trace-deopt-verbose"], fd) as ChildResult | undefined;
    closeSync(fd);
    if (!result) {
      failed.push(`${maker.name} (problem ${index}): the tracing process failed; its trace is in ${traceFile}.`);
      return;
    }
    process.stderr.write(`traced ${result.problem} ${result.size}\n`);
    rows.push(...deoptRows(readFileSync(traceFile, "utf8"), result));
    Object.assign(maps, result.sourceMaps);
    rmSync(traceFile);
  });
  console.log(deoptReport(rows, maps));
  for (const note of failed) console.log(`- ${note}`);
  if (failed.length > 0) process.exitCode = 1;
}

async function start(): Promise<void> {
  try {
    args = parseBenchArgs(process.argv.slice(2), makers.map((maker) => maker.name));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.checkpoint) return (await import("./checkpoint.ts")).checkpointCommand(args.only);
  if (args.vector) return (await import("./vector.ts")).printVectorBench();
  if (args.problem === undefined) main();
  else if (process.execArgv.includes("--trace-deopt-verbose")) await traceOne(args.problem, args.result!);
  else await measureOne(args.problem, args.result!);
}

start().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
