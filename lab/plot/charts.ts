/**
 * Line charts and heat maps drawn on a Surface: the same code draws the page's canvases and the
 * command line's PNG files. A chart is data (the numbers it plots), so a test can read it back.
 */
import type { Surface } from "./surface.ts";

export interface Series {
  label: string;
  xs: number[];
  ys: number[];
  colour: string;
  /** line (default), points, or both. */
  style?: "line" | "points" | "both";
  dashed?: boolean;
}

export interface LineChart {
  kind: "line";
  title: string;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  series: Series[];
  /** Vertical marks along the x axis (the kinks of a fit). */
  marks?: { xs: number[]; colour: string; label: string };
  /** Horizontal reference lines. */
  levels?: { y: number; colour: string; label: string }[];
}

export interface HeatMap {
  kind: "heat";
  title: string;
  /** Row i, column j: values[i][j], at coordinates xs[i], xs[j]. */
  values: number[][];
  xs: number[];
  axisLabel: string;
  /** Shared colour scale (e.g. two kernels side by side); default: the values' own extent. */
  range?: [number, number];
}

export type Chart = LineChart | HeatMap;

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export const COLOURS = { blue: "#2a62c9", red: "#c8452f", green: "#2e8b57", orange: "#d08a1e", purple: "#7b4bb7", grey: "#8a90a0", ink: "#1f2430", faint: "#e3e6ec", muted: "#5b6275" } as const;

const MARGIN = { left: 62, right: 14, top: 38, bottom: 38 };

export function drawChart(surface: Surface, chart: Chart, box: Box): void {
  surface.rect(box.x, box.y, box.w, box.h, "#ffffff");
  surface.text(chart.title, box.x + box.w / 2, box.y + 6, { colour: COLOURS.ink, align: "center", baseline: "top" });
  if (chart.kind === "line") drawLineChart(surface, chart, box);
  else drawHeatMap(surface, chart, box);
}

/** Several charts in a grid of `columns`, each `cell` CSS pixels. */
export function drawGrid(surface: Surface, charts: readonly Chart[], columns: number, cell: { w: number; h: number }): void {
  surface.rect(0, 0, surface.width, surface.height, "#ffffff");
  charts.forEach((chart, i) => drawChart(surface, chart, { x: (i % columns) * cell.w, y: Math.floor(i / columns) * cell.h, w: cell.w, h: cell.h }));
}

interface Axis {
  lo: number;
  hi: number;
  log: boolean;
}

function extent(values: readonly number[], log: boolean): [number, number] {
  const usable = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (usable.length === 0) return log ? [0.1, 1] : [0, 1];
  let lo = Math.min(...usable);
  let hi = Math.max(...usable);
  if (log) {
    if (hi / lo < 1.5) [lo, hi] = [lo / 1.25, hi * 1.25];
    return [lo / 1.1, hi * 1.1];
  }
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) [lo, hi] = [lo - 1, hi + 1];
  const pad = 0.05 * (hi - lo);
  return [lo - pad, hi + pad];
}

function position(axis: Axis, v: number, from: number, to: number): number {
  const t = axis.log ? Math.log(v / axis.lo) / Math.log(axis.hi / axis.lo) : (v - axis.lo) / (axis.hi - axis.lo);
  return from + t * (to - from);
}

/**
 * Round values (1, 2, 5 × 10^k) in the axis range. On a log axis: 1, 2 and 5 in every decade if
 * that makes at most eight, else the powers of ten.
 */
export function ticks(axis: Axis): number[] {
  if (axis.log) {
    const powers: number[] = [];
    for (let k = Math.floor(Math.log10(axis.lo)); k <= Math.ceil(Math.log10(axis.hi)); k++) powers.push(10 ** k);
    const inside = (v: number) => v >= axis.lo * (1 - 1e-9) && v <= axis.hi * (1 + 1e-9);
    const round = powers.flatMap((p) => [p, 2 * p, 5 * p].map((v) => Number(v.toPrecision(1)))).filter(inside);
    if (round.length >= 2 && round.length <= 8) return round;
    if (powers.filter(inside).length >= 2) return powers.filter(inside);
  }
  const span = axis.hi - axis.lo;
  const rough = span / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => span / s <= 6)!;
  const out: number[] = [];
  for (let v = Math.ceil(axis.lo / step) * step; v <= axis.hi + 1e-9 * step; v += step) if (!axis.log || v > 0) out.push(Math.abs(v) < 1e-12 * step ? 0 : v);
  return out;
}

export function formatNumber(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}

