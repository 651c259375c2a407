/**
 * The compiler worker: tsad itself (src/pipeline.ts) over an in-memory ts-morph project, and the
 * plots' numbers, computed by running the generated module — transpiled to JavaScript with the
 * TypeScript that ts-morph bundles, imported from a Blob URL. Nothing leaves the browser.
 *
 * Requests are handled one at a time; while one runs, newer ones replace older waiting ones (the
 * page only wants the result for what is in the editor now).
 */
import { ts, type Project } from "ts-morph";
// From the modules themselves, not the API: it also exports `verify`, which runs modules with Node's loader.
import { compile, EMIT_KINDS, explain, UsageError, type CompileOptions, type EmitKind } from "../../src/pipeline.ts";
import { formatDiagnostic } from "../../src/diagnostics/format.ts";
import { createProject } from "../../src/load/load.ts";
import { describeFunctions } from "./describe.ts";
import type { CompileRequest, CompileResponse, EditorDiagnostic, FunctionInfo, PlotData, PlotSettings, WorkerReady } from "./protocol.ts";
import { cloneValue, coordinates, defaultValue, fits, flatten, materialize, readAt, writeAt, type Coordinate, type ValueType } from "./values.ts";

/** The edited module's path in the in-memory file system (diagnostics print it relative to /). */
export const MODEL_PATH = "/model.ts";
const LINE_SAMPLES = 601;
const HEAT_SIZE = 64;

let project: Project | undefined;
/** The functions of the last source read (kept for the page when compiling it fails). */
let described: FunctionInfo[] = [];
let running = false;
let waiting: CompileRequest | undefined;

self.onmessage = (event: MessageEvent<CompileRequest>) => {
  waiting = event.data;
  if (!running) void drain();
};
self.postMessage({ ready: true, kinds: [...EMIT_KINDS] } satisfies WorkerReady);

async function drain(): Promise<void> {
  running = true;
  while (waiting) {
    const request = waiting;
    waiting = undefined;
    let response: CompileResponse;
    try {
      response = await handle(request);
    } catch (error) {
      // A bug in tsad or in the playground, not in the user's code: say so, with the message.
      const message = error instanceof Error ? error.message : String(error);
      response = { id: request.id, final: true, functions: described, fn: request.fn, diagnostics: [], usageError: `internal error in tsad (please report it with this source): ${message}` };
    }
    self.postMessage({ ...response, final: true });
  }
  running = false;
}

function projectWith(source: string): Project {
  if (!project) project = createProject(new Map([[MODEL_PATH, source]]));
  else project.createSourceFile(MODEL_PATH, source, { overwrite: true });
  return project;
}

async function handle(request: CompileRequest): Promise<CompileResponse> {
  const current = projectWith(request.source);
  const functions = describeFunctions(current.getSourceFileOrThrow(MODEL_PATH));
  described = functions;
  const info = functions.find((f) => f.name === request.fn) ?? functions.find((f) => f.exported) ?? functions[0];
  const response: CompileResponse = { id: request.id, final: false, functions, fn: info?.name, diagnostics: [] };
  if (!info) {
    response.usageError = "no function to differentiate: write a top-level `function` or `const f = (…) => …`";
    return response;
  }
  // Options chosen for another function (the source was renamed or replaced) do not carry over.
  const same = info.name === request.fn;
  const wrt = same ? request.wrt?.filter((name) => info.params.some((p) => p.name === name && p.differentiable)) : undefined;
  const options: CompileOptions = {
    files: [MODEL_PATH],
    project: current,
    fn: [info.name],
    wrt: wrt && wrt.length > 0 ? wrt : undefined,
    emit: same && request.emit && request.emit.length > 0 ? (request.emit as EmitKind[]) : undefined,
    inline: request.inline,
  };
  if (!same && request.plot) request.plot = { args: request.plot.args, xCoord: 0, yCoord: 1 };
  const started = performance.now();
  const shown = await compileText(options, request.source);
  response.compileMs = Math.round(performance.now() - started);
  if ("usageError" in shown) response.usageError = shown.usageError;
  else if ("diagnostics" in shown) response.diagnostics = shown.diagnostics;
  else response.module = shown.text;
  // Every parameter gets an argument: the one given, or a default of its type.
  response.args = Object.fromEntries(info.params.map((p) => [p.name, argumentText(request.plot?.args[p.name], p.type)]));
  if (response.module !== undefined) response.explain = await explainAt(options, info, response.args);
  // The module first: running the user's code for the plot may take long, or never end.
  if (request.plot && response.module !== undefined) self.postMessage(response);
  if (request.plot && response.module !== undefined) await addPlot(response, info, options, shown, request.plot, request.source);
  return response;
}

