/**
 * The playground page: a TypeScript editor, the options (function, wrt, mode), the generated
 * module beside it, the diagnostics in place, a plot computed from the generated code, and the
 * state in the URL. All compiling and evaluating happens in the worker (worker.ts); this module
 * only keeps the page's state and draws.
 */
import { javascript } from "@codemirror/lang-javascript";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { basicSetup, EditorView } from "codemirror";
import { EXAMPLES, type Example } from "./examples.ts";
import { clearPlot, drawPlot } from "./plot.ts";
import type { CompileRequest, CompileResponse, FunctionInfo } from "./protocol.ts";
import { decodeState, encodeState, type SharedState } from "./share.ts";

const EDIT_DELAY_MS = 300;
/** A plot taking longer than this is stopped (an endless loop in the source); `?watchdog=ms` sets it. */
const PLOT_LIMIT_MS = Number(new URLSearchParams(location.search).get("watchdog")) || 10_000;
/** tsad itself gets longer: compiling runs no user code, so only a bug in tsad could hang it. */
const COMPILE_LIMIT_MS = 60_000;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const exampleSelect = $<HTMLSelectElement>("example");
const fnSelect = $<HTMLSelectElement>("fn");
const wrtBox = $<HTMLElement>("wrt");
const emitBox = $<HTMLElement>("emit");
const argsBox = $<HTMLElement>("args");
const rangeBox = $<HTMLElement>("ranges");
const statusLine = $<HTMLElement>("status");
const diagnosticsPre = $<HTMLPreElement>("diagnostics");
const outputNote = $<HTMLElement>("output-note");
const canvas = $<HTMLCanvasElement>("plot");
const plotMessage = $<HTMLElement>("plot-message");
const shareButton = $<HTMLButtonElement>("share");
const inlineBox = $<HTMLInputElement>("inline");

let state: SharedState = fromExample(EXAMPLES[0]!);
let functions: FunctionInfo[] = [];
let kinds: string[] = [];
let worker: Worker;
let latest = 0;
let watchdog: ReturnType<typeof setTimeout> | undefined;
let workerReady = false;
let editTimer: ReturnType<typeof setTimeout> | undefined;
let settingDoc = false;
let lastResponse: CompileResponse | undefined;

const sourceView = new EditorView({
  parent: $("source"),
  state: EditorState.create({
    doc: state.source,
    extensions: [
      basicSetup,
      javascript({ typescript: true }),
      lintGutter(),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged || settingDoc) return;
        state.source = update.state.doc.toString();
        state.example = undefined;
        exampleSelect.value = "";
        clearTimeout(editTimer);
        editTimer = setTimeout(request, EDIT_DELAY_MS);
      }),
    ],
  }),
});

const outputView = new EditorView({
  parent: $("output"),
  state: EditorState.create({ doc: "", extensions: [basicSetup, javascript({ typescript: true }), EditorState.readOnly.of(true), EditorView.editable.of(false)] }),
});

function fromExample(example: Example): SharedState {
  const { id, source, fn, wrt, emit, args, family, xCoord, yCoord, xRange, yRange } = example;
  return { example: id, source, fn, wrt, emit, args: { ...args }, family, xCoord, yCoord, xRange, yRange };
}

function startWorker(): void {
  workerReady = false;
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.onmessage = (event: MessageEvent<CompileResponse | { ready: true; kinds: string[] }>) => {
    if ("ready" in event.data) {
      kinds = event.data.kinds;
      workerReady = true;
      renderEmit();
      armWatchdog({ restart: true });
      return;
    }
    receive(event.data);
  };
  worker.onerror = (event) => {
    statusLine.textContent = `the compiler worker failed: ${event.message}`;
    document.body.dataset.busy = "false";
  };
}