function drawLineChart(surface: Surface, chart: LineChart, box: Box): void {
  const area = { x: box.x + MARGIN.left, y: box.y + MARGIN.top, w: box.w - MARGIN.left - MARGIN.right, h: box.h - MARGIN.top - MARGIN.bottom };
  const xValues = chart.series.flatMap((s) => s.xs).concat(chart.marks?.xs ?? []);
  const yValues = chart.series.flatMap((s) => s.ys).concat((chart.levels ?? []).map((l) => l.y));
  const [xlo, xhi] = extent(xValues, !!chart.xLog);
  const [ylo, yhi] = extent(yValues, !!chart.yLog);
  const xAxis: Axis = { lo: xlo, hi: xhi, log: !!chart.xLog };
  const yAxis: Axis = { lo: ylo, hi: yhi, log: !!chart.yLog };
  const px = (v: number) => position(xAxis, v, area.x, area.x + area.w);
  const py = (v: number) => position(yAxis, v, area.y + area.h, area.y);
  const inside = ([x, y]: [number, number]): [number, number] => [Math.min(area.x + area.w, Math.max(area.x, x)), Math.min(area.y + area.h + 0, Math.max(area.y, y))];
  for (const t of ticks(xAxis)) {
    surface.polyline([[px(t), area.y], [px(t), area.y + area.h]], COLOURS.faint, 1);
    surface.text(formatNumber(t), px(t), area.y + area.h + 5, { colour: COLOURS.muted, align: "center", baseline: "top" });
  }
  for (const t of ticks(yAxis)) {
    surface.polyline([[area.x, py(t)], [area.x + area.w, py(t)]], COLOURS.faint, 1);
    surface.text(formatNumber(t), area.x - 5, py(t), { colour: COLOURS.muted, align: "right", baseline: "middle" });
  }
  surface.polyline([[area.x, area.y], [area.x, area.y + area.h], [area.x + area.w, area.y + area.h]], COLOURS.muted, 1);
  surface.text(chart.xLabel, area.x + area.w / 2, box.y + box.h - 4, { colour: COLOURS.ink, align: "center", baseline: "bottom" });
  surface.text(chart.yLabel, box.x + 6, area.y + area.h / 2, { colour: COLOURS.ink, align: "center", baseline: "top", vertical: true });
  if (chart.marks) for (const x of chart.marks.xs) surface.polyline([[px(x), area.y + area.h], [px(x), area.y + area.h - 8]], chart.marks.colour, 1.5);
  for (const level of chart.levels ?? []) surface.polyline([inside([area.x, py(level.y)]), inside([area.x + area.w, py(level.y)])], level.colour, 1, true);
  for (const s of chart.series) {
    const points = s.xs.map((x, i) => [px(x), py(s.ys[i]!)] as [number, number]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (s.style !== "points") surface.polyline(points.map(inside), s.colour, 1.8, s.dashed);
    if (s.style === "points" || s.style === "both") for (const [x, y] of points) if (y >= area.y - 1 && y <= area.y + area.h + 1) surface.dot(x, y, 2.6, s.colour);
  }
  const legend = [...chart.series.map((s) => ({ label: s.label, colour: s.colour })), ...(chart.levels ?? []), ...(chart.marks ? [chart.marks] : [])].filter((e) => e.label);
  // One row under the title, right-aligned, so that it never covers the data.
  let right = area.x + area.w;
  for (const entry of [...legend].reverse()) {
    const y = box.y + 27;
    surface.rect(right - 8, y - 4, 8, 8, entry.colour);
    surface.text(entry.label, right - 12, y, { colour: COLOURS.ink, align: "right", baseline: "middle" });
    right -= 12 + entry.label.length * 6.5 + 14;
  }
}

/** Dark blue → teal → yellow, for t in [0, 1]. */
export function heatColour(t: number): string {
  const stops = [[48, 18, 59], [40, 98, 200], [32, 165, 160], [140, 205, 80], [250, 230, 60]];
  const u = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(u));
  const f = u - k;
  const rgb = stops[k]!.map((c, i) => Math.round(c + f * (stops[k + 1]![i]! - c)));
  return `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

function drawHeatMap(surface: Surface, chart: HeatMap, box: Box): void {
  const n = chart.values.length;
  const side = Math.min(box.w - MARGIN.left - 70, box.h - MARGIN.top - MARGIN.bottom);
  const area = { x: box.x + MARGIN.left, y: box.y + MARGIN.top, w: side, h: side };
  const flat = chart.values.flat();
  const [lo, hi] = chart.range ?? [Math.min(...flat), Math.max(...flat)];
  const cell = side / n;
  chart.values.forEach((row, i) => row.forEach((v, j) => surface.rect(area.x + j * cell, area.y + i * cell, cell + 0.5, cell + 0.5, heatColour((v - lo) / (hi - lo || 1)))));
  for (const i of [0, n - 1]) {
    const label = formatNumber(Number(chart.xs[i]!.toFixed(2)));
    surface.text(label, area.x + (i + 0.5) * cell, area.y + side + 5, { colour: COLOURS.muted, align: "center", baseline: "top" });
    surface.text(label, area.x - 5, area.y + (i + 0.5) * cell, { colour: COLOURS.muted, align: "right", baseline: "middle" });
  }
  surface.text(chart.axisLabel, area.x + side / 2, box.y + box.h - 4, { colour: COLOURS.ink, align: "center", baseline: "bottom" });
  const bar = { x: area.x + side + 14, y: area.y, w: 12, h: side };
  for (let k = 0; k < 64; k++) surface.rect(bar.x, bar.y + (bar.h * (63 - k)) / 64, bar.w, bar.h / 64 + 0.5, heatColour(k / 63));
  surface.text(formatNumber(hi), bar.x + bar.w + 4, bar.y, { colour: COLOURS.muted, align: "left", baseline: "top" });
  surface.text(formatNumber(lo), bar.x + bar.w + 4, bar.y + bar.h, { colour: COLOURS.muted, align: "left", baseline: "bottom" });
}