type Compiled = { text: string } | { diagnostics: EditorDiagnostic[] } | { usageError: string };

async function compileText(options: CompileOptions, source: string): Promise<Compiled> {
  try {
    const result = await compile(options);
    if (result.diagnostics.length > 0) {
      const sources = new Map([[MODEL_PATH, source]]);
      return {
        diagnostics: result.diagnostics.map((d) => ({
          line: d.at?.file === MODEL_PATH ? d.at.line : 1,
          column: d.at?.file === MODEL_PATH ? d.at.column : 1,
          text: formatDiagnostic(d, sources, "/"),
          message: `TSAD${d.code}: ${d.message}`,
        })),
      };
    }
    return { text: result.modules[0]!.text };
  } catch (error) {
    if (error instanceof UsageError) return { usageError: error.message };
    throw error;
  }
}

/** The argument as given, unless it is JSON of another shape than the type's (then a default). */
function argumentText(text: string | undefined, type: ValueType): string {
  if (text === undefined) return JSON.stringify(defaultValue(type));
  try {
    return fits(JSON.parse(text), type) ? text : JSON.stringify(defaultValue(type));
  } catch {
    return text; // being typed: the plot says it is not JSON
  }
}

/**
 * The `tsad explain` report for the function, its counts evaluated at the sizes of the plot's
 * arguments (`x.length` is the length of the `x` given; a count parameter its value).
 */