function request(): void {
  clearTimeout(editTimer);
  const message: CompileRequest = {
    id: ++latest,
    source: state.source,
    fn: state.fn,
    wrt: state.wrt,
    emit: state.emit,
    inline: state.inline,
    plot: { args: state.args, family: state.family, xCoord: state.xCoord ?? 0, yCoord: state.yCoord ?? 1, xRange: state.xRange, yRange: state.yRange },
  };
  document.body.dataset.busy = "true";
  statusLine.textContent = "compiling…";
  worker.postMessage(message);
  armWatchdog();
  void saveToUrl();
}

/**
 * Stops a worker that does not answer (an endless loop in the plotted code, or in tsad) and
 * starts a fresh one. It runs while the worker is ready and busy: from a request to its module
 * (COMPILE_LIMIT_MS), then from the module to the plot (PLOT_LIMIT_MS); loading the worker's
 * code is not counted.
 */
function armWatchdog({ restart = false, plotting = false } = {}): void {
  // A new request to a worker that has not answered the last one does not buy it more time.
  if (watchdog !== undefined && !restart) return;
  disarmWatchdog();
  if (!workerReady || document.body.dataset.busy !== "true") return;
  const limit = plotting ? PLOT_LIMIT_MS : COMPILE_LIMIT_MS;
  watchdog = setTimeout(() => {
    watchdog = undefined;
    worker.terminate();
    startWorker();
    document.body.dataset.busy = "false";
    statusLine.textContent = plotting
      ? `stopped after ${limit / 1000} s: the plotted function did not finish (an endless loop?)`
      : `stopped after ${limit / 1000} s: tsad did not finish compiling (a bug in tsad: please report the source)`;
    clearPlot(canvas);
    canvas.hidden = true;
    plotMessage.textContent = plotting ? "no plot: evaluating the generated code did not finish" : "";
    document.body.dataset.stopped = String(Number(document.body.dataset.stopped ?? 0) + 1);
  }, limit);
}

function disarmWatchdog(): void {
  clearTimeout(watchdog);
  watchdog = undefined;
}

function receive(response: CompileResponse): void {
  if (response.id !== latest) return;
  functions = response.functions;
  if (response.fn !== state.fn) {
    // Another function (renamed, or a new source): the worker used its defaults, as the CLI would.
    state.fn = response.fn;
    state.wrt = undefined;
    state.emit = undefined;
    state.family = undefined;
    resetPlotFrame();
    renderEmit();
  }
  // The worker's arguments: the ones given, or defaults where a parameter has none of its shape.
  Object.assign(state.args, response.args);
  renderFunctions();
  renderWrt();
  renderArgs();
  renderOutput(response);
  renderExplain(response);
  if (!response.final) {
    statusLine.textContent += "; plotting…";
    armWatchdog({ restart: true, plotting: true });
    return;
  }
  disarmWatchdog();
  lastResponse = response;
  state.xCoord = response.xCoord ?? state.xCoord;
  state.yCoord = response.yCoord ?? state.yCoord;
  state.xRange ??= response.xRange;
  state.yRange ??= response.yRange;
  renderArgs();
  renderRanges(response);
  renderPlot(response);
  document.body.dataset.busy = "false";
  document.body.dataset.responses = String(Number(document.body.dataset.responses ?? 0) + 1);
  void saveToUrl();
}

function current(): FunctionInfo | undefined {
  return functions.find((f) => f.name === state.fn);
}

function renderFunctions(): void {
  const names = functions.map((f) => f.name);
  if ([...fnSelect.options].map((o) => o.value).join() !== names.join()) {
    fnSelect.replaceChildren(...functions.map((f) => new Option(`${f.name}${f.exported ? "" : " (not exported)"}`, f.name)));
  }
  fnSelect.value = state.fn ?? "";
}

function renderWrt(): void {
  const info = current();
  const params = info?.params.filter((p) => p.differentiable) ?? [];
  const key = `${info?.name}:${params.map((p) => p.name).join()}`;
  if (wrtBox.dataset.key !== key) {
    wrtBox.dataset.key = key;
    wrtBox.replaceChildren(...params.map((p) => checkbox("wrt", p.name, p.name, onWrtChange)));
  }
  for (const input of wrtBox.querySelectorAll("input")) input.checked = state.wrt?.includes(input.value) ?? true;
}

