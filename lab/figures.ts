/** Each experiment's figures, as charts: the page draws them on canvases, the command line into a PNG. */
import type { ApproximationResult, CurvatureResult, GeneralisationResult, NtkResult, SweepName } from "./experiments.ts";
import { COLOURS, type Chart, type LineChart } from "./plot/charts.ts";

const PALETTE = [COLOURS.blue, COLOURS.red, COLOURS.green, COLOURS.orange, COLOURS.purple];

export function approximationCharts(r: ApproximationResult): Chart[] {
  const depths = [...new Set(r.byWidth.map((p) => p.depth))];
  return [
    {
      kind: "line",
      title: `fit: depth ${r.depth}, width ${r.width} (${r.parameters} parameters), ${r.regions.trained} linear regions`,
      xLabel: "x",
      yLabel: "f(x)",
      series: [
        { label: "target", xs: r.curve.xs, ys: r.curve.target, colour: COLOURS.grey },
        { label: "network", xs: r.curve.xs, ys: r.curve.fit, colour: COLOURS.blue },
        { label: "training points", xs: r.samples.xs, ys: r.samples.ys, colour: COLOURS.ink, style: "points" },
      ],
      marks: { xs: r.regions.breakpoints, colour: COLOURS.red, label: "kinks" },
    },
    {
      kind: "line",
      title: "training loss (mean squared error)",
      xLabel: "step",
      yLabel: "loss",
      yLog: true,
      series: [{ label: "", xs: r.losses.map((p) => p.step), ys: r.losses.map((p) => p.loss), colour: COLOURS.blue }],
    },
    {
      kind: "line",
      title: `linear regions on [-1, 1] against depth, ~${r.byDepth[0] ? Math.round(r.byDepth.reduce((s, p) => s + p.parameters, 0) / r.byDepth.length) : 0} parameters`,
      xLabel: "depth (hidden layers)",
      yLabel: "regions",
      yLog: true,
      series: [
        { label: "random networks, equal parameters", xs: r.byDepth.map((p) => p.depth), ys: r.byDepth.map((p) => p.random), colour: COLOURS.blue, style: "both" },
        { label: "sawtooth network (width 2)", xs: r.byDepth.map((p) => p.depth), ys: r.byDepth.map((p) => p.sawtooth), colour: COLOURS.red, style: "both" },
      ],
    },
    {
      kind: "line",
      title: "linear regions of random networks against parameter count",
      xLabel: "parameters",
      yLabel: "regions",
      xLog: true,
      yLog: true,
      series: depths.map((depth, i) => {
        const points = r.byWidth.filter((p) => p.depth === depth);
        return { label: `depth ${depth}`, xs: points.map((p) => p.parameters), ys: points.map((p) => p.random), colour: PALETTE[i % PALETTE.length]!, style: "both" as const };
      }),
    },
  ];
}

const SWEEP_LABELS: Record<SweepName, string> = { width: "width (hidden units per layer)", initScale: "initial weight scale", batchSize: "batch size (samples per step)" };

export function generalisationCharts(r: GeneralisationResult): Chart[] {
  const noiseLevel = { y: r.noise ** 2, colour: COLOURS.grey, label: "noise variance" };
  const charts: Chart[] = [
    {
      kind: "line",
      title: `${r.train.xs.length} noisy training points, the trained network`,
      xLabel: "x",
      yLabel: "y",
      series: [
        { label: "test", xs: r.test.xs, ys: r.test.ys, colour: "#b9c2d6", style: "points" },
        { label: "train", xs: r.train.xs, ys: r.train.ys, colour: COLOURS.ink, style: "points" },
        { label: "network", xs: r.fit.xs, ys: r.fit.ys, colour: COLOURS.blue },
      ],
    },
    {
      kind: "line",
      title: "training and test loss during training",
      xLabel: "step",
      yLabel: "mean squared error",
      yLog: true,
      series: [
        { label: "train", xs: r.curves.map((p) => p.step), ys: r.curves.map((p) => p.train), colour: COLOURS.blue },
        { label: "test", xs: r.curves.map((p) => p.step), ys: r.curves.map((p) => p.test), colour: COLOURS.red },
      ],
      levels: [noiseLevel],
    },
  ];
  for (const sweep of r.sweeps) {
    charts.push({
      kind: "line",
      title: `final losses against ${sweep.name === "initScale" ? "initial scale" : sweep.name === "batchSize" ? "batch size" : "width"}`,
      xLabel: SWEEP_LABELS[sweep.name],
      yLabel: "mean squared error",
      xLog: true,
      yLog: true,
      series: [
        { label: "train", xs: sweep.points.map((p) => p.value), ys: sweep.points.map((p) => p.train), colour: COLOURS.blue, style: "both" },
        { label: "test", xs: sweep.points.map((p) => p.value), ys: sweep.points.map((p) => p.test), colour: COLOURS.red, style: "both" },
      ],
      levels: [noiseLevel],
    });
  }
  return charts;
}

