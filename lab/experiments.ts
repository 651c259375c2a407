/**
 * The four experiments of the lab, as functions from options to the numbers their figures plot.
 * The command line (`npm run lab`) and the page's worker run exactly these. Each reports
 * progress with the result so far (the same object, filled in as it goes), so a page can draw
 * while it trains and keep what it has when stopped.
 */
import { hessianSpectrum, sharpness } from "./curvature.ts";
import { predict } from "./models/mlp.ts";
import { initNetwork, parameterCount, sawtoothNetwork, widthForBudget, type Layer } from "./network.ts";
import { relativeChange, tangentKernel } from "./ntk.ts";
import { linearRegions } from "./regions.ts";
import { targetFunction } from "./targets.ts";
import { grid, gradientDescent, meanSquaredError, noisySamples, type Dataset } from "./train.ts";

export type Progress<R> = (fraction: number, partial: R) => void;

export interface TargetChoice {
  /** sin, abs, step, sawtooth, or custom (then `expression`). */
  target: string;
  expression?: string;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const curveOf = (layers: readonly Layer[], xs: readonly number[]) => xs.map((x) => predict(layers as Layer[], x));

// ─── Approximation ────────────────────────────────────────────────────────────────────────────

export interface ApproximationOptions extends TargetChoice {
  depth: number;
  width: number;
  steps: number;
  rate: number;
  /** Evenly spaced training points on [−1, 1]. */
  samples: number;
  seed: number;
  /** Parameter count the depth comparison holds fixed. */
  budget: number;
  maxDepth: number;
  /** Hidden widths for the width comparison (for depths 1, 2 and 3). */
  widths: number[];
  /** Random networks averaged per point of the comparisons. */
  seeds: number;
}

export const APPROXIMATION_DEFAULTS: ApproximationOptions = {
  target: "sin",
  depth: 2,
  width: 16,
  steps: 2000,
  rate: 0.4,
  samples: 64,
  seed: 1,
  budget: 300,
  maxDepth: 8,
  widths: [2, 4, 8, 16, 32, 64],
  seeds: 5,
};

export interface ApproximationResult {
  target: string;
  depth: number;
  width: number;
  parameters: number;
  samples: Dataset;
  /** Target and network on a fine grid of [−1, 1]. */
  curve: { xs: number[]; target: number[]; fit: number[] };
  losses: { step: number; loss: number }[];
  /** Linear regions of the network on [−1, 1], exactly: before training and now, and where they meet. */
  regions: { initial: number; trained: number; breakpoints: number[] };
  /** At (nearly) equal parameter count: random networks of each depth, and the sawtooth network (width 2) of that depth. */
  byDepth: { depth: number; width: number; parameters: number; random: number; sawtooth: number }[];
  /** Random networks of depth 1, 2 and 3 over the widths: regions against parameter count. */
  byWidth: { depth: number; width: number; parameters: number; random: number }[];
}

/** Regions on [−1, 1] of `seeds` random networks of one architecture, averaged. */
function meanRegions(depth: number, width: number, seeds: number, seed: number): number {
  return mean(range(seeds).map((s) => linearRegions(initNetwork({ depth, width }, { seed: seed * 1000 + s }), -1, 1).count));
}

export function approximation(options: Partial<ApproximationOptions> = {}, progress?: Progress<ApproximationResult>): ApproximationResult {
  const o = { ...APPROXIMATION_DEFAULTS, ...options };
  const f = targetFunction(o.target, o.expression);
  const layers = initNetwork(o, { seed: o.seed });
  const samples = grid(f, o.samples);
  const xs = grid(() => 0, 401).xs;
  const initial = linearRegions(layers, -1, 1);
  const result: ApproximationResult = {
    target: o.target === "custom" ? (o.expression ?? "") : o.target,
    depth: o.depth,
    width: o.width,
    parameters: parameterCount(o),
    samples,
    curve: { xs, target: xs.map(f), fit: curveOf(layers, xs) },
    losses: [{ step: 0, loss: meanSquaredError(layers, samples) }],
    regions: { initial: initial.count, trained: initial.count, breakpoints: initial.breakpoints },
    byDepth: [],
    byWidth: [],
  };
  const every = Math.max(1, Math.round(o.steps / 100));
  const refresh = () => {
    const now = linearRegions(layers, -1, 1);
    result.curve.fit = curveOf(layers, xs);
    result.regions.trained = now.count;
    result.regions.breakpoints = now.breakpoints;
  };
  gradientDescent(layers, samples, {
    steps: o.steps,
    rate: o.rate,
    onStep: (step) => {
      if (step % every !== 0 && step !== o.steps) return;
      result.losses.push({ step, loss: meanSquaredError(layers, samples) });
      if (progress) {
        refresh();
        progress((0.8 * step) / o.steps, result);
      }
    },
  });
  refresh();
  for (let depth = 1; depth <= o.maxDepth; depth++) {
    const width = widthForBudget(depth, o.budget);
    result.byDepth.push({
      depth,
      width,
      parameters: parameterCount({ depth, width }),
      random: meanRegions(depth, width, o.seeds, o.seed),
      sawtooth: linearRegions(sawtoothNetwork(depth), -1, 1).count,
    });
    progress?.(0.8 + (0.1 * depth) / o.maxDepth, result);
  }
  for (const depth of [1, 2, 3]) {
    for (const width of o.widths) result.byWidth.push({ depth, width, parameters: parameterCount({ depth, width }), random: meanRegions(depth, width, o.seeds, o.seed) });
    progress?.(0.9 + (0.1 * depth) / 3, result);
  }
  return result;
}

// ─── Generalisation ───────────────────────────────────────────────────────────────────────────

export interface GeneralisationOptions extends TargetChoice {
  /** Standard deviation of the noise on every sample, training and test. */
  noise: number;
  train: number;
  test: number;
  depth: number;
  width: number;
  steps: number;
  rate: number;
  /** Samples per gradient step (0: all, plain gradient descent). */
  batchSize: number;
  initScale: number;
  seed: number;
  sweepWidths: number[];
  sweepScales: number[];
  sweepBatches: number[];
  /** Steps of each run in the sweeps. */
  sweepSteps: number;
  /** Runs averaged per point of a sweep. */
  seeds: number;
}

export const GENERALISATION_DEFAULTS: GeneralisationOptions = {
  target: "sin",
  noise: 0.3,
  train: 16,
  test: 200,
  depth: 1,
  width: 64,
  steps: 3000,
  rate: 0.5,
  batchSize: 0,
  initScale: 1,
  seed: 1,
  sweepWidths: [4, 16, 64, 256],
  sweepScales: [0.25, 0.5, 1, 2, 4],
  sweepBatches: [1, 4, 16],
  sweepSteps: 1500,
  seeds: 2,
};

export type SweepName = "width" | "initScale" | "batchSize";

export interface GeneralisationResult {
  noise: number;
  train: Dataset;
  test: Dataset;
  /** The network of the main run on [−1, 1]. */
  fit: { xs: number[]; ys: number[] };
  curves: { step: number; train: number; test: number }[];
  /** Each point a training run (final losses, averaged over seeds). */
  sweeps: { name: SweepName; points: { value: number; train: number; test: number }[] }[];
}

interface Run {
  width: number;
  initScale: number;
  batchSize: number;
  steps: number;
  seed: number;
}

export function generalisation(options: Partial<GeneralisationOptions> = {}, progress?: Progress<GeneralisationResult>): GeneralisationResult {
  const o = { ...GENERALISATION_DEFAULTS, ...options };
  const f = targetFunction(o.target, o.expression);
  const train = noisySamples(f, { n: o.train, noise: o.noise, seed: o.seed });
  const test = noisySamples(f, { n: o.test, noise: o.noise, seed: o.seed + 7919 });
  const xs = grid(() => 0, 201).xs;
  const result: GeneralisationResult = { noise: o.noise, train, test, fit: { xs, ys: [] }, curves: [], sweeps: [] };
  const runOnce = ({ width, initScale, batchSize, steps, seed }: Run, onStep?: (step: number, layers: Layer[]) => void) => {
    const layers = initNetwork({ depth: o.depth, width }, { seed, scale: initScale });
    gradientDescent(layers, train, { steps, rate: o.rate, batchSize: batchSize || undefined, seed, onStep: onStep && ((step) => onStep(step, layers)) });
    return { layers, train: meanSquaredError(layers, train), test: meanSquaredError(layers, test) };
  };
  const main: Run = { width: o.width, initScale: o.initScale, batchSize: o.batchSize, steps: o.steps, seed: o.seed };
  const every = Math.max(1, Math.round(o.steps / 100));
  const record = (step: number, layers: Layer[]) => result.curves.push({ step, train: meanSquaredError(layers, train), test: meanSquaredError(layers, test) });
  record(0, initNetwork({ depth: o.depth, width: o.width }, { seed: o.seed, scale: o.initScale }));
  const { layers } = runOnce(main, (step, layers) => {
    if (step % every !== 0 && step !== o.steps) return;
    record(step, layers);
    if (progress) {
      result.fit.ys = curveOf(layers, xs);
      progress((0.25 * step) / o.steps, result);
    }
  });
  result.fit.ys = curveOf(layers, xs);
  const sweeps: [SweepName, number[], (value: number) => Partial<Run>][] = [
    ["width", o.sweepWidths, (width) => ({ width })],
    ["initScale", o.sweepScales, (initScale) => ({ initScale })],
    ["batchSize", o.sweepBatches, (batchSize) => ({ batchSize })],
  ];
  const total = sweeps.reduce((n, [, values]) => n + values.length, 0);
  let done = 0;
  for (const [name, values, change] of sweeps) {
    const sweep = { name, points: [] as { value: number; train: number; test: number }[] };
    result.sweeps.push(sweep);
    for (const value of values) {
      const runs = range(o.seeds).map((s) => runOnce({ ...main, steps: o.sweepSteps, seed: o.seed + 101 * (s + 1), ...change(value) }));
      sweep.points.push({ value, train: mean(runs.map((r) => r.train)), test: mean(runs.map((r) => r.test)) });
      progress?.(0.25 + (0.75 * ++done) / total, result);
    }
  }
  return result;
}

// ─── Curvature ────────────────────────────────────────────────────────────────────────────────

export interface CurvatureOptions extends TargetChoice {
  depth: number;
  width: number;
  samples: number;
  steps: number;
  /** One training run per learning rate; each gets its own sharpness curve and its 2/η line. */
  rates: number[];
  /** Steps between two sharpness measurements. */
  every: number;
  /** Power-iteration steps per measurement (at most). */
  iterations: number;
  seed: number;
  /** The small network whose whole Hessian is computed. */
  spectrumDepth: number;
  spectrumWidth: number;
  spectrumSteps: number;
}

export const CURVATURE_DEFAULTS: CurvatureOptions = {
  target: "sin",
  depth: 3,
  width: 16,
  samples: 32,
  steps: 600,
  rates: [0.1, 0.3],
  every: 25,
  iterations: 20,
  seed: 1,
  spectrumDepth: 1,
  spectrumWidth: 10,
  spectrumSteps: 1000,
};

export interface CurvatureResult {
  runs: { rate: number; points: { step: number; sharpness: number; loss: number }[] }[];
  /** The small network's Hessian eigenvalues (ascending), before and after training; the power-iteration estimate beside each. */
  spectrum: { depth: number; width: number; parameters: number; initial: number[]; trained: number[]; powerInitial: number; powerTrained: number };
}

export function curvature(options: Partial<CurvatureOptions> = {}, progress?: Progress<CurvatureResult>): CurvatureResult {
  const o = { ...CURVATURE_DEFAULTS, ...options };
  const data = grid(targetFunction(o.target, o.expression), o.samples);
  const small = initNetwork({ depth: o.spectrumDepth, width: o.spectrumWidth }, { seed: o.seed });
  const result: CurvatureResult = {
    runs: [],
    spectrum: { depth: o.spectrumDepth, width: o.spectrumWidth, parameters: parameterCount({ depth: o.spectrumDepth, width: o.spectrumWidth }), initial: [], trained: [], powerInitial: NaN, powerTrained: NaN },
  };
  const measure = (layers: Layer[], step: number) => ({ step, sharpness: sharpness(layers, data, { iterations: o.iterations, tolerance: 1e-4, seed: step + 1 }).value, loss: meanSquaredError(layers, data) });
  o.rates.forEach((rate, r) => {
    const layers = initNetwork(o, { seed: o.seed });
    const run = { rate, points: [measure(layers, 0)] };
    result.runs.push(run);
    gradientDescent(layers, data, {
      steps: o.steps,
      rate,
      onStep: (step) => {
        if (step % o.every !== 0) return;
        run.points.push(measure(layers, step));
        progress?.((0.8 * (r + step / o.steps)) / o.rates.length, result);
      },
    });
  });
  result.spectrum.initial = hessianSpectrum(small, data);
  result.spectrum.powerInitial = sharpness(small, data, { iterations: 500, tolerance: 1e-10 }).value;
  progress?.(0.9, result);
  gradientDescent(small, data, { steps: o.spectrumSteps, rate: Math.min(...o.rates) });
  result.spectrum.trained = hessianSpectrum(small, data);
  result.spectrum.powerTrained = sharpness(small, data, { iterations: 500, tolerance: 1e-10 }).value;
  progress?.(1, result);
  return result;
}

// ─── Neural tangent kernel ────────────────────────────────────────────────────────────────────

export interface NtkOptions extends TargetChoice {
  depth: number;
  /** Width of the network whose kernel is drawn. */
  width: number;
  /** Points on [−1, 1] where the kernel is evaluated (and the network trained). */
  points: number;
  steps: number;
  rate: number;
  widths: number[];
  seeds: number;
  seed: number;
}

export const NTK_DEFAULTS: NtkOptions = {
  target: "sin",
  depth: 1,
  width: 512,
  points: 16,
  steps: 200,
  rate: 0.5,
  widths: [8, 32, 128, 512, 2048],
  seeds: 3,
  seed: 1,
};

export interface NtkResult {
  xs: number[];
  /** Θ = J·Jᵀ of the drawn network before and after training, and its relative change. */
  kernel: { width: number; initial: number[][]; trained: number[][]; change: number };
  /** ‖Θ_trained − Θ_initial‖_F / ‖Θ_initial‖_F against width (mean over seeds, each run listed). */
  movement: { width: number; change: number; changes: number[]; loss: number }[];
}

export function ntk(options: Partial<NtkOptions> = {}, progress?: Progress<NtkResult>): NtkResult {
  const o = { ...NTK_DEFAULTS, ...options };
  const data = grid(targetFunction(o.target, o.expression), o.points);
  const trainRun = (width: number, seed: number) => {
    const layers = initNetwork({ depth: o.depth, width }, { seed });
    const initial = tangentKernel(layers, data.xs);
    gradientDescent(layers, data, { steps: o.steps, rate: o.rate });
    const trained = tangentKernel(layers, data.xs);
    return { initial, trained, change: relativeChange(initial, trained), loss: meanSquaredError(layers, data) };
  };
  const drawn = trainRun(o.width, o.seed);
  const result: NtkResult = { xs: data.xs, kernel: { width: o.width, initial: drawn.initial, trained: drawn.trained, change: drawn.change }, movement: [] };
  progress?.(0.2, result);
  o.widths.forEach((width, w) => {
    const runs = range(o.seeds).map((s) => trainRun(width, o.seed + s));
    result.movement.push({ width, change: mean(runs.map((r) => r.change)), changes: runs.map((r) => r.change), loss: mean(runs.map((r) => r.loss)) });
    progress?.(0.2 + (0.8 * (w + 1)) / o.widths.length, result);
  });
  return result;
}