function onWrtChange(): void {
  const checked = [...wrtBox.querySelectorAll("input")].filter((i) => i.checked).map((i) => i.value);
  if (checked.length === 0) return renderWrt(); // at least one parameter stays selected
  const all = current()?.params.filter((p) => p.differentiable).length;
  state.wrt = checked.length === all ? undefined : checked;
  resetPlotFrame();
  request();
}

function renderEmit(): void {
  emitBox.replaceChildren(...kinds.map((kind) => checkbox("emit", kind, kind, onEmitChange)));
  for (const input of emitBox.querySelectorAll("input")) input.checked = state.emit?.includes(input.value) ?? false;
}

function onEmitChange(): void {
  const checked = [...emitBox.querySelectorAll("input")].filter((i) => i.checked).map((i) => i.value);
  state.emit = checked.length > 0 ? checked : undefined;
  request();
}

function checkbox(group: string, value: string, label: string, onChange: () => void): HTMLLabelElement {
  const element = document.createElement("label");
  const input = document.createElement("input");
  input.type = "checkbox";
  input.name = group;
  input.value = value;
  input.addEventListener("change", onChange);
  element.append(input, ` ${label}`);
  return element;
}

function renderArgs(): void {
  const params = current()?.params ?? [];
  const key = params.map((p) => p.name).join();
  if (argsBox.dataset.key !== key) {
    argsBox.dataset.key = key;
    argsBox.replaceChildren(
      ...params.map((p) => {
        const row = document.createElement("label");
        // A number gets a spin box (the sawtooth's depth: arrow keys step through 0…5), the rest a text area for its JSON.
        const input = p.type.kind === "number" ? Object.assign(document.createElement("input"), { type: "number", step: "any" }) : Object.assign(document.createElement("textarea"), { rows: 2 });
        input.name = p.name;
        input.spellcheck = false;
        input.addEventListener("input", () => {
          state.args[p.name] = input.value;
          clearTimeout(editTimer);
          editTimer = setTimeout(request, EDIT_DELAY_MS);
        });
        const name = document.createElement("code");
        name.textContent = p.name;
        row.append(name, input);
        return row;
      }),
    );
  }
  for (const input of argsBox.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input, textarea")) {
    if (document.activeElement !== input) input.value = state.args[input.name] ?? "";
    // The family's parameter takes each of its values in turn instead.
    input.disabled = state.family?.param === input.name && lastResponse?.plot?.kind === "line" && lastResponse.plot.series.length > 1;
  }
}

function renderRanges(response: CompileResponse): void {
  const heat = response.plot?.kind === "heat";
  const line = response.plot?.kind === "line";
  rangeBox.hidden = !heat && !line;
  const coords = response.coords ?? [];
  const xSelect = $<HTMLSelectElement>("x-coord");
  const ySelect = $<HTMLSelectElement>("y-coord");
  for (const select of [xSelect, ySelect]) {
    if ([...select.options].map((o) => o.text).join() !== coords.join()) select.replaceChildren(...coords.map((c, i) => new Option(c, String(i))));
  }
  xSelect.value = String(response.xCoord ?? 0);
  ySelect.value = String(response.yCoord ?? 1);
  // A line plot has one coordinate: the choice of x applies to heat maps only.
  xSelect.parentElement!.hidden = !heat;
  $("y-axis").hidden = !heat;
  renderFamily(line);
  const setRange = (id: string, range: [number, number] | undefined) => {
    const [lo, hi] = [$<HTMLInputElement>(`${id}-lo`), $<HTMLInputElement>(`${id}-hi`)];
    if (range && document.activeElement !== lo && document.activeElement !== hi) [lo.value, hi.value] = range.map((v) => String(Number(v.toPrecision(6))));
  };
  setRange("x", state.xRange);
  setRange("y", state.yRange);
}

