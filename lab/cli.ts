/**
 * `npm run lab -- <experiment> [--json FILE] [--png FILE] [--OPTION VALUE …]`: runs one of the
 * lab's experiments in Node, prints what it found, and writes the figures' numbers (JSON) and
 * the figures themselves (PNG).
 */
import { existsSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { APPROXIMATION_DEFAULTS, CURVATURE_DEFAULTS, GENERALISATION_DEFAULTS, NTK_DEFAULTS, approximation, curvature, generalisation, ntk } from "./experiments.ts";
import { approximationCharts, curvatureCharts, generalisationCharts, ntkCharts } from "./figures.ts";
import { drawGrid, type Chart } from "./plot/charts.ts";
import { encodePng } from "./plot/png.ts";
import { Raster } from "./plot/raster.ts";
import { ExpressionError } from "./expression.ts";
import { OptionError, parseOption } from "./options.ts";

interface Experiment {
  defaults: object;
  run: (options: never, progress: (fraction: number) => void) => unknown;
  charts: (result: never) => Chart[];
  summary: (result: never) => string[];
}

const fixed = (v: number, digits = 4) => Number(v.toPrecision(digits)).toString();

export const EXPERIMENTS: Record<string, Experiment> = {
  approximation: {
    defaults: APPROXIMATION_DEFAULTS,
    run: approximation as Experiment["run"],
    charts: approximationCharts as Experiment["charts"],
    summary: (r: ReturnType<typeof approximation>) => [
      `depth ${r.depth}, width ${r.width} (${r.parameters} parameters) on ${r.target}: loss ${fixed(r.losses[0]!.loss)} → ${fixed(r.losses.at(-1)!.loss)}; linear regions on [-1, 1]: ${r.regions.initial} at initialisation, ${r.regions.trained} trained`,
      `regions at ~equal parameter count, by depth: ${r.byDepth.map((p) => `${p.depth}: ${fixed(p.random, 3)} (width ${p.width})`).join(", ")}`,
      `the sawtooth network of depth 1…${r.byDepth.length}: ${r.byDepth.map((p) => p.sawtooth).join(", ")} regions`,
    ],
  },
  generalisation: {
    defaults: GENERALISATION_DEFAULTS,
    run: generalisation as Experiment["run"],
    charts: generalisationCharts as Experiment["charts"],
    summary: (r: ReturnType<typeof generalisation>) => {
      const last = r.curves.at(-1)!;
      const best = r.curves.reduce((a, b) => (b.test < a.test ? b : a));
      return [
        `noise variance ${fixed(r.noise ** 2)}; after ${last.step} steps: train ${fixed(last.train)}, test ${fixed(last.test)} (lowest test ${fixed(best.test)} at step ${best.step})`,
        ...r.sweeps.map((s) => `${s.name}: ${s.points.map((p) => `${p.value} → train ${fixed(p.train, 3)} / test ${fixed(p.test, 3)}`).join(", ")}`),
      ];
    },
  },
  curvature: {
    defaults: CURVATURE_DEFAULTS,
    run: curvature as Experiment["run"],
    charts: curvatureCharts as Experiment["charts"],
    summary: (r: ReturnType<typeof curvature>) => [
      ...r.runs.map((run) => `η = ${run.rate} (2/η = ${fixed(2 / run.rate)}): sharpness ${run.points.filter((_, i) => i % 4 === 0).map((p) => fixed(p.sharpness, 3)).join(" → ")}`),
      `Hessian of ${r.spectrum.parameters} parameters: largest eigenvalue ${fixed(r.spectrum.trained.at(-1)!, 8)} (dense) vs ${fixed(r.spectrum.powerTrained, 8)} (power iteration); smallest ${fixed(r.spectrum.trained[0]!)}`,
    ],
  },
  ntk: {
    defaults: NTK_DEFAULTS,
    run: ntk as Experiment["run"],
    charts: ntkCharts as Experiment["charts"],
    summary: (r: ReturnType<typeof ntk>) => [
      `relative change of the kernel in training: ${r.movement.map((p) => `width ${p.width}: ${fixed(p.change, 3)}`).join(", ")}`,
    ],
  },
};

const USAGE = `usage: npm run lab -- <${Object.keys(EXPERIMENTS).join("|")}> [--json FILE] [--png FILE] [--OPTION VALUE ...]

  --json FILE    write the figures' numbers as JSON
  --png FILE     draw the figures into a PNG
  --OPTION VALUE change one of the experiment's options (lists: comma-separated), e.g. --depth 3 --widths 4,16,64
  --help         list an experiment's options and their defaults: npm run lab -- ntk --help
`;

class UsageError extends Error {}

/** Options from `--name value` pairs, typed like the experiment's defaults. */
export function parseOptions(defaults: object, pairs: [string, string][]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, text] of pairs) {
    if (!Object.hasOwn(defaults, name)) throw new UsageError(`unknown option --${name}; the options are ${Object.keys(defaults).map((k) => `--${k}`).join(", ")}`);
    try {
      options[name] = parseOption(defaults, name, text);
    } catch (error) {
      if (error instanceof OptionError) throw new UsageError(`--${name} ${error.message}`);
      throw error;
    }
  }
  if (options.expression !== undefined && options.target === undefined) options.target = "custom";
  if (options.expression !== undefined && options.target !== "custom") throw new UsageError(`--expression is the target; it cannot go with --target ${options.target}`);
  if (options.target === "custom" && options.expression === undefined) throw new UsageError("--target custom wants --expression TEXT");
  return options;
}

