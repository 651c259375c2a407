/**
 * The Lab page: four panels, each running one experiment in its own worker (worker.ts), drawing
 * its charts as results arrive, and stoppable. Every chart's numbers are on its canvas as
 * `data-chart` (JSON), so that what is drawn can be checked.
 */
import modelSource from "raw:../../lab/models/mlp.ts";
import generatedSource from "raw:../../lab/models/mlp.grad.ts";
import { FUNCTION_NAMES } from "../../lab/expression.ts";
import { drawChart, type Chart } from "../../lab/plot/charts.ts";
import { OptionError, parseOption } from "../../lab/options.ts";
import { TARGETS } from "../../lab/targets.ts";
import { CanvasSurface } from "./canvas.ts";
import { LABELS, PANELS, type Panel } from "./panels.ts";
import type { ExperimentName, Results, RunMessage, RunRequest } from "./protocol.ts";

const CHART = { w: 560, h: 360 };

interface PanelState {
  panel: Panel;
  element: HTMLElement;
  worker?: Worker;
  runId: number;
  result?: Results[ExperimentName];
}

const states = new Map<ExperimentName, PanelState>();
let nextId = 0;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function field(key: string, value: unknown): HTMLElement {
  const label = LABELS[key] ?? key;
  if (key === "target") {
    const select = element("select", { name: "target" });
    for (const [name, { label: text }] of Object.entries(TARGETS)) select.append(element("option", { value: name }, text));
    select.append(element("option", { value: "custom" }, "typed: f(x) = …"));
    select.value = String(value);
    return element("label", {}, `${label} `, select);
  }
  if (key === "expression") {
    const input = element("input", { name: "expression", value: "sin(3x) + abs(x)/2", spellcheck: "false", title: `x, numbers, + − * / ^, pi, e, ${FUNCTION_NAMES.join(", ")}` });
    return element("label", { class: "expression" }, `${label} `, input);
  }
  const text = Array.isArray(value) ? value.join(", ") : String(value);
  const input = element("input", { name: key, value: text, inputmode: Array.isArray(value) ? "text" : "decimal", size: String(Array.isArray(value) ? 14 : 6) });
  return element("label", {}, `${label} `, input);
}

function buildPanel(panel: Panel): HTMLElement {
  const mainFields = element("div", { class: "fields" });
  const moreFields = element("div", { class: "fields" });
  const defaults = { ...panel.defaults, expression: "" } as Record<string, unknown>;
  for (const key of panel.main) mainFields.append(field(key, defaults[key]));
  for (const [key, value] of Object.entries(panel.defaults)) if (!panel.main.includes(key)) moreFields.append(field(key, value));
  const links = panel.runs.flatMap((name, i) => [i === 0 ? "" : ", ", element("a", { href: `#code-${name}`, "data-function": name }, element("code", {}, name))]);
  const section = element(
    "section",
    { class: "panel", id: panel.name, "data-state": "idle", hidden: "" },
    element("h2", {}, panel.title),
    element("p", { class: "look" }, panel.look),
    element("p", { class: "runs" }, "Runs ", ...links, " from ", element("a", { href: "#code" }, "mlp.grad.ts"), ", which tsad generated from ", element("a", { href: "#source" }, "mlp.ts"), "."),
    element("form", { class: "controls" }, mainFields, element("details", {}, element("summary", {}, "more settings"), moreFields)),
    element(
      "div",
      { class: "actions" },
      element("button", { type: "button", class: "run" }, "Run"),
      element("button", { type: "button", class: "stop", disabled: "" }, "Stop"),
      element("progress", { max: "1", value: "0" }),
      element("span", { class: "status", role: "status" }, "not run yet"),
    ),
    element("div", { class: "charts" }),
  );
  const state: PanelState = { panel, element: section, runId: 0 };
  states.set(panel.name, state);
  section.querySelector<HTMLButtonElement>(".run")!.addEventListener("click", () => run(state));
  section.querySelector<HTMLButtonElement>(".stop")!.addEventListener("click", () => stop(state));
  const target = section.querySelector<HTMLSelectElement>("select[name=target]");
  const expression = section.querySelector<HTMLElement>("label.expression");
  const showExpression = () => expression && (expression.hidden = target?.value !== "custom");
  target?.addEventListener("change", showExpression);
  showExpression();
  return section;
}

/** The form's values, typed like the experiment's defaults; throws with a message on a bad field. */
function readOptions(state: PanelState): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const defaults = state.panel.defaults;
  for (const input of state.element.querySelectorAll<HTMLInputElement | HTMLSelectElement>("form [name]")) {
    try {
      options[input.name] = parseOption(defaults, input.name, input.value);
    } catch (error) {
      if (error instanceof OptionError) throw new Error(`${LABELS[input.name] ?? input.name}: ${error.message}`);
      throw error;
    }
  }
  return options;
}