/** Line plots: a number parameter that is not differentiated may get one curve per value. */
function renderFamily(shown: boolean): void {
  const row = $("family-row");
  const info = current();
  const wrt = state.wrt ?? info?.params.filter((p) => p.differentiable).map((p) => p.name) ?? [];
  const candidates = info?.params.filter((p) => p.type.kind === "number" && !wrt.includes(p.name)).map((p) => p.name) ?? [];
  // Hidden, not empty, when no parameter can give the curves.
  row.hidden = !shown || candidates.length === 0;
  const select = $<HTMLSelectElement>("family-param");
  const options = ["", ...candidates];
  if ([...select.options].map((o) => o.value).join() !== options.join()) select.replaceChildren(...options.map((name) => new Option(name || "(one curve)", name)));
  select.value = state.family && candidates.includes(state.family.param) ? state.family.param : "";
  const values = $<HTMLInputElement>("family-values");
  values.disabled = select.value === "";
  if (document.activeElement !== values) values.value = state.family?.values.join(", ") ?? "";
}

function readFamily(): void {
  const param = $<HTMLSelectElement>("family-param").value;
  const values = $<HTMLInputElement>("family-values")
    .value.split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "")
    .map(Number)
    .filter(Number.isFinite);
  state.family = param ? { param, values: values.length > 0 ? values : [0, 1, 2, 3] } : undefined;
}

function readRange(id: string): [number, number] | undefined {
  const lo = Number($<HTMLInputElement>(`${id}-lo`).value);
  const hi = Number($<HTMLInputElement>(`${id}-hi`).value);
  return Number.isFinite(lo) && Number.isFinite(hi) && lo < hi ? [lo, hi] : undefined;
}

function resetPlotFrame(): void {
  state.xCoord = undefined;
  state.yCoord = undefined;
  state.xRange = undefined;
  state.yRange = undefined;
}

function renderOutput(response: CompileResponse): void {
  const failed = response.diagnostics.length > 0 || response.usageError !== undefined;
  if (response.module !== undefined && response.module !== outputView.state.doc.toString()) {
    outputView.dispatch({ changes: { from: 0, to: outputView.state.doc.length, insert: response.module } });
  }
  $("output").classList.toggle("stale", failed);
  outputNote.textContent = failed ? "out of date: the source has errors" : "";
  const doc = sourceView.state.doc;
  const marks: Diagnostic[] = response.diagnostics.map((d) => {
    const line = doc.line(Math.min(Math.max(d.line, 1), doc.lines));
    const from = Math.min(line.from + d.column - 1, line.to);
    const word = /^[\w$]+/.exec(doc.sliceString(from, line.to))?.[0].length ?? 1;
    return { from, to: Math.min(from + word, doc.length), severity: "error", message: d.text, source: "tsad" };
  });
  sourceView.dispatch(setDiagnostics(sourceView.state, marks));
  diagnosticsPre.textContent = response.usageError ? `tsad: ${response.usageError}\n` : response.diagnostics.map((d) => d.text).join("\n");
  diagnosticsPre.hidden = diagnosticsPre.textContent === "";
  const count = response.diagnostics.length;
  statusLine.textContent = response.usageError
    ? response.usageError.startsWith("internal error")
      ? "internal error in tsad"
      : "usage error"
    : count > 0
      ? `${count} error${count === 1 ? "" : "s"}; nothing generated`
      : `generated in ${response.compileMs} ms`;
}

function renderExplain(response: CompileResponse): void {
  const report = response.explain;
  const pre = $<HTMLPreElement>("explain");
  const sizes = $("explain-sizes");
  if (!report) {
    pre.textContent = response.module === undefined ? "no report: the source does not compile" : "";
    sizes.textContent = "";
  } else if ("error" in report) {
    pre.textContent = `no report: ${report.error}`;
    sizes.textContent = "";
  } else {
    pre.textContent = report.text;
    sizes.textContent = report.sizes.length > 0 ? `Counted at the sizes of the plot's arguments: ${report.sizes.join(", ")}.` : "";
  }
}