async function explainAt(options: CompileOptions, info: FunctionInfo, args: Record<string, string>): Promise<CompileResponse["explain"]> {
  const sizes = new Map<string, number>();
  const wrt = options.wrt ?? info.params.filter((p) => p.differentiable).map((p) => p.name);
  for (const param of info.params) {
    // A differentiated number is a value, not a size.
    if (param.type.kind === "number" && wrt.includes(param.name)) continue;
    try {
      collectSizes(param.name, JSON.parse(args[param.name]!), sizes);
    } catch {
      // An argument that is not JSON gives no sizes; the report stays symbolic there.
    }
  }
  try {
    const result = await explain({ files: options.files, project: options.project, fn: options.fn, wrt: options.wrt, inline: options.inline, sizes });
    const report = result.explanations[0];
    if (!report) return { error: result.diagnostics.map((d) => `TSAD${d.code}: ${d.message}`).join("\n") || "no report" };
    const used = [...sizes].filter(([name]) => mentions(report.text, name));
    return { text: report.text.replace(`${MODEL_PATH}:`, `${MODEL_PATH.slice(1)}:`), sizes: used.map(([name, value]) => `${name} = ${value}`) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Whether a report names the size symbol (as a whole: `x` is not in `x.length`, nor in `max`). */
function mentions(text: string, symbol: string): boolean {
  const escaped = symbol.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\w.\\]])${escaped}(?![\\w.\\[])`).test(text);
}

/** Sizes named as `tsad explain` names them: `x.length`, `X[i].length`, `layers[i].W.length`, `n`. */
function collectSizes(path: string, value: unknown, sizes: Map<string, number>): void {
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= 0) sizes.set(path, value);
  } else if (Array.isArray(value)) {
    sizes.set(`${path}.length`, value.length);
    if (value.length > 0) collectSizes(`${path}[i]`, value[0], sizes);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) collectSizes(`${path}.${key}`, item, sizes);
  }
}

async function addPlot(response: CompileResponse, info: FunctionInfo, options: CompileOptions, shown: Compiled, settings: PlotSettings, source: string): Promise<void> {
  const args: unknown[] = [];
  for (const param of info.params) {
    try {
      args.push(materialize(JSON.parse(response.args![param.name]!), param.type));
    } catch (error) {
      response.plotMessage = `argument \`${param.name}\` is not JSON: ${(error as Error).message}`;
      return;
    }
  }
  const wrt = options.wrt ?? info.params.filter((p) => p.differentiable).map((p) => p.name);
  const coords = wrt.flatMap((name) => {
    const index = info.params.findIndex((p) => p.name === name);
    return coordinates(name, args[index], info.params[index]!.type);
  });
  response.coords = coords.map((c) => c.label);
  if (coords.length === 0) {
    response.plotMessage = "nothing to plot: the arguments chosen as `wrt` hold no numbers";
    return;
  }
  const scalar = info.returns.kind === "number";
  const kind: EmitKind = scalar ? "grad" : "jacobian";
  const exportName = `${info.name}${scalar ? "Grad" : "Jacobian"}`;
  let text = "text" in shown ? shown.text : "";
  if (!options.emit?.includes(kind)) {
    const own = await compileText({ ...options, emit: [kind] }, source);
    if (!("text" in own)) {
      response.plotMessage = `cannot plot: tsad cannot generate \`${exportName}\` here`;
      return;
    }
    text = own.text;
  }
  const generated = await evaluate(text);
  const derivative = generated[exportName] as ((...args: unknown[]) => Record<string, unknown>) | undefined;
  if (typeof derivative !== "function") {
    response.plotMessage = `the generated module has no \`${exportName}\``;
    return;
  }
  const paramIndex = (c: Coordinate) => info.params.findIndex((p) => p.name === c.param);
  const around = (c: Coordinate | undefined): [number, number] => {
    const value = c ? Number(c.path.length === 0 ? args[paramIndex(c)] : readAt(args[paramIndex(c)], c.path)) : 0;
    return [value - 2, value + 2];
  };
  const xCoord = Math.min(settings.xCoord, coords.length - 1);
  const yCoord = settings.yCoord < coords.length && settings.yCoord !== xCoord ? settings.yCoord : xCoord === 0 ? 1 : 0;
  const ranges = { xRange: settings.xRange ?? around(coords[xCoord]), yRange: settings.yRange ?? around(coords[yCoord]) };
  Object.assign(response, { xCoord, yCoord });
  response.xRange = ranges.xRange;
  response.yRange = ranges.yRange;
  try {
    response.plot = scalar
      ? coords.length === 1
        ? linePlot(derivative, familyOf(args, info, settings, wrt), coords[0]!, paramIndex(coords[0]!), ranges.xRange)
        : heatMap(derivative, args, coords[xCoord]!, coords[yCoord]!, ranges, paramIndex)
      : jacobian(derivative, args, coords, info, exportName);
  } catch (error) {
    response.plotMessage = `the generated code threw: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The arguments with one coordinate set to x (the others as given; the originals untouched). */
function withCoordinate(args: unknown[], coord: Coordinate, index: number, x: number): unknown[] {
  const copy = cloneValue(args);
  if (coord.path.length === 0) copy[index] = x;
  else writeAt(copy[index], coord.path, x);
  return copy;
}

type Derivative = (...args: unknown[]) => Record<string, unknown>;

function gradientAt(result: Record<string, unknown>, coord: Coordinate): number {
  const grad = (result.grad as Record<string, unknown>)[coord.param];
  return Number(coord.path.length === 0 ? grad : readAt(grad, coord.path));
}

/** The arguments for each curve: one per value of the family's parameter, or just the ones given. */
function familyOf(args: unknown[], info: FunctionInfo, settings: PlotSettings, wrt: string[]): { label: string; args: unknown[] }[] {
  const index = info.params.findIndex((p) => p.name === settings.family?.param && p.type.kind === "number" && !wrt.includes(p.name));
  if (!settings.family || index < 0 || settings.family.values.length === 0) return [{ label: "", args }];
  return settings.family.values.map((value) => ({ label: `${settings.family!.param} = ${value}`, args: args.map((a, i) => (i === index ? value : a)) }));
}

function linePlot(grad: Derivative, curves: { label: string; args: unknown[] }[], coord: Coordinate, index: number, [lo, hi]: [number, number]): PlotData {
  const xs = Array.from({ length: LINE_SAMPLES }, (_, i) => lo + ((hi - lo) * i) / (LINE_SAMPLES - 1));
  const series = curves.map(({ label, args }) => {
    const values: number[] = [];
    const slopes: number[] = [];
    for (const x of xs) {
      const result = grad(...withCoordinate(args, coord, index, x));
      values.push(Number(result.value));
      slopes.push(gradientAt(result, coord));
    }
    return { label, values, slopes };
  });
  return { kind: "line", coord: coord.label, xs, series };
}

function heatMap(grad: Derivative, args: unknown[], cx: Coordinate, cy: Coordinate, ranges: { xRange: [number, number]; yRange: [number, number] }, paramIndex: (c: Coordinate) => number): PlotData {
  const [x0, x1] = ranges.xRange;
  const [y0, y1] = ranges.yRange;
  const values: number[] = [];
  const gradX: number[] = [];
  const gradY: number[] = [];
  for (let row = 0; row < HEAT_SIZE; row++) {
    const y = y0 + ((y1 - y0) * (row + 0.5)) / HEAT_SIZE;
    for (let col = 0; col < HEAT_SIZE; col++) {
      const x = x0 + ((x1 - x0) * (col + 0.5)) / HEAT_SIZE;
      const at = withCoordinate(withCoordinate(args, cx, paramIndex(cx), x), cy, paramIndex(cy), y);
      const result = grad(...at);
      values.push(Number(result.value));
      gradX.push(gradientAt(result, cx));
      gradY.push(gradientAt(result, cy));
    }
  }
  return { kind: "heat", xCoord: cx.label, yCoord: cy.label, xRange: [x0, x1], yRange: [y0, y1], size: HEAT_SIZE, values, gradX, gradY };
}

/** `fJacobian`'s matrix: rows are the flattened outputs, columns the flattened `wrt` inputs. */
function jacobian(fJacobian: Derivative, args: unknown[], coords: Coordinate[], info: FunctionInfo, exportName: string): PlotData {
  const result = fJacobian(...args) as { value: unknown; jacobian: number[][] };
  const rows = flatten(result.value, info.name, info.returns).labels;
  const entries = result.jacobian;
  if (entries.length !== rows.length || entries.some((row) => row.length !== coords.length)) {
    throw new Error(`${exportName} returned a ${entries.length}×${entries[0]?.length ?? 0} matrix for ${rows.length} outputs and ${coords.length} inputs`);
  }
  return { kind: "jacobian", rows, columns: coords.map((c) => c.label), entries, via: exportName };
}

let lastModule: { text: string; exports: Record<string, unknown> } | undefined;

/** The generated TypeScript module, as JavaScript, imported. */
async function evaluate(text: string): Promise<Record<string, unknown>> {
  if (lastModule?.text === text) return lastModule.exports;
  const js = ts.transpileModule(text, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
  try {
    const exports = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
    lastModule = { text, exports };
    return exports;
  } finally {
    URL.revokeObjectURL(url);
  }
}