function setStatus(state: PanelState, status: "idle" | "running" | "done" | "stopped" | "error", text: string, fraction?: number): void {
  const { element: section } = state;
  section.dataset.state = status;
  section.querySelector(".status")!.textContent = text;
  section.querySelector<HTMLButtonElement>(".run")!.disabled = status === "running";
  section.querySelector<HTMLButtonElement>(".stop")!.disabled = status !== "running";
  if (fraction !== undefined) section.querySelector("progress")!.value = fraction;
}

function run(state: PanelState): void {
  let options: Record<string, unknown>;
  try {
    options = readOptions(state);
  } catch (error) {
    setStatus(state, "error", (error as Error).message);
    return;
  }
  state.worker ??= startWorker(state);
  const request: RunRequest = { id: (state.runId = ++nextId), experiment: state.panel.name, options };
  setStatus(state, "running", "starting…", 0);
  state.worker.postMessage(request);
}

function startWorker(state: PanelState): Worker {
  const worker = new Worker(new URL("./lab-worker.js", import.meta.url), { type: "module" });
  worker.onmessage = (event: MessageEvent<RunMessage>) => {
    const message = event.data;
    if (message.id !== state.runId) return;
    if (message.kind === "error") return setStatus(state, "error", message.message);
    state.result = message.result;
    draw(state, message.result);
    if (message.kind === "progress") setStatus(state, "running", `running… ${Math.round(100 * message.fraction)}%`, message.fraction);
    else {
      const warning = (state.panel.diverged as (r: Results[ExperimentName]) => boolean)(message.result) ? "; the loss diverged: try a smaller learning rate" : "";
      setStatus(state, "done", `done in ${message.seconds.toFixed(1)} s${warning}`, 1);
    }
  };
  worker.onerror = (event) => setStatus(state, "error", `the worker failed: ${event.message}`);
  return worker;
}

/** Stops a run: its worker is ended (training is one long computation), what it had drawn stays. */
function stop(state: PanelState): void {
  state.worker?.terminate();
  state.worker = undefined;
  state.runId = 0;
  const percent = Math.round(100 * Number(state.element.querySelector("progress")!.value));
  setStatus(state, "stopped", `stopped at ${percent}%`);
}

function draw(state: PanelState, result: Results[ExperimentName]): void {
  const charts = (state.panel.charts as (r: Results[ExperimentName]) => Chart[])(result);
  const holder = state.element.querySelector(".charts")!;
  while (holder.children.length < charts.length) holder.append(element("canvas", { class: "chart" }));
  charts.forEach((chart, i) => {
    const canvas = holder.children[i] as HTMLCanvasElement;
    drawChart(new CanvasSurface(canvas, CHART.w, CHART.h), chart, { x: 0, y: 0, ...CHART });
    canvas.dataset.chart = JSON.stringify(chart);
    canvas.setAttribute("aria-label", chart.title);
  });
}

/** The source with an anchor at each function definition: `prefix-name`. */
function codeBlock(text: string, prefix: string): HTMLElement {
  const code = element("code");
  for (const line of text.split("\n")) {
    const definition = /^(?:export )?function (\w+)\(/.exec(line);
    code.append(definition ? element("span", { id: `${prefix}-${definition[1]}`, class: "definition" }, line) : line, "\n");
  }
  return element("pre", { class: "code" }, code);
}

function showTab(name: string): void {
  const panel = PANELS.find((p) => p.name === name) ?? PANELS[0]!;
  for (const state of states.values()) state.element.hidden = state.panel !== panel;
  for (const link of document.querySelectorAll<HTMLAnchorElement>("#tabs a")) link.setAttribute("aria-current", String(link.dataset.panel === panel.name));
}

function init(): void {
  const tabs = document.getElementById("tabs")!;
  const panels = document.getElementById("panels")!;
  for (const panel of PANELS) {
    tabs.append(element("a", { href: `#${panel.name}`, "data-panel": panel.name }, panel.title));
    panels.append(buildPanel(panel));
  }
  document.getElementById("source")!.append(codeBlock(modelSource, "source"));
  document.getElementById("code")!.append(codeBlock(generatedSource, "code"));
  const fromHash = () => {
    const name = location.hash.slice(1);
    if (PANELS.some((p) => p.name === name)) showTab(name);
  };
  window.addEventListener("hashchange", fromHash);
  showTab(location.hash.slice(1));
  (window as unknown as { tsadLab: unknown }).tsadLab = {
    result: (name: ExperimentName) => states.get(name)?.result,
    charts: (name: ExperimentName) => [...(states.get(name)?.element.querySelectorAll<HTMLCanvasElement>("canvas.chart") ?? [])].map((c) => JSON.parse(c.dataset.chart!) as Chart),
  };
  document.body.dataset.ready = "true";
}

init();
