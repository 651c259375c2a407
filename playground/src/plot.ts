/**
 * Drawing the plots on a canvas, from numbers the worker computed with the generated code:
 *   - line: f and f′ over a range, in two panels sharing the x axis;
 *   - heat: f over two coordinates (colour), with arrows along ∇f;
 *   - jacobian: the matrix as coloured cells (blue negative, red positive) with their values.
 */
import type { PlotData } from "./protocol.ts";

const WIDTH = 720;
const HEIGHT = 440;
const MARGIN = { left: 64, right: 84, top: 16, bottom: 40 };
const INK = "#1f2430";
const GRID = "#e3e6ec";
const FONT = "12px system-ui, sans-serif";

export function drawPlot(canvas: HTMLCanvasElement, plot: PlotData): void {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = WIDTH * ratio;
  canvas.height = HEIGHT * ratio;
  canvas.style.aspectRatio = `${WIDTH} / ${HEIGHT}`;
  const g = canvas.getContext("2d")!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.fillStyle = "#fff";
  g.fillRect(0, 0, WIDTH, HEIGHT);
  g.font = FONT;
  if (plot.kind === "line") drawLines(g, plot);
  else if (plot.kind === "heat") drawHeat(g, plot);
  else drawJacobian(g, plot);
}

export function clearPlot(canvas: HTMLCanvasElement): void {
  canvas.getContext("2d")?.clearRect(0, 0, canvas.width, canvas.height);
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function drawLines(g: CanvasRenderingContext2D, plot: Extract<PlotData, { kind: "line" }>): void {
  const gap = 28;
  const inner = HEIGHT - MARGIN.top - MARGIN.bottom - gap;
  const top: Box = { x: MARGIN.left, y: MARGIN.top, w: WIDTH - MARGIN.left - MARGIN.right, h: inner / 2 };
  const bottom: Box = { ...top, y: MARGIN.top + inner / 2 + gap };
  const xRange = extent(plot.xs);
  const many = plot.series.length > 1;
  // One curve: f blue, f′ red. A family: the same colour for a member in both panels, dark to light.
  const colours = (fallback: string) => plot.series.map((_, i) => (many ? rgb(viridis((0.85 * i) / (plot.series.length - 1))) : fallback));
  drawSeries(g, top, plot.xs, plot.series.map((s) => s.values), xRange, colours("#2a62c9"), "f", false);
  drawSeries(g, bottom, plot.xs, plot.series.map((s) => s.slopes), xRange, colours("#c8452f"), "f′", true);
  if (many) {
    g.font = FONT;
    g.textAlign = "left";
    g.textBaseline = "middle";
    plot.series.forEach((s, i) => {
      const y = top.y + 34 + i * 16;
      g.fillStyle = colours("")[i]!;
      g.fillRect(top.x + top.w + 8, y - 5, 10, 10);
      g.fillStyle = INK;
      g.fillText(s.label.replace(/ = /, "="), top.x + top.w + 22, y);
    });
  }
  g.fillStyle = INK;
  g.textAlign = "center";
  g.textBaseline = "alphabetic";
  g.fillText(plot.coord, top.x + top.w / 2, HEIGHT - 8);
}

function rgb([r, g, b]: [number, number, number]): string {
  return `rgb(${r},${g},${b})`;
}

function drawSeries(g: CanvasRenderingContext2D, box: Box, xs: number[], series: number[][], [x0, x1]: [number, number], colours: string[], name: string, xLabels: boolean): void {
  const [y0, y1] = padded(extent(series.flat()));
  const px = (x: number) => box.x + ((x - x0) / (x1 - x0)) * box.w;
  const py = (y: number) => box.y + box.h - ((y - y0) / (y1 - y0)) * box.h;
  g.strokeStyle = GRID;
  g.lineWidth = 1;
  g.fillStyle = INK;
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (const tick of ticks(y0, y1, 4)) {
    g.beginPath();
    g.moveTo(box.x, py(tick));
    g.lineTo(box.x + box.w, py(tick));
    g.stroke();
    g.fillText(formatNumber(tick), box.x - 6, py(tick));
  }
  g.textAlign = "center";
  g.textBaseline = "top";
  for (const tick of ticks(x0, x1, 8)) {
    g.beginPath();
    g.moveTo(px(tick), box.y);
    g.lineTo(px(tick), box.y + box.h);
    g.stroke();
    if (xLabels) g.fillText(formatNumber(tick), px(tick), box.y + box.h + 4);
  }
  g.strokeStyle = INK;
  g.strokeRect(box.x, box.y, box.w, box.h);
  g.save();
  g.beginPath();
  g.rect(box.x, box.y, box.w, box.h);
  g.clip();
  g.lineWidth = 1.6;
  series.forEach((ys, k) => {
    g.strokeStyle = colours[k]!;
    g.beginPath();
    let drawing = false;
    xs.forEach((x, i) => {
      const y = ys[i]!;
      if (!Number.isFinite(y)) return void (drawing = false);
      if (drawing) g.lineTo(px(x), py(y));
      else g.moveTo(px(x), py(y));
      drawing = true;
    });
    g.stroke();
  });
  g.restore();
  g.fillStyle = series.length > 1 ? INK : colours[0]!;
  g.textAlign = "left";
  g.textBaseline = "middle";
  g.font = "bold 14px system-ui, sans-serif";
  g.fillText(name, box.x + box.w + 10, box.y + 12);
  g.font = FONT;
}

function drawHeat(g: CanvasRenderingContext2D, plot: Extract<PlotData, { kind: "heat" }>): void {
  const box: Box = { x: MARGIN.left, y: MARGIN.top, w: WIDTH - MARGIN.left - MARGIN.right - 30, h: HEIGHT - MARGIN.top - MARGIN.bottom };
  const { size, values } = plot;
  const finite = values.filter(Number.isFinite);
  const [lo, hi] = finite.length > 0 ? extent(finite) : [0, 1];
  // log(1 + f − min) keeps valleys visible beside steep walls (Rosenbrock spans 10⁴). Values of
  // both signs get a scale centred on zero instead, sign(f)·log(1 + |f|), in diverging colours:
  // zero is white, and a colour means the same |f| on either side.
  const signed = lo < 0 && hi > 0;
  const biggest = Math.max(-lo, hi);
  const scale = signed ? (v: number) => 0.5 + (0.5 * Math.sign(v) * Math.log1p(Math.abs(v))) / Math.log1p(biggest) : (v: number) => Math.log1p(v - lo) / Math.log1p(hi - lo || 1);
  const colourOf = signed ? (t: number) => diverging(2 * t - 1) : viridis;
  const image = g.createImageData(size, size);
  values.forEach((v, i) => {
    const row = Math.floor(i / size);
    const col = i % size;
    const at = ((size - 1 - row) * size + col) * 4;
    const [r, gr, b] = Number.isFinite(v) ? colourOf(scale(v)) : [200, 200, 200];
    image.data.set([r, gr, b, 255], at);
  });
  const tile = document.createElement("canvas");
  tile.width = size;
  tile.height = size;
  tile.getContext("2d")!.putImageData(image, 0, 0);
  g.imageSmoothingEnabled = false;
  g.drawImage(tile, box.x, box.y, box.w, box.h);
  drawArrows(g, box, plot);
  g.strokeStyle = INK;
  g.strokeRect(box.x, box.y, box.w, box.h);
  axes(g, box, plot.xRange, plot.yRange);
  g.fillStyle = INK;
  g.textAlign = "center";
  g.textBaseline = "alphabetic";
  g.fillText(plot.xCoord, box.x + box.w / 2, HEIGHT - 6);
  g.save();
  g.translate(14, box.y + box.h / 2);
  g.rotate(-Math.PI / 2);
  g.fillText(plot.yCoord, 0, 0);
  g.restore();
  if (signed) {
    const valueAt = (t: number) => Math.sign(t - 0.5) * Math.expm1(Math.abs(2 * t - 1) * Math.log1p(biggest));
    colourBar(g, { x: box.x + box.w + 16, y: box.y, w: 14, h: box.h }, -biggest, biggest, colourOf, "f (symmetric log scale)", valueAt);
  } else {
    colourBar(g, { x: box.x + box.w + 16, y: box.y, w: 14, h: box.h }, lo, hi, viridis, "f (log scale)", (t) => lo + Math.expm1(t * Math.log1p(hi - lo || 1)));
  }
}

/** Arrows along ∇f on a coarse grid; length grows with log(1 + |∇f|). */
function drawArrows(g: CanvasRenderingContext2D, box: Box, plot: Extract<PlotData, { kind: "heat" }>): void {
  const { size, gradX, gradY, xRange, yRange } = plot;
  const step = 4;
  // ∇f in screen units: a unit of x is box.w / (x1 − x0) pixels.
  const sx = box.w / (xRange[1] - xRange[0]);
  const sy = box.h / (yRange[1] - yRange[0]);
  const lengths = gradX.map((gx, i) => Math.hypot(gx * sx, gradY[i]! * sy)).filter(Number.isFinite);
  const longest = Math.max(...lengths, 1e-300);
  const cell = (box.w / size) * step;
  g.strokeStyle = "rgba(255,255,255,0.9)";
  g.fillStyle = "rgba(255,255,255,0.9)";
  g.lineWidth = 1.2;
  for (let row = step / 2; row < size; row += step) {
    for (let col = step / 2; col < size; col += step) {
      const i = row * size + col;
      const dx = gradX[i]! * sx;
      const dy = -gradY[i]! * sy;
      const length = Math.hypot(dx, dy);
      if (!Number.isFinite(length) || length === 0) continue;
      const shown = cell * 0.45 * (0.3 + 0.7 * (Math.log1p(length) / Math.log1p(longest)));
      const cx = box.x + ((col + 0.5) / size) * box.w;
      const cy = box.y + box.h - ((row + 0.5) / size) * box.h;
      arrow(g, cx - (dx / length) * shown, cy - (dy / length) * shown, cx + (dx / length) * shown, cy + (dy / length) * shown);
    }
  }
}

function arrow(g: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const head = Math.min(5, Math.hypot(x1 - x0, y1 - y0) * 0.5);
  g.beginPath();
  g.moveTo(x0, y0);
  g.lineTo(x1, y1);
  g.stroke();
  g.beginPath();
  g.moveTo(x1, y1);
  g.lineTo(x1 - head * Math.cos(angle - 0.5), y1 - head * Math.sin(angle - 0.5));
  g.lineTo(x1 - head * Math.cos(angle + 0.5), y1 - head * Math.sin(angle + 0.5));
  g.closePath();
  g.fill();
}

function drawJacobian(g: CanvasRenderingContext2D, plot: Extract<PlotData, { kind: "jacobian" }>): void {
  const { rows, columns, entries } = plot;
  const labelWidth = Math.min(160, 12 + 7 * Math.max(...rows.map((r) => r.length)));
  const box: Box = { x: labelWidth, y: 36, w: WIDTH - labelWidth - MARGIN.right - 10, h: HEIGHT - 36 - 24 };
  const cw = box.w / Math.max(columns.length, 1);
  const ch = box.h / Math.max(rows.length, 1);
  const biggest = Math.max(...entries.flat().map(Math.abs).filter(Number.isFinite), 1e-300);
  entries.forEach((row, i) =>
    row.forEach((v, j) => {
      const [r, gr, b] = Number.isFinite(v) ? diverging(v / biggest) : [200, 200, 200];
      g.fillStyle = `rgb(${r},${gr},${b})`;
      g.fillRect(box.x + j * cw, box.y + i * ch, cw, ch);
      if (cw > 44 && ch > 16) {
        g.fillStyle = Math.abs(v / biggest) > 0.6 ? "#fff" : INK;
        g.textAlign = "center";
        g.textBaseline = "middle";
        g.fillText(formatNumber(v), box.x + (j + 0.5) * cw, box.y + (i + 0.5) * ch);
      }
    }),
  );
  g.strokeStyle = INK;
  g.strokeRect(box.x, box.y, box.w, box.h);
  g.fillStyle = INK;
  g.textBaseline = "middle";
  g.textAlign = "right";
  if (ch >= 10) rows.forEach((label, i) => g.fillText(label, box.x - 6, box.y + (i + 0.5) * ch));
  g.textAlign = "center";
  g.textBaseline = "bottom";
  if (cw >= 30) columns.forEach((label, j) => g.fillText(label, box.x + (j + 0.5) * cw, box.y - 6));
  g.textBaseline = "alphabetic";
  g.fillText(`∂ output / ∂ input — ${plot.via}`, box.x + box.w / 2, HEIGHT - 6);
  colourBar(g, { x: box.x + box.w + 16, y: box.y, w: 14, h: box.h }, -biggest, biggest, (t) => diverging(2 * t - 1), "", (t) => -biggest + 2 * biggest * t);
}

function axes(g: CanvasRenderingContext2D, box: Box, [x0, x1]: [number, number], [y0, y1]: [number, number]): void {
  g.fillStyle = INK;
  g.textAlign = "center";
  g.textBaseline = "top";
  for (const tick of ticks(x0, x1, 8)) g.fillText(formatNumber(tick), box.x + ((tick - x0) / (x1 - x0)) * box.w, box.y + box.h + 4);
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (const tick of ticks(y0, y1, 6)) g.fillText(formatNumber(tick), box.x - 6, box.y + box.h - ((tick - y0) / (y1 - y0)) * box.h);
}

function colourBar(g: CanvasRenderingContext2D, box: Box, lo: number, hi: number, colour: (t: number) => [number, number, number], title: string, valueAt: (t: number) => number): void {
  for (let i = 0; i < box.h; i++) {
    const [r, gr, b] = colour(1 - i / box.h);
    g.fillStyle = `rgb(${r},${gr},${b})`;
    g.fillRect(box.x, box.y + i, box.w, 1);
  }
  g.strokeStyle = INK;
  g.strokeRect(box.x, box.y, box.w, box.h);
  g.fillStyle = INK;
  g.textAlign = "left";
  g.textBaseline = "middle";
  for (const t of [0, 0.5, 1]) g.fillText(formatNumber(t === 0 ? lo : t === 1 ? hi : valueAt(t)), box.x + box.w + 4, box.y + box.h * (1 - t));
  if (title) {
    g.save();
    g.translate(box.x + box.w + 56, box.y + box.h / 2);
    g.rotate(Math.PI / 2);
    g.textAlign = "center";
    g.fillText(title, 0, 0);
    g.restore();
  }
}

/** An approximation of matplotlib's viridis: dark blue → green → yellow. */
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function viridis(t: number): [number, number, number] {
  return interpolate(VIRIDIS, t);
}

/** −1 blue, 0 white, +1 red. */
function diverging(t: number): [number, number, number] {
  return interpolate(
    [
      [33, 102, 172],
      [247, 247, 247],
      [178, 24, 43],
    ],
    (t + 1) / 2,
  );
}

function interpolate(stops: [number, number, number][], t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

function extent(xs: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (!Number.isFinite(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

function padded([lo, hi]: [number, number]): [number, number] {
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

/** Round-numbered ticks (1, 2, 5 × 10^k) inside [lo, hi]. */
function ticks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / count;
  if (!(raw > 0) || !Number.isFinite(raw)) return [];
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(1);
  return String(Number(x.toPrecision(3)));
}