/** Writes an output file, a failure (no such folder, no permission) as a usage error. */
function write(file: string, data: string | Uint8Array): void {
  try {
    writeFileSync(resolve(file), data);
  } catch (error) {
    throw new UsageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function main(argv: string[]): number {
  const [name, ...rest] = argv;
  const experiment = name ? EXPERIMENTS[name] : undefined;
  if (!experiment) {
    if (name === "--help" || name === "-h") {
      process.stdout.write(USAGE);
      return 0;
    }
    process.stderr.write(name ? `lab: unknown experiment '${name}'\n${USAGE}` : USAGE);
    return 2;
  }
  let json: string | undefined;
  let png: string | undefined;
  const pairs: [string, string][] = [];
  try {
    for (let i = 0; i < rest.length; i++) {
      const flag = rest[i]!;
      if (flag === "--help" || flag === "-h") {
        process.stdout.write(`${name}: options and their defaults\n${Object.entries(experiment.defaults).map(([k, v]) => `  --${k} ${Array.isArray(v) ? v.join(",") : v}`).join("\n")}\n  --expression TEXT (a target in x, e.g. "sin(3x) + abs(x)/2")\n`);
        return 0;
      }
      if (!flag.startsWith("--") || i + 1 >= rest.length) throw new UsageError(`expected --OPTION VALUE, not '${flag}'`);
      const value = rest[++i]!;
      if (flag === "--json") json = value;
      else if (flag === "--png") png = value;
      else pairs.push([flag.slice(2), value]);
    }
    const options = parseOptions({ ...experiment.defaults, expression: "" }, pairs);
    // Found out now, not after a run of minutes.
    for (const file of [json, png]) if (file && !existsSync(dirname(resolve(file)))) throw new UsageError(`cannot write ${file}: no folder ${dirname(resolve(file))}`);
    const started = performance.now();
    let reported = 0;
    const result = experiment.run(options as never, (fraction) => {
      if (process.stderr.isTTY && fraction - reported >= 0.05) {
        reported = fraction;
        process.stderr.write(`\r${name}: ${Math.round(100 * fraction)}%`);
      }
    });
    if (process.stderr.isTTY) process.stderr.write("\r");
    process.stdout.write(`${name} (${((performance.now() - started) / 1000).toFixed(1)} s)\n${experiment.summary(result as never).map((line) => `  ${line}\n`).join("")}`);
    if (json) {
      write(json, `${JSON.stringify({ experiment: name, options: { ...experiment.defaults, ...options }, result }, null, 1)}\n`);
      process.stdout.write(`wrote ${json}\n`);
    }
    if (png) {
      const charts = experiment.charts(result as never);
      const columns = 2;
      const cell = { w: 560, h: 360 };
      const raster = new Raster(columns * cell.w, Math.ceil(charts.length / columns) * cell.h, 2);
      drawGrid(raster, charts, columns, cell);
      write(png, encodePng(raster.pixelWidth, raster.pixelHeight, raster.pixels));
      process.stdout.write(`wrote ${png}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`lab: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ExpressionError) {
      process.stderr.write(`lab: cannot read the expression: ${error.message} (at character ${error.at + 1})\n`);
      return 2;
    }
    throw error;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) process.exitCode = main(process.argv.slice(2));
