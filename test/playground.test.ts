/**
 * The playground end to end, in headless Chromium: build the static site, serve it on
 * 127.0.0.1, and use the page as a person would — pick each example, edit the source, break it —
 * checking the generated module (byte-identical to what tsad generates in Node), the diagnostics
 * (the CLI's text, marked at their position), the plots (pixels of a screenshot, and the
 * sawtooth's slopes against their closed form ±2^depth), and the shareable link.
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs
 * it). Without it the suite is skipped, saying why.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, hasChromium, openSite, type OpenSite } from "../playground/chromium.ts";
import { compile, explain, formatDiagnostic } from "../src/api.ts";
import { decodePng, inkStats } from "./support/png.ts";

const MODEL = "/model.ts";
const examples = resolve(import.meta.dirname, "../examples");

if (!hasChromium) console.warn(`playground e2e tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

interface Hooks {
  source(): string;
  output(): string;
  lastResponse(): { plot?: { kind: string; xs?: number[]; series?: { label: string; slopes: number[] }[] }; diagnostics: unknown[] } | undefined;
}
declare const tsadPlayground: Hooks;
// What the page-side callbacks below touch (this test's tsconfig has no DOM lib).
declare const document: { body: { dataset: Record<string, string | undefined> } };
declare const location: { hash: string };

describe.skipIf(!hasChromium)("the playground in headless Chromium", () => {
  let site: OpenSite;
  let dir: string;
  let url: string;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    site = await openSite("tsad-playground-");
    ({ dir, url, browser } = site);
    page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(url);
    await settled(page, 1);
  }, 60_000);

  afterAll(async () => {
    await site?.close();
  });

  /** Waits until the page has received `count` compile responses in all and is idle. */
  async function settled(on: Page, count: number): Promise<void> {
    await on.waitForFunction((n) => Number(document.body.dataset.responses) >= n && document.body.dataset.busy === "false", count, { timeout: 30_000 });
  }

  /** Does something on the page and waits for the compile response it causes. */
  async function after(action: () => Promise<unknown>, on = page): Promise<void> {
    const before = Number(await on.evaluate(() => document.body.dataset.responses));
    await action();
    await settled(on, before + 1);
  }

  const pick = (example: string) => after(() => page.selectOption("#example", example));

  async function typeSource(text: string, on = page): Promise<void> {
    await on.click("#source .cm-content");
    await on.keyboard.press("Control+A");
    await on.keyboard.insertText(text);
  }

  const replaceSource = (text: string, on = page) => after(() => typeSource(text, on), on);

  async function plotPixels() {
    expect(await page.isVisible("#plot")).toBe(true);
    return inkStats(decodePng(await page.locator("#plot").screenshot()));
  }

  async function generatedInNode(source: string, fn: string, wrt?: string[], emit?: ("grad" | "jvp")[], inline?: boolean): Promise<string> {
    const result = await compile({ files: [MODEL], sources: new Map([[MODEL, source]]), fn: [fn], wrt, emit, inline });
    expect(result.diagnostics).toEqual([]);
    return result.modules[0]!.text;
  }

  it("bundles the es2022 lib files the compiler type-checks with, and not the DOM's", () => {
    const worker = readFileSync(join(dir, "worker.js"), "utf8");
    // Entries of the table ts-morph's in-memory file system loads (`{fileName:"lib.es5.d.ts",text:…}` once minified).
    const bundled = (lib: string) => new RegExp(`fileName"?:"${lib.replace(/\./g, "\\.")}"`).test(worker);
    for (const lib of ["lib.es5.d.ts", "lib.es2015.core.d.ts", "lib.es2022.d.ts", "lib.es2022.string.d.ts", "lib.decorators.d.ts"]) expect(bundled(lib), lib).toBe(true);
    for (const lib of ["lib.dom.d.ts", "lib.webworker.d.ts", "lib.esnext.d.ts", "lib.es2023.d.ts"]) expect(bundled(lib), lib).toBe(false);
  });

  it("opens on the sawtooth network: its module, generated in the browser, is what tsad generates in Node, and f and f′ are drawn", async () => {
    const source = readFileSync(join(examples, "sawtooth.ts"), "utf8");
    expect(await page.evaluate(() => tsadPlayground.source())).toBe(source);
    expect(await page.evaluate(() => tsadPlayground.output())).toBe(await generatedInNode(source, "sawtooth", ["x"], ["grad"]));
    const ink = await plotPixels();
    expect(ink.inked).toBeGreaterThan(0.05);
    // One colour per depth, dark purple (depth 0) to light green (depth 5).
    expect(ink.matching((r, g, b) => r < 90 && g < 40 && b > 70)).toBeGreaterThan(0.001);
    expect(ink.matching((r, g, b) => g > 180 && r > 100 && b < 120)).toBeGreaterThan(0.001);
  });

  /** Each curve's slopes are ±2^depth, and the sign flips at each of its 2^depth − 1 kinks on [−2, 2]. */
  function expectSawtoothSlopes(slopes: number[], depth: number): void {
    const off = slopes.filter((s) => Math.abs(Math.abs(s) - 2 ** depth) > 1e-9 && s !== 0);
    expect(off).toEqual([]);
    const signs = slopes.filter((s) => s !== 0).map(Math.sign);
    expect(signs.filter((s, i) => i > 0 && s !== signs[i - 1]).length).toBe(2 ** depth - 1);
  }

  it("draws one curve per depth 0 to 5: slopes ±2^depth, 2^depth − 1 kinks on [−2, 2]", async () => {
    const plot = (await page.evaluate(() => tsadPlayground.lastResponse()?.plot))!;
    expect(plot.kind).toBe("line");
    expect(plot.series!.map((s) => s.label)).toEqual([0, 1, 2, 3, 4, 5].map((d) => `depth = ${d}`));
    plot.series!.forEach((s, depth) => expectSawtoothSlopes(s.slopes, depth));
  });

  it("one curve at the depth typed in its box", async () => {
    await after(() => page.selectOption("#family-param", ""));
    for (const depth of [4, 2]) {
      await after(() => page.fill("#args input[name=depth]", String(depth)));
      const plot = (await page.evaluate(() => tsadPlayground.lastResponse()?.plot))!;
      expect(plot.series).toHaveLength(1);
      expectSawtoothSlopes(plot.series![0]!.slopes, depth);
    }
    expect((await plotPixels()).inked).toBeGreaterThan(0.05);
  });

  const cases = [
    { id: "mlp", file: "examples/mlp.ts", fn: "loss", wrt: ["layers"], emit: ["grad"] as const, plot: "heat" },
    { id: "rosenbrock", file: "examples/rosenbrock.ts", fn: "rosenbrock", wrt: undefined, emit: ["grad"] as const, plot: "heat" },
    { id: "logreg", file: "examples/logreg.ts", fn: "logisticLoss", wrt: ["w", "b"], emit: ["grad"] as const, plot: "heat" },
    { id: "rk4", file: "playground/examples/rk4.ts", fn: "rk4", wrt: ["y0", "damping"], emit: ["jvp"] as const, plot: "jacobian" },
    { id: "sawtooth", file: "examples/sawtooth.ts", fn: "sawtooth", wrt: ["x"], emit: ["grad"] as const, plot: "line" },
  ];
  it.each(cases)("the $id example: its module as tsad generates it in Node, and a $plot plot", async ({ id, file, fn, wrt, emit, plot }) => {
    await pick(id);
    const source = readFileSync(resolve(import.meta.dirname, "..", file), "utf8");
    expect(await page.evaluate(() => tsadPlayground.source())).toBe(source);
    expect(await page.inputValue("#fn")).toBe(fn);
    expect(await page.evaluate(() => tsadPlayground.output())).toBe(await generatedInNode(source, fn, wrt, [...emit]));
    expect(await page.evaluate(() => tsadPlayground.lastResponse()?.plot?.kind)).toBe(plot);
    const ink = await plotPixels();
    expect(ink.inked).toBeGreaterThan(plot === "line" ? 0.05 : 0.3);
    if (plot === "heat") expect(ink.colours).toBeGreaterThan(40);
  });

  it("shows only the controls that apply: the x and y coordinates for a heat map, not for a curve", async () => {
    await pick("rosenbrock");
    expect(await page.isVisible("#x-coord")).toBe(true);
    expect(await page.isVisible("#y-coord")).toBe(true);
    expect(await page.isVisible("#family-param")).toBe(false);
    await pick("sawtooth");
    expect(await page.isVisible("#x-coord")).toBe(false);
    expect(await page.isVisible("#y-coord")).toBe(false);
    expect(await page.isVisible("#family-param")).toBe(true);
  });

  it("the Rosenbrock heat map holds f and ∇f (closed forms) at its grid points", async () => {
    await pick("rosenbrock");
    const heat = (await page.evaluate(() => tsadPlayground.lastResponse()?.plot)) as unknown as { kind: "heat"; size: number; xRange: [number, number]; yRange: [number, number]; values: number[]; gradX: number[]; gradY: number[] };
    expect(heat.kind).toBe("heat");
    const { size, xRange, yRange } = heat;
    for (const [row, col] of [[0, 0], [10, 50], [33, 17], [63, 63]] as const) {
      const a = xRange[0] + ((xRange[1] - xRange[0]) * (col + 0.5)) / size;
      const b = yRange[0] + ((yRange[1] - yRange[0]) * (row + 0.5)) / size;
      const i = row * size + col;
      expect(heat.values[i]).toBeCloseTo((1 - a) ** 2 + 100 * (b - a * a) ** 2, 9);
      expect(heat.gradX[i]).toBeCloseTo(-2 * (1 - a) - 400 * a * (b - a * a), 8);
      expect(heat.gradY[i]).toBeCloseTo(200 * (b - a * a), 8);
    }
  });

  it("the RK4 Jacobian agrees with central differences of rk4", async () => {
    await pick("rk4");
    const plot = (await page.evaluate(() => tsadPlayground.lastResponse()?.plot)) as unknown as { kind: "jacobian"; rows: string[]; columns: string[]; entries: number[][] };
    expect(plot.columns).toEqual(["y0[0]", "y0[1]", "damping"]);
    expect(plot.rows).toEqual(["rk4[0]", "rk4[1]"]);
    const { rk4 } = await import("../playground/examples/rk4.ts");
    const at = (y0: number[], damping: number) => rk4(y0, damping, 0.1, 50);
    const h = 1e-6;
    const bumps = [(e: number) => at([1 + e, 0], 0.2), (e: number) => at([1, e], 0.2), (e: number) => at([1, 0], 0.2 + e)];
    bumps.forEach((bump, j) => {
      const [plus, minus] = [bump(h), bump(-h)];
      for (let i = 0; i < 2; i++) expect(plot.entries[i]![j]).toBeCloseTo((plus[i]! - minus[i]!) / (2 * h), 6);
    });
  });

  it("the explain panel shows tsad explain's report, counted at the sizes of the plot's arguments", async () => {
    for (const [id, file, fn, wrt, sizes] of [
      ["rosenbrock", "rosenbrock.ts", "rosenbrock", undefined, { "x.length": 2 }],
      ["logreg", "logreg.ts", "logisticLoss", ["w", "b"], { "w.length": 2, "X.length": 6, "X[i].length": 2, "y.length": 6 }],
    ] as const) {
      await pick(id);
      const source = readFileSync(join(examples, file), "utf8");
      const expected = await explain({ files: [MODEL], sources: new Map([[MODEL, source]]), fn: [fn], wrt: wrt && [...wrt], sizes: new Map(Object.entries(sizes)) });
      expect(expected.explanations).toHaveLength(1);
      expect(await page.textContent("#explain")).toBe(expected.explanations[0]!.text.replace("/model.ts:", "model.ts:"));
      expect(await page.textContent("#explain")).toContain("at the given sizes");
      const named = Object.entries(sizes).filter(([name]) => expected.explanations[0]!.text.includes(name));
      expect(named.length).toBeGreaterThan(0);
      for (const [name, value] of named) expect(await page.textContent("#explain-sizes")).toContain(`${name} = ${value}`);
    }
  });

  it("an edit changes the generated module as one types", async () => {
    await pick("rosenbrock");
    const edited = readFileSync(join(examples, "rosenbrock.ts"), "utf8").replace("100 * (x[i + 1]", "10 * (x[i + 1]");
    await replaceSource(edited);
    const output = await page.evaluate(() => tsadPlayground.output());
    expect(output).toContain("10 * (x[i + 1]");
    expect(output).not.toContain("100 *");
    expect(output).toBe(await generatedInNode(edited, "rosenbrock", undefined, ["grad"]));
    // A new function appears in the menu and can be chosen.
    await replaceSource(`${edited}\nexport function cube(t: number): number {\n  return t * t * t;\n}\n`);
    expect(await page.locator("#fn option").allTextContents()).toEqual(["rosenbrock", "cube"]);
    await after(() => page.selectOption("#fn", "cube"));
    expect(await page.evaluate(() => tsadPlayground.output())).toContain("export function cubeGrad(");
    expect(await page.evaluate(() => tsadPlayground.lastResponse()?.plot?.kind)).toBe("line");
  });

  it("inlining can be turned off, as --no-inline does", async () => {
    await pick("sawtooth");
    const source = readFileSync(join(examples, "sawtooth.ts"), "utf8");
    await after(() => page.uncheck("#inline"));
    const output = await page.evaluate(() => tsadPlayground.output());
    expect(output).toBe(await generatedInNode(source, "sawtooth", ["x"], ["grad"], false));
    expect(output).not.toBe(await generatedInNode(source, "sawtooth", ["x"], ["grad"], true));
    expect((await page.evaluate(() => tsadPlayground.lastResponse()?.plot))!.series).toHaveLength(6);
    await after(() => page.check("#inline"));
    expect(await page.evaluate(() => tsadPlayground.output())).toBe(await generatedInNode(source, "sawtooth", ["x"], ["grad"], true));
  });

  it("a new function gets tsad's defaults, not the options chosen for the last one", async () => {
    await pick("sawtooth"); // grad only, wrt x, x = 0.3
    const polar = "export function polar(x: number[]): number[] {\n  return [x[0] * Math.cos(x[1]), x[0] * Math.sin(x[1])];\n}\n";
    await replaceSource(polar);
    expect(await page.textContent("#diagnostics")).toBe("");
    expect(await page.evaluate(() => tsadPlayground.output())).toBe(await generatedInNode(polar, "polar"));
    expect(await page.inputValue("#args [name=x]")).toBe("[0.5,0.5]");
    const plot = (await page.evaluate(() => tsadPlayground.lastResponse()?.plot)) as unknown as { kind: string; entries: number[][] };
    expect(plot.kind).toBe("jacobian");
    const [r, t] = [0.5, 0.5];
    const expected = [[Math.cos(t), -r * Math.sin(t)], [Math.sin(t), r * Math.cos(t)]];
    expected.forEach((row, i) => row.forEach((v, j) => expect(plot.entries[i]![j]).toBeCloseTo(v, 12)));
  });

  it("a broken edit shows the CLI's diagnostic, marked at its position in the editor", async () => {
    const broken = "export function f(xs: number[]): number {\n  let s = 0;\n  for (const v of xs.filter((x) => x > 0)) s += v * v;\n  return s;\n}\n";
    await replaceSource(broken);
    const result = await compile({ files: [MODEL], sources: new Map([[MODEL, broken]]) });
    expect(result.diagnostics).toHaveLength(1);
    const expected = formatDiagnostic(result.diagnostics[0]!, new Map([[MODEL, broken]]), "/");
    expect(expected).toMatch(/^model\.ts:3:19 - error TSAD2014/);
    expect(await page.textContent("#diagnostics")).toBe(expected);
    // The mark covers the token at line 3, column 19: `xs`.
    expect(await page.locator("#source .cm-lintRange-error").allTextContents()).toEqual(["xs"]);
    expect(await page.textContent("#status")).toContain("1 error");
    // A type error too.
    await replaceSource('export function g(x: number): number {\n  const y: number = "two";\n  return x * y;\n}\n');
    expect(await page.textContent("#diagnostics")).toMatch(/^model\.ts:2:9 - error TSAD1002: Type 'string' is not assignable to type 'number'\./);
    expect(await page.locator("#source .cm-lintRange-error").allTextContents()).toEqual(["y"]);
  });

  it("the link in the address bar reopens the same source and options", async () => {
    await pick("logreg");
    const edited = readFileSync(join(examples, "logreg.ts"), "utf8").replace("total / X.length", "total / X.length + 0.01 * b * b");
    await replaceSource(edited);
    await after(() => page.uncheck("#emit input[value=grad]"));
    await after(() => page.check("#emit input[value=jvp]"));
    await page.waitForFunction(() => location.hash.length > 10);
    const link = page.url();
    const other = await browser.newPage();
    await other.goto(link);
    await settled(other, 1);
    expect(await other.evaluate(() => tsadPlayground.source())).toBe(edited);
    expect(await other.inputValue("#fn")).toBe("logisticLoss");
    expect(await other.locator("#wrt input:checked").evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value))).toEqual(["w", "b"]);
    expect(await other.locator("#emit input:checked").evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value))).toEqual(["jvp"]);
    expect(await other.evaluate(() => tsadPlayground.output())).toBe(await generatedInNode(edited, "logisticLoss", ["w", "b"], ["jvp"]));
    await other.close();
  });

  it("a plot that never ends is stopped, the module still shown, and the next edit works", async () => {
    const other = await browser.newPage();
    other.on("pageerror", (error) => errors.push(error.message));
    await other.goto(`${url}?watchdog=3000`);
    await settled(other, 1);
    const endless = "export function spin(x: number): number {\n  let k = 0;\n  while (k < 1) {\n    k = k * 1;\n  }\n  return x * x;\n}\n";
    await typeSource(endless, other);
    await other.waitForFunction(() => document.body.dataset.stopped === "1", null, { timeout: 30_000 });
    expect(await other.evaluate(() => tsadPlayground.output())).toContain("export function spinGrad(");
    expect(await other.textContent("#status")).toContain("stopped after 3 s");
    expect(await other.isVisible("#plot")).toBe(false);
    await replaceSource(endless.replace("k < 1", "k < 0"), other);
    expect(await other.evaluate(() => tsadPlayground.lastResponse()?.plot?.kind)).toBe("line");
    await other.close();
  });

  it("raised no page errors", () => {
    expect(errors).toEqual([]);
  });
});
