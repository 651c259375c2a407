/**
 * The bundler plugin: Vite builds the example project in examples/vite-app (whose
 * vite.config.ts imports "tsad/vite", the built package), the bundled gradient agrees with
 * finite differences, a source that cannot be differentiated fails the build with tsad's
 * diagnostic at its line, and esbuild resolves `?grad` imports too.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { rollup, type Plugin as RollupPlugin } from "rollup";
import { build, createServer } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import { unplugin } from "../src/plugin/plugin.ts";
import { centralDifferences, relativeError } from "./support/numeric.ts";

const EXAMPLE = resolve(import.meta.dirname, "../examples/vite-app");
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tsad-plugin-"));
  temps.push(dir);
  return dir;
}

const xs = [-2, -1.5, -0.5, 0.2, 0.9, 1.4, 2.2, 3];
const labels = [-1, -1, -1, 1, -1, 1, 1, 1];

describe("the Vite plugin", () => {
  it("builds the example app", async () => {
    const outDir = tempDir();
    await build({ root: EXAMPLE, logLevel: "silent", build: { outDir, emptyOutDir: true } });
    const assets = readdirSync(join(outDir, "assets"));
    const bundle = readFileSync(join(outDir, "assets", assets.find((a) => a.endsWith(".js"))!), "utf8");
    // The generated gradient is in the bundle: the backward sweep and the user's softplus rule.
    expect(bundle).toContain("Math.log1p");
    expect(bundle).toMatch(/1\/\(1\+Math\.exp\(-\w+\)\)/);
    expect(bundle).not.toContain("?grad");
  });

  it("bundles a gradient that agrees with finite differences", async () => {
    const outDir = tempDir();
    await build({ root: EXAMPLE, logLevel: "silent", build: { ssr: "src/train.ts", outDir, emptyOutDir: true } });
    const bundled = await import(pathToFileURL(join(outDir, "train.js")).href);
    const { loss } = await import("../examples/vite-app/src/model.ts");
    for (const [w, b] of [[0.3, -0.2], [-1.1, 0.7]] as const) {
      const { value, grad } = bundled.lossGrad(w, b, xs, labels);
      expect(value).toBe(loss(w, b, xs, labels));
      for (const [dw, db] of [[1, 0], [0, 1], [0.6, -0.8]] as const) {
        const estimates = centralDifferences((h) => [loss(w + h * dw, b + h * db, xs, labels)]);
        expect(Math.min(...estimates.map((e) => relativeError([grad.w * dw + grad.b * db], e)))).toBeLessThan(1e-8);
      }
    }
    const { losses } = bundled.train(xs, labels);
    expect(losses.at(-1)).toBeLessThan(losses[0] / 2);
  });

  it("fails the build with tsad's diagnostic at the offending line", async () => {
    const root = tempDir();
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src/model.ts"), `export function f(x: number): number {\n  let y = x;\n  try {\n    y = x * x;\n  } finally {\n    y += 1;\n  }\n  return y;\n}\n`);
    writeFileSync(join(root, "src/main.ts"), `import { fGrad } from "./model.grad.ts";\nexport const g = fGrad(2);\n`);
    let error: (Error & { loc?: { file?: string; line: number } }) | undefined;
    try {
      await build({ root, configFile: false, logLevel: "silent", plugins: [unplugin.vite()], build: { ssr: "src/main.ts", outDir: join(root, "out"), write: false } });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error).toBeDefined();
    expect(error!.message).toContain("src/model.ts:3:3 - error TSAD2005: `try`/`catch`/`throw` cannot be differentiated");
    expect(error!.message).toContain("> 3 |   try {");
  });
});

describe("the Vite dev server", () => {
  it("regenerates the module when its source changes, and reports errors", async () => {
    const root = tempDir();
    cpSync(join(EXAMPLE, "src"), join(root, "src"), { recursive: true });
    const server = await createServer({ root, configFile: false, logLevel: "silent", plugins: [unplugin.vite()], server: { middlewareMode: true } });
    const model = join(root, "src/model.ts");
    const load = () => server.ssrLoadModule("/src/train.ts");
    /** Edits the source, then loads the module until the dev server has taken the edit in. */
    const eventually = async <T>(edit: (text: string) => string, attempt: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
      writeFileSync(model, edit(readFileSync(model, "utf8")));
      for (let tries = 0; ; tries++) {
        await new Promise((r) => setTimeout(r, 50));
        const value = await attempt();
        if (done(value) || tries > 100) return value;
      }
    };
    try {
      const before = (await load()).lossGrad(0.3, 0.1, xs, labels).grad;
      const gradient = () => load().then((m) => m.lossGrad(0.3, 0.1, xs, labels).grad);
      const after = await eventually((t) => t.replace("return total / xs.length;", "return (2 * total) / xs.length;"), gradient, (g) => g.w !== before.w);
      expect(after.w).toBeCloseTo(2 * before.w, 14);
      expect(after.b).toBeCloseTo(2 * before.b, 14);
      const failure = await eventually(
        (t) => t.replace("let total = 0;", "let total = 0;\n  try {} finally {}"),
        () => load().then(() => "loaded", (e: Error) => e.message),
        (m) => m !== "loaded",
      );
      expect(failure).toMatch(/src\/model\.ts:18:3 - error TSAD2005/);
    } finally {
      await server.close();
    }
  });
});