function renderPlot(response: CompileResponse): void {
  if (response.plot) {
    drawPlot(canvas, response.plot);
    canvas.hidden = false;
    plotMessage.textContent = caption(response);
  } else {
    clearPlot(canvas);
    canvas.hidden = true;
    plotMessage.textContent = response.plotMessage ?? (response.module === undefined ? "no plot: the source does not compile" : "");
  }
}

function caption(response: CompileResponse): string {
  const fn = state.fn ?? "f";
  switch (response.plot?.kind) {
    case "line":
      return `${fn} and its derivative along ${response.plot.coord}, computed by ${fn}Grad (the other arguments as given${response.plot.series.length > 1 ? ", one curve per value" : ""}).`;
    case "heat":
      return `${fn} over ${response.plot.xCoord} × ${response.plot.yCoord} (colour), arrows along ∇${fn} (direction; length grows with log |∇${fn}|), computed by ${fn}Grad.`;
    case "jacobian":
      return `The Jacobian of ${fn}: rows are the outputs, columns the inputs, computed by ${response.plot.via}.`;
    default:
      return "";
  }
}

async function saveToUrl(): Promise<void> {
  const hash = await encodeState(state);
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

function loadState(next: SharedState): void {
  state = next;
  settingDoc = true;
  sourceView.dispatch({ changes: { from: 0, to: sourceView.state.doc.length, insert: state.source } });
  settingDoc = false;
  exampleSelect.value = state.example ?? "";
  inlineBox.checked = state.inline !== false;
  functions = [];
  renderEmit();
  request();
}

exampleSelect.replaceChildren(new Option("(your own)", ""), ...EXAMPLES.map((e) => new Option(e.title, e.id)));
exampleSelect.addEventListener("change", () => {
  const example = EXAMPLES.find((e) => e.id === exampleSelect.value);
  if (example) loadState(fromExample(example));
});
for (const id of ["family-param", "family-values"]) {
  $(id).addEventListener("change", () => {
    readFamily();
    request();
  });
}
inlineBox.addEventListener("change", () => {
  state.inline = inlineBox.checked ? undefined : false;
  request();
});
fnSelect.addEventListener("change", () => {
  state.fn = fnSelect.value;
  state.wrt = undefined;
  state.emit = undefined;
  state.family = undefined;
  renderEmit();
  resetPlotFrame();
  request();
});
for (const id of ["x-lo", "x-hi", "y-lo", "y-hi"]) {
  $(id).addEventListener("change", () => {
    state.xRange = readRange("x") ?? state.xRange;
    state.yRange = readRange("y") ?? state.yRange;
    request();
  });
}
for (const [id, key] of [["x-coord", "xCoord"], ["y-coord", "yCoord"]] as const) {
  $<HTMLSelectElement>(id).addEventListener("change", (event) => {
    state[key] = Number((event.target as HTMLSelectElement).value);
    state[key === "xCoord" ? "xRange" : "yRange"] = undefined;
    request();
  });
}
shareButton.addEventListener("click", async () => {
  await saveToUrl();
  try {
    await navigator.clipboard.writeText(location.href);
    shareButton.textContent = "Link copied";
  } catch {
    shareButton.textContent = "Link in the address bar";
  }
  setTimeout(() => (shareButton.textContent = "Copy link"), 2000);
});

startWorker();
const shared = await decodeState(location.hash);
loadState(shared ?? state);

/** For tests and the console: the editors' full texts (CodeMirror renders only visible lines). */
Object.assign(window, {
  tsadPlayground: {
    source: () => sourceView.state.doc.toString(),
    output: () => outputView.state.doc.toString(),
    lastResponse: () => lastResponse,
    setSource: (text: string) => sourceView.dispatch({ changes: { from: 0, to: sourceView.state.doc.length, insert: text } }),
  },
});
