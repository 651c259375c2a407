/**
 * The four panels of the Lab: what each runs, what to look for (two sentences), which generated
 * functions it calls, and its settings (the experiment's options, shown as form fields).
 */
import { APPROXIMATION_DEFAULTS, CURVATURE_DEFAULTS, GENERALISATION_DEFAULTS, NTK_DEFAULTS } from "../../lab/experiments.ts";
import { approximationCharts, curvatureCharts, generalisationCharts, ntkCharts } from "../../lab/figures.ts";
import type { Chart } from "../../lab/plot/charts.ts";
import type { ExperimentName, Results } from "./protocol.ts";

export interface Panel<K extends ExperimentName = ExperimentName> {
  name: K;
  title: string;
  /** Two sentences: what to look for. */
  look: string;
  /** The generated functions it runs (links into the code below). */
  runs: string[];
  defaults: object;
  /** Settings a page shows first (the rest are under "more settings"). */
  main: string[];
  charts: (result: Results[K]) => Chart[];
  /** Whether training blew up (a loss that is NaN, infinite or above 10⁶, for targets of size 1): the step size is too large. */
  diverged: (result: Results[K]) => boolean;
}

const blewUp = (losses: number[]) => losses.some((v) => !(v < 1e6));

export const PANELS: Panel[] = [
  {
    name: "approximation",
    title: "Approximation",
    look: "A ReLU network is piecewise linear: the red ticks are its kinks, found exactly where some unit's pre-activation changes sign. Depth can multiply the number of pieces (the sawtooth network doubles them with every layer), yet random networks of equal size get at most one piece per unit, and fewer the deeper they are.",
    runs: ["lossGrad", "preActivationsJvp"],
    defaults: APPROXIMATION_DEFAULTS,
    main: ["target", "expression", "depth", "width", "steps", "rate"],
    charts: approximationCharts as Panel["charts"],
    diverged: ((r: Results["approximation"]) => blewUp(r.losses.map((p) => p.loss))) as Panel["diverged"],
  },
  {
    name: "generalisation",
    title: "Generalisation",
    look: "The training loss falls below the noise level (dashed) while the test loss stops improving: past that point the network is fitting noise. Each point of the sweeps is a full training run, so you can see how width, the initial scale and the batch size (gradient noise) change what the same model class learns.",
    runs: ["lossGrad"],
    defaults: GENERALISATION_DEFAULTS,
    main: ["target", "expression", "noise", "train", "width", "steps", "rate", "batchSize", "initScale"],
    charts: generalisationCharts as Panel["charts"],
    diverged: ((r: Results["generalisation"]) => blewUp([...r.curves.map((p) => p.train), ...r.sweeps.flatMap((s) => s.points.map((p) => p.train))])) as Panel["diverged"],
  },
  {
    name: "curvature",
    title: "Curvature",
    look: "Gradient descent with step η is stable only where the curvature is below 2/η: watch the sharpness (the top Hessian eigenvalue, by power iteration on Hessian-vector products) climb to its dashed 2/η line and hover there while the loss stops falling smoothly. Below, every eigenvalue of a small network's Hessian: a few large ones and a bulk near zero.",
    runs: ["lossHvp", "lossHessian", "lossGrad"],
    defaults: CURVATURE_DEFAULTS,
    main: ["target", "expression", "depth", "width", "steps", "rates"],
    charts: curvatureCharts as Panel["charts"],
    diverged: ((r: Results["curvature"]) => blewUp(r.runs.flatMap((run) => run.points.map((p) => p.loss)))) as Panel["diverged"],
  },
  {
    name: "ntk",
    title: "Neural tangent kernel",
    look: "The kernel Θ(x, x′) = ∇θf(x)·∇θf(x′), from the Jacobian of the outputs, says how much a gradient step on x′ moves the output at x. The wider the network, the less training changes it (about as 1/√width, the dashed line): a wide network trains like a linear model in its initial kernel.",
    runs: ["predictionsJacobian", "lossGrad"],
    defaults: NTK_DEFAULTS,
    main: ["target", "expression", "width", "points", "steps", "rate", "widths"],
    charts: ntkCharts as Panel["charts"],
    diverged: ((r: Results["ntk"]) => blewUp(r.movement.map((p) => p.loss))) as Panel["diverged"],
  },
];

export const LABELS: Record<string, string> = {
  target: "target",
  expression: "f(x) =",
  depth: "depth",
  width: "width",
  steps: "steps",
  rate: "learning rate η",
  rates: "learning rates η",
  samples: "samples",
  seed: "seed",
  budget: "parameters (depth comparison)",
  maxDepth: "up to depth",
  widths: "widths",
  seeds: "runs per point",
  noise: "noise σ",
  train: "training points",
  test: "test points",
  batchSize: "batch size (0: all)",
  initScale: "initial scale",
  sweepWidths: "sweep: widths",
  sweepScales: "sweep: initial scales",
  sweepBatches: "sweep: batch sizes",
  sweepSteps: "sweep: steps per run",
  every: "measure every (steps)",
  iterations: "power iterations",
  spectrumDepth: "spectrum: depth",
  spectrumWidth: "spectrum: width",
  spectrumSteps: "spectrum: steps",
  points: "points",
};