describe("the esbuild plugin", () => {
  it("resolves `?grad` imports to the generated module", async () => {
    const root = tempDir();
    writeFileSync(join(root, "model.ts"), `export function bump(x: number[]): number {\n  let s = 0;\n  for (const v of x) s += Math.exp(-v * v);\n  return s;\n}\n`);
    writeFileSync(join(root, "entry.ts"), `export { bumpGrad } from "./model.ts?grad";\n`);
    const result = await esbuild.build({ entryPoints: [join(root, "entry.ts")], bundle: true, format: "esm", write: false, plugins: [unplugin.esbuild()], logLevel: "silent" });
    const out = join(root, "bundle.mjs");
    writeFileSync(out, result.outputFiles[0]!.text);
    const { bumpGrad } = await import(pathToFileURL(out).href);
    const x = [0.3, -1.2, 0.8];
    expect(relativeError(bumpGrad(x).grad.x, x.map((v) => -2 * v * Math.exp(-v * v)))).toBeLessThan(1e-14);
  });
});

describe("a bad configuration", () => {
  it("fails the bundle with the configuration's diagnostic", async () => {
    const root = tempDir();
    writeFileSync(join(root, "tsad.config.json"), `{\n  "inputs": ["*.ts"],\n  "emit": ["gradient"]\n}\n`);
    writeFileSync(join(root, "model.ts"), `export function f(x: number): number {\n  return x * x;\n}\n`);
    writeFileSync(join(root, "entry.ts"), `export { fGrad } from "./model.ts?grad";\n`);
    const failure = await esbuild.build({ entryPoints: [join(root, "entry.ts")], bundle: true, write: false, plugins: [unplugin.esbuild({ root })], logLevel: "silent" }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failure?.message).toContain("tsad.config.json:3:11 - error TSAD4003: `gradient` is not something tsad can emit");
  });
});

describe("the Rollup plugin", () => {
  /** Rollup reads JavaScript only: strip the types of .ts modules (the generated one included) with esbuild. */
  const typescript: RollupPlugin = {
    name: "strip-types",
    async transform(code, id) {
      if (!id.endsWith(".ts")) return null;
      return (await esbuild.transform(code, { loader: "ts", format: "esm" })).code;
    },
  };

  it("bundles the generated module, and reports a diagnostic as a Rollup error", async () => {
    const root = tempDir();
    writeFileSync(join(root, "model.ts"), `/** @differentiate emit=grad */\nexport function sq(x: number[]): number {\n  let s = 0;\n  for (const v of x) s += v * v * v;\n  return s;\n}\n`);
    writeFileSync(join(root, "entry.ts"), `export { sqGrad } from "./model.grad.ts";\n`);
    const bundle = await rollup({ input: join(root, "entry.ts"), plugins: [unplugin.rollup(), typescript] });
    const { output } = await bundle.generate({ format: "es" });
    const out = join(root, "bundle.mjs");
    writeFileSync(out, output[0].code);
    const { sqGrad } = await import(pathToFileURL(out).href);
    expect(sqGrad([0.5, -2]).grad.x).toEqual([0.75, 12]);

    writeFileSync(join(root, "model.ts"), `/** @differentiate emit=grad */\nexport function sq(x: number[]): number {\n  return x.splice(0, 1).length;\n}\n`);
    const failure = await rollup({ input: join(root, "entry.ts"), plugins: [unplugin.rollup(), typescript] }).then(
      () => undefined,
      (e: Error & { plugin?: string }) => e,
    );
    expect(failure?.plugin).toBe("tsad");
    expect(failure?.message).toContain("model.ts:3:10 - error TSAD2014: the method `splice` is not supported");
  });
});
