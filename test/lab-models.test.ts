/**
 * The lab's generated derivative modules are what tsad generates now from the models' tags
 * (regenerate with `npm run lab:generate`), and `npm run lab` writes its figures' numbers and PNGs.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { generateModel, labModels, modelsDir } from "../lab/generate.ts";
import { main } from "../lab/cli.ts";
import { initNetwork } from "../lab/network.ts";
import { tangentKernel } from "../lab/ntk.ts";
import { decodePng, inkStats } from "./support/png.ts";

describe("lab/models", () => {
  it.each(labModels)("lab/models/%s: the committed derivative module is what tsad generates now", async (file) => {
    const generated = await generateModel(file);
    const committed = readFileSync(join(modelsDir, file.replace(/\.ts$/, ".grad.ts")), "utf8");
    expect(committed, "stale: run npm run lab:generate").toBe(generated.text);
    for (const name of ["lossGrad", "lossHvp", "lossHessian", "predictionsJacobian", "preActivationsJvp"]) expect(generated.text).toContain(`export function ${name}(`);
  });
});

describe("npm run lab", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsad-lab-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function run(args: string[]): { status: number; out: string; err: string } {
    let out = "";
    let err = "";
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
    try {
      return { status: main(args), out, err };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  it("ntk: the JSON holds the kernel J·Jᵀ of the drawn network, and the PNG its figures", () => {
    const json = join(dir, "ntk.json");
    const png = join(dir, "ntk.png");
    const { status, out } = run(["ntk", "--width", "64", "--points", "6", "--steps", "20", "--widths", "4,16", "--seeds", "1", "--json", json, "--png", png]);
    expect(status).toBe(0);
    expect(out).toContain("relative change of the kernel in training: width 4:");
    const data = JSON.parse(readFileSync(json, "utf8"));
    expect(data.experiment).toBe("ntk");
    expect(data.options.width).toBe(64);
    expect(data.result.movement.map((p: { width: number }) => p.width)).toEqual([4, 16]);
    // The kernel at initialisation is that of the seeded network the options describe.
    const expected = tangentKernel(initNetwork({ depth: 1, width: 64 }, { seed: 1 }), data.result.xs);
    expect(data.result.kernel.initial).toEqual(expected);
    const pixels = decodePng(readFileSync(png));
    expect(pixels.width).toBe(2 * 2 * 560);
    const ink = inkStats(pixels);
    expect(ink.inked).toBeGreaterThan(0.1);
    expect(ink.colours).toBeGreaterThan(30);
  });

  it("approximation with a typed target: the fit is the trained network's output", () => {
    const json = join(dir, "approximation.json");
    const { status } = run(["approximation", "--expression", "abs(x) - 0.5", "--depth", "1", "--width", "8", "--steps", "50", "--maxDepth", "3", "--widths", "2,4", "--seeds", "1", "--json", json]);
    expect(status).toBe(0);
    const { result } = JSON.parse(readFileSync(json, "utf8"));
    expect(result.target).toBe("abs(x) - 0.5");
    result.curve.xs.forEach((x: number, i: number) => expect(result.curve.target[i]).toBeCloseTo(Math.abs(x) - 0.5, 12));
    expect(result.byDepth.map((p: { sawtooth: number }) => p.sawtooth)).toEqual([2, 2, 4]);
    expect(result.regions.breakpoints).toHaveLength(result.regions.trained - 1);
  });

  it("usage mistakes exit 2 with a message, not a stack trace", () => {
    expect(run(["nonsense"])).toMatchObject({ status: 2, err: expect.stringContaining("unknown experiment 'nonsense'") });
    expect(run(["ntk", "--depthh", "2"])).toMatchObject({ status: 2, err: expect.stringContaining("unknown option --depthh") });
    expect(run(["ntk", "--width", "wide"])).toMatchObject({ status: 2, err: expect.stringContaining("--width wants a whole number ≥ 1, not 'wide'") });
    expect(run(["approximation", "--expression", "sin(x"])).toMatchObject({ status: 2, err: expect.stringContaining("cannot read the expression: missing ')'") });
    // Values no experiment can run: said before running, not a NaN figure, a silently rounded value or a stack trace.
    expect(run(["ntk", "--width", "0"])).toMatchObject({ status: 2, err: "lab: --width wants a whole number ≥ 1, not '0'\n" });
    expect(run(["ntk", "--seeds", "0"])).toMatchObject({ status: 2, err: expect.stringContaining("--seeds wants a whole number ≥ 1, not '0'") });
    expect(run(["approximation", "--steps", "1.5"])).toMatchObject({ status: 2, err: expect.stringContaining("--steps wants a whole number ≥ 1, not '1.5'") });
    expect(run(["approximation", "--samples", "1"])).toMatchObject({ status: 2, err: "lab: --samples wants a whole number ≥ 2, not '1'\n" });
    expect(run(["curvature", "--every", "2.5"])).toMatchObject({ status: 2, err: expect.stringContaining("--every wants a whole number ≥ 1, not '2.5'") });
    expect(run(["curvature", "--rates", "0.1,0"])).toMatchObject({ status: 2, err: expect.stringContaining("--rates wants numbers > 0, comma-separated, not '0.1,0'") });
    expect(run(["generalisation", "--noise", "-1"])).toMatchObject({ status: 2, err: expect.stringContaining("--noise wants a number ≥ 0, not '-1'") });
    expect(run(["ntk", "--target", "cos"])).toMatchObject({ status: 2, err: expect.stringContaining("--target wants one of sin, abs, step, sawtooth, custom, not 'cos'") });
    expect(run(["ntk", "--target", "abs", "--expression", "x^2"])).toMatchObject({ status: 2, err: "lab: --expression is the target; it cannot go with --target abs\n" });
    expect(run(["ntk", "--target", "custom"])).toMatchObject({ status: 2, err: "lab: --target custom wants --expression TEXT\n" });
    expect(run(["ntk", "--toString", "1"])).toMatchObject({ status: 2, err: expect.stringContaining("unknown option --toString") });
    expect(run(["ntk", "--width"])).toMatchObject({ status: 2, err: expect.stringContaining("expected --OPTION VALUE, not '--width'") });
    expect(run(["ntk", "--json", join(dir, "no-such-folder", "ntk.json")])).toMatchObject({ status: 2, err: expect.stringContaining("cannot write") });
    expect(run([])).toMatchObject({ status: 2, err: expect.stringContaining("usage: npm run lab") });
  });

  it("--help prints the usage, or an experiment's options, on stdout and exits 0", () => {
    expect(run(["--help"])).toMatchObject({ status: 0, out: expect.stringContaining("usage: npm run lab -- <approximation|generalisation|curvature|ntk>"), err: "" });
    expect(run(["ntk", "--help"])).toMatchObject({ status: 0, out: expect.stringContaining("  --widths 8,32,128,512,2048\n"), err: "" });
  });
});