export function curvatureCharts(r: CurvatureResult): Chart[] {
  const s = r.spectrum;
  const index = (values: number[]) => values.map((_, i) => i + 1);
  return [
    {
      kind: "line",
      title: "sharpness: top Hessian eigenvalue during training",
      xLabel: "step",
      yLabel: "largest eigenvalue",
      series: r.runs.map((run, i) => ({ label: `η = ${run.rate}`, xs: run.points.map((p) => p.step), ys: run.points.map((p) => p.sharpness), colour: PALETTE[i % PALETTE.length]!, style: "both" as const })),
      levels: r.runs.map((run, i) => ({ y: 2 / run.rate, colour: PALETTE[i % PALETTE.length]!, label: `2/η = ${Number((2 / run.rate).toPrecision(3))}` })),
    },
    {
      kind: "line",
      title: "training loss",
      xLabel: "step",
      yLabel: "loss",
      yLog: true,
      series: r.runs.map((run, i) => ({ label: `η = ${run.rate}`, xs: run.points.map((p) => p.step), ys: run.points.map((p) => p.loss), colour: PALETTE[i % PALETTE.length]! })),
    },
    {
      kind: "line",
      title: `Hessian spectrum, depth ${s.depth} width ${s.width} (${s.parameters} parameters)`,
      xLabel: "eigenvalue index (ascending)",
      yLabel: "eigenvalue",
      series: [
        { label: "at initialisation", xs: index(s.initial), ys: s.initial, colour: COLOURS.grey, style: "both" },
        { label: "after training", xs: index(s.trained), ys: s.trained, colour: COLOURS.blue, style: "both" },
      ],
      levels: [{ y: s.powerTrained, colour: COLOURS.red, label: "power iteration (trained)" }],
    },
  ];
}

export function ntkCharts(r: NtkResult): Chart[] {
  const all = [...r.kernel.initial.flat(), ...r.kernel.trained.flat()];
  const range: [number, number] = [Math.min(...all), Math.max(...all)];
  const movement: LineChart = {
    kind: "line",
    title: "how far the kernel moves in training, against width",
    xLabel: "width",
    yLabel: "relative change of the kernel",
    xLog: true,
    yLog: true,
    series: [
      { label: "each run", xs: r.movement.flatMap((p) => p.changes.map(() => p.width)), ys: r.movement.flatMap((p) => p.changes), colour: "#b9c2d6", style: "points" },
      { label: "mean", xs: r.movement.map((p) => p.width), ys: r.movement.map((p) => p.change), colour: COLOURS.blue, style: "both" },
    ],
  };
  const first = r.movement[0];
  if (first) {
    // A slope of −1/2 through the first mean: the rate 1/√width the theory predicts.
    movement.series.push({ label: "1/sqrt(width)", xs: r.movement.map((p) => p.width), ys: r.movement.map((p) => first.change * Math.sqrt(first.width / p.width)), colour: COLOURS.grey, dashed: true });
  }
  return [
    { kind: "heat", title: `kernel at initialisation, width ${r.kernel.width}`, values: r.kernel.initial, xs: r.xs, axisLabel: "x, x'", range },
    { kind: "heat", title: `after training (relative change ${r.kernel.change.toPrecision(2)})`, values: r.kernel.trained, xs: r.xs, axisLabel: "x, x'", range },
    { kind: "heat", title: "the change: trained minus initial", values: r.kernel.trained.map((row, i) => row.map((v, j) => v - r.kernel.initial[i]![j]!)), xs: r.xs, axisLabel: "x, x'" },
    movement,
  ];
}
