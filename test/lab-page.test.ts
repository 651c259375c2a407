/**
 * The Lab view in headless Chromium: each panel is run as a person would (settings typed into
 * its form, Run clicked), and the numbers it plotted, which each canvas carries as `data-chart`,
 * are checked against closed forms and against the same computation in Node. Settings are small
 * so that each run takes a second or two.
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`). Without it the
 * suite is skipped, saying why.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initNetwork } from "../lab/network.ts";
import { tangentKernel } from "../lab/ntk.ts";
import type { Chart, HeatMap, LineChart } from "../lab/plot/charts.ts";
import { CHROMIUM, hasChromium, openSite, type OpenSite } from "../playground/chromium.ts";
import { decodePng, inkStats } from "./support/png.ts";

if (!hasChromium) console.warn(`Lab e2e tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

// What the page-side callbacks below touch (this test's tsconfig has no DOM lib).
declare const document: { body: { dataset: Record<string, string | undefined> }; querySelector(selector: string): { dataset: Record<string, string | undefined> } | null; querySelectorAll(selector: string): { open: boolean }[] };

describe.skipIf(!hasChromium)("the Lab view in headless Chromium", () => {
  let site: OpenSite;
  let url: string;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    site = await openSite("tsad-lab-page-");
    ({ url, browser } = site);
    page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${url}lab.html`);
    await page.waitForFunction(() => document.body.dataset.ready === "true");
  }, 60_000);

  afterAll(async () => {
    await site?.close();
  });

  /** Opens the panel's tab, types the settings, clicks Run and waits for the end. */
  async function run(panel: string, settings: Record<string, string | number>, on: Page = page): Promise<Chart[]> {
    await on.click(`#tabs a[data-panel=${panel}]`);
    await on.evaluate((p) => document.querySelectorAll(`#${p} details`).forEach((d) => (d.open = true)), panel);
    for (const [name, value] of Object.entries(settings)) {
      if (name === "target") await on.selectOption(`#${panel} [name=target]`, String(value));
      else await on.fill(`#${panel} [name=${name}]`, String(value));
    }
    await on.click(`#${panel} .run`);
    await on.waitForFunction((p) => ["done", "error"].includes(document.querySelector(`#${p}`)!.dataset.state!), panel, { timeout: 60_000 });
    expect(await on.textContent(`#${panel} .status`)).toMatch(/^done in /);
    return charts(panel, on);
  }

  async function charts(panel: string, on: Page = page): Promise<Chart[]> {
    return on.locator(`#${panel} canvas.chart`).evaluateAll((canvases) => canvases.map((c) => JSON.parse((c as unknown as { dataset: { chart: string } }).dataset.chart)));
  }

  const series = (chart: Chart, label: string) => (chart as LineChart).series.find((s) => s.label === label)!;

  async function expectDrawn(panel: string, index: number): Promise<void> {
    const ink = inkStats(decodePng(await page.locator(`#${panel} canvas.chart`).nth(index).screenshot()));
    expect(ink.inked).toBeGreaterThan(0.03);
  }

  it("the Compiler view links to the Lab and back", async () => {
    const other = await browser.newPage();
    await other.goto(url);
    await other.click("text=Lab");
    await other.waitForURL(/lab\.html/);
    expect(await other.textContent("#tabs")).toBe("ApproximationGeneralisationCurvatureNeural tangent kernel");
    await other.close();
  });

  it("each panel says what to look for and links to the generated functions it runs, which the page shows", async () => {
    for (const [panel, functions] of [
      ["approximation", ["lossGrad", "preActivationsJvp"]],
      ["generalisation", ["lossGrad"]],
      ["curvature", ["lossHvp", "lossHessian", "lossGrad"]],
      ["ntk", ["predictionsJacobian", "lossGrad"]],
    ] as const) {
      expect(await page.locator(`#${panel} .runs a[data-function]`).allTextContents()).toEqual([...functions]);
      expect((await page.textContent(`#${panel} .look`))!.split(/(?<=\.) /)).toHaveLength(2);
      for (const name of functions) expect(await page.textContent(`#code-${name}`)).toContain(`export function ${name}(`);
    }
    expect(await page.textContent("#source-loss")).toContain("export function loss(");
  });

  it("approximation: a typed target, the fit's kinks, and the sawtooth network's 2^(depth−1) regions", async () => {
    const [fit, loss, byDepth, byWidth] = await run("approximation", { target: "custom", expression: "abs(x) - 0.5", depth: 1, width: 8, steps: 300, rate: 0.3, maxDepth: 5, widths: "2, 4, 8", seeds: 2 });
    const target = series(fit!, "target");
    target.xs.forEach((x, i) => expect(target.ys[i]).toBeCloseTo(Math.abs(x) - 0.5, 12));
    const network = series(fit!, "network");
    expect(network.ys).toHaveLength(401);
    // One region more than kinks, and the title says how many.
    const kinks = (fit as LineChart).marks!.xs;
    expect(fit!.title).toContain(`${kinks.length + 1} linear regions`);
    expect(kinks.every((x) => x > -1 && x < 1)).toBe(true);
    // Between two kinks the network is affine: its second differences vanish away from the kinks.
    const h = network.xs[1]! - network.xs[0]!;
    for (let i = 1; i < network.xs.length - 1; i++) {
      if (kinks.some((k) => Math.abs(k - network.xs[i]!) <= 1.01 * h)) continue;
      expect(Math.abs(network.ys[i + 1]! - 2 * network.ys[i]! + network.ys[i - 1]!)).toBeLessThan(1e-9);
    }
    const losses = series(loss!, "").ys;
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
    expect(series(byDepth!, "sawtooth network (width 2)").ys).toEqual([2, 2, 4, 8, 16]);
    expect((byWidth as LineChart).series.map((s) => s.label)).toEqual(["depth 1", "depth 2", "depth 3"]);
    // A random network of width w with one hidden layer has at most w + 1 regions.
    series(byWidth!, "depth 1").ys.forEach((regions, i) => expect(regions).toBeLessThanOrEqual([2, 4, 8][i]! + 1));
    await expectDrawn("approximation", 0);
  });

  it("generalisation: training and test curves, and one training run per point of each sweep", async () => {
    const [data, curves, widths, scales, batches] = await run("generalisation", { noise: 0.2, train: 12, test: 50, width: 16, steps: 400, sweepWidths: "4, 16", sweepScales: "0.5, 1", sweepBatches: "4, 12", sweepSteps: 150, seeds: 1 });
    expect(series(data!, "train").xs).toHaveLength(12);
    expect(series(data!, "test").xs).toHaveLength(50);
    const train = series(curves!, "train").ys;
    expect(train.at(-1)!).toBeLessThan(0.5 * train[0]!);
    expect((curves as LineChart).levels![0]!.y).toBeCloseTo(0.04, 12);
    expect(series(widths!, "test").xs).toEqual([4, 16]);
    expect(series(scales!, "train").xs).toEqual([0.5, 1]);
    expect(series(batches!, "test").xs).toEqual([4, 12]);
    for (const chart of [widths, scales, batches]) for (const s of (chart as LineChart).series) expect(s.ys.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    await expectDrawn("generalisation", 1);
  });

  it("curvature: a sharpness curve per learning rate beside its 2/η, and power iteration agrees with the dense spectrum", async () => {
    const [sharp, , spectrum] = await run("curvature", { depth: 2, width: 8, steps: 100, rates: "0.1, 0.3", every: 20, spectrumWidth: 6, spectrumSteps: 100 });
    expect((sharp as LineChart).series.map((s) => s.label)).toEqual(["η = 0.1", "η = 0.3"]);
    expect((sharp as LineChart).levels!.map((l) => l.y)).toEqual([2 / 0.1, 2 / 0.3]);
    for (const s of (sharp as LineChart).series) {
      expect(s.xs).toEqual([0, 20, 40, 60, 80, 100]);
      expect(s.ys.every((v) => v > 0)).toBe(true);
    }
    const trained = series(spectrum!, "after training").ys;
    expect(trained).toHaveLength(6 + 6 + 6 + 1);
    expect(trained).toEqual([...trained].sort((a, b) => a - b));
    const power = (spectrum as LineChart).levels![0]!.y;
    expect(power).toBeCloseTo(trained.at(-1)!, 6);
    await expectDrawn("curvature", 2);
  });

  it("ntk: the heat map is J·Jᵀ of the seeded network (as Node computes it), and the kernel moves less as width grows", async () => {
    const [initial, trained, change, movement] = await run("ntk", { width: 64, points: 8, steps: 100, widths: "8, 256", seeds: 3 });
    const kernel = (initial as HeatMap).values;
    const expected = tangentKernel(initNetwork({ depth: 1, width: 64 }, { seed: 1 }), (initial as HeatMap).xs);
    kernel.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 9)));
    for (const values of [kernel, (trained as HeatMap).values]) values.forEach((row, i) => row.forEach((v, j) => {
      expect(v).toBeCloseTo(values[j]![i]!, 9);
      expect(v * v).toBeLessThanOrEqual(values[i]![i]! * values[j]![j]! * (1 + 1e-9)); // Cauchy–Schwarz: Θ is a Gram matrix
    }));
    (change as HeatMap).values.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo((trained as HeatMap).values[i]![j]! - kernel[i]![j]!, 9)));
    const mean = series(movement!, "mean");
    expect(mean.xs).toEqual([8, 256]);
    expect(mean.ys[1]!).toBeLessThan(mean.ys[0]! / 2);
    await expectDrawn("ntk", 0);
  });

  it("a long run draws as it goes, stays responsive, and Stop keeps what it drew; the next run works", async () => {
    await page.click("#tabs a[data-panel=approximation]");
    await page.fill("#approximation [name=steps]", "200000");
    await page.click("#approximation .run");
    await page.waitForFunction(() => Number((document.querySelector("#approximation progress") as unknown as { value: number }).value) > 0, null, { timeout: 30_000 });
    expect(await page.getAttribute("#approximation", "data-state")).toBe("running");
    // The page answers while the worker trains: switching tabs takes effect (within a second,
    // which a page whose main thread trained would not manage; a loaded machine needs the margin).
    await page.click("#tabs a[data-panel=ntk]");
    await page.waitForSelector("#ntk", { state: "visible", timeout: 1_000 });
    expect(await page.getAttribute("#approximation", "data-state")).toBe("running");
    await page.click("#tabs a[data-panel=approximation]");
    const partial = await charts("approximation");
    expect(series(partial[1]!, "").xs.length).toBeGreaterThan(1);
    await page.click("#approximation .stop");
    expect(await page.getAttribute("#approximation", "data-state")).toBe("stopped");
    expect(await page.textContent("#approximation .status")).toMatch(/^stopped at \d+%$/);
    expect((await charts("approximation")).length).toBe(partial.length);
    const again = await run("approximation", { steps: 50 });
    expect(series(again[1]!, "").xs.at(-1)).toBe(50);
  });

  it("a typo in a typed target or a setting is a message, not a crash", async () => {
    await page.click("#tabs a[data-panel=approximation]");
    await page.selectOption("#approximation [name=target]", "custom");
    await page.fill("#approximation [name=expression]", "sin(3x");
    await page.click("#approximation .run");
    await page.waitForFunction(() => document.querySelector("#approximation")!.dataset.state === "error");
    expect(await page.textContent("#approximation .status")).toBe("cannot read the target: missing ')' at the end (at character 7)");
    await page.fill("#approximation [name=expression]", "x");
    await page.fill("#approximation [name=width]", "wide");
    await page.click("#approximation .run");
    expect(await page.textContent("#approximation .status")).toBe("width: wants a whole number ≥ 1, not 'wide'");
  });

  it("a learning rate too large for the network says so when the loss diverges", async () => {
    await page.click("#tabs a[data-panel=approximation]");
    await page.selectOption("#approximation [name=target]", "sin");
    await page.fill("#approximation [name=depth]", "2");
    await page.fill("#approximation [name=width]", "16");
    await page.fill("#approximation [name=rate]", "50");
    await page.fill("#approximation [name=steps]", "30");
    await page.click("#approximation .run");
    await page.waitForFunction(() => document.querySelector("#approximation")!.dataset.state === "done");
    expect(await page.textContent("#approximation .status")).toMatch(/^done in [\d.]+ s; the loss diverged: try a smaller learning rate$/);
  });

  it("raised no page errors", () => {
    expect(errors).toEqual([]);
  });
});
