/**
 * `tsad verify`: it passes on every fixture (checking the committed module, which the fixture
 * tests keep equal to what tsad generates) and on every example (generating in memory); it
 * catches derivatives that are wrong on purpose (a wrong `@derivativeOf` rule, a module whose
 * JVP, gradient or HVP is skewed, a derivative that writes into its argument); kinks at the sample
 * point are resampled, not reported; the CLI exits 1 on a mismatch, 2 on a usage error, and
 * writes nothing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../cli.ts";
import { verify, type VerifyOptions } from "../src/verify/verify.ts";
import { createProject } from "../src/load/load.ts";
import { FIXTURES, fixtureNames, loadConfig } from "./support/generate.ts";

const ROOT = resolve(import.meta.dirname, "..");
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tsad-verify-"));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** f(w, b) = Σ softplus(w_i² − b), with a rule for softplus′ that is off by 1% in the exponent. */
const WRONG_RULE = readFileSync(join(FIXTURES, "user-rule", "input.ts"), "utf8").replace("1 / (1 + Math.exp(-x))", "1 / (1 + Math.exp(-1.01 * x))");

describe("tsad verify passes", () => {
  // One project for every fixture: only what verify asks about is type-checked.
  const project = createProject();
  it.each(fixtureNames())("fixture %s, at its sample arguments and nearby", async (name) => {
    const config = await loadConfig(name);
    const result = await verify({
      files: [join(FIXTURES, name, "input.ts")],
      module: join(FIXTURES, name, "input.grad.ts"),
      fn: [config.fn],
      wrt: config.wrt,
      examples: { [config.fn]: [config.args()] },
      jitter: config.jitter ?? 0.1,
      samples: 3,
      project,
    });
    expect(result.diagnostics).toEqual([]);
    const [report] = result.functions;
    expect(report?.messages).toEqual([]);
    expect(result.ok).toBe(true);
    expect(report!.checked).toBeGreaterThan(0);
  });

  it("every example, generated in memory, at inputs built from the parameter types", async () => {
    const files = ["rosenbrock.ts", "mlp.ts", "sawtooth.ts", "logreg.ts"].map((f) => join(ROOT, "examples", f));
    const result = await verify({ files, samples: 4 });
    expect(result.diagnostics).toEqual([]);
    expect(result.functions.map((f) => [f.name, f.ok, f.messages])).toEqual([
      ["rosenbrock", true, []],
      ["predict", true, []],
      ["loss", true, []],
      ["sawtooth", true, []],
      ["logisticLoss", true, []],
    ]);
    for (const f of result.functions) {
      expect(f.checked, f.name).toBe(4);
      expect(f.inputs).toBe("types");
      expect(f.checks.map((c) => c.check)).toEqual(f.name === "predict" ? ["value", "arguments", "jvp", "vjp"] : ["value", "arguments", "jvp", "vjp", "hvp"]);
    }
  });
});

describe("tsad verify catches", () => {
  it("a wrong @derivativeOf rule: the JVP disagrees with finite differences, exit status 1", async () => {
    const dir = tempProject({ "model.ts": WRONG_RULE });
    const { code, stdout } = await run(["verify", join(dir, "model.ts"), "--fn", "loss", "--samples", "3"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/loss \(.*model\.ts:\d+\): MISMATCH/);
    expect(stdout).toMatch(/JVP against finite differences\s+largest relative error \S+\s+FAILED at 3 of 3 points/);
    expect(stdout).toMatch(/worst input \(jvp\): w = \[.*\], b = /);
    expect(readdirSync(dir)).toEqual(["model.ts"]);
  });

  /** Renames the generated `name` and exports a wrapper that changes its result by `skew`. */
  const skewed = (name: string, skew: string) => (text: string) =>
    `${text.replace(`export function ${name}(`, `function ${name}Original(`)}\nexport function ${name}(...args: any[]) {\n  const result: any = (${name}Original as any)(...args);\n  ${skew};\n  return result;\n}\n`;
  const rosenbrock: VerifyOptions = { files: [join(ROOT, "examples", "rosenbrock.ts")], samples: 2 };
  const failedChecks = async (options: VerifyOptions) => {
    const result = await verify(options);
    return result.functions[0]!.checks.filter((c) => c.failures > 0).map((c) => c.check);
  };

  it("a gradient off in one entry (dot product with the JVP)", async () => {
    // The HVP check compares differences of this gradient with the (right) HVP, so it fails too.
    expect(await failedChecks({ ...rosenbrock, transformModule: skewed("rosenbrockGrad", "result.grad.x[1] *= 1.0001") })).toEqual(["vjp", "hvp"]);
  });

  it("a JVP off by a factor (finite differences, and the dot product)", async () => {
    expect(await failedChecks({ ...rosenbrock, transformModule: skewed("rosenbrockJvp", "result.tangent *= 1.0001") })).toEqual(["jvp", "vjp"]);
  });

  it("an HVP off in one entry (differences of the gradient)", async () => {
    expect(await failedChecks({ ...rosenbrock, transformModule: skewed("rosenbrockHvp", "result.hvp.x[0] += 1e-3") })).toEqual(["hvp"]);
  });

  it("a value that is not the function's, and a derivative that writes into its argument", async () => {
    expect(await failedChecks({ ...rosenbrock, transformModule: skewed("rosenbrockGrad", "result.value += 1e-9") })).toEqual(["value"]);
    expect(await failedChecks({ ...rosenbrock, transformModule: skewed("rosenbrockJvp", "args[0][0] = 0") })).toEqual(["arguments"]);
  });

  it("a committed module that is wrong (--module)", async () => {
    const dir = tempProject({ "model.ts": readFileSync(join(FIXTURES, "user-rule", "input.ts"), "utf8"), "model.grad.ts": readFileSync(join(FIXTURES, "user-rule", "input.grad.ts"), "utf8").replaceAll("./input.js", "./model.js") });
    expect((await run(["verify", join(dir, "model.ts"), "--module", join(dir, "model.grad.ts"), "--samples", "2"])).code).toBe(0);
    // The JVP's tangent of w[i]·w[i] loses one of its two terms.
    writeFileSync(join(dir, "model.grad.ts"), readFileSync(join(dir, "model.grad.ts"), "utf8").replace("const dt7 = t4 * dt4 + t4 * dt4 - db;", "const dt7 = t4 * dt4 - db;"));
    const broken = await run(["verify", join(dir, "model.ts"), "--module", join(dir, "model.grad.ts"), "--samples", "2"]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/MISMATCH/);
  });
});

describe("inputs", () => {
  const KINKED = `/** @example f([0, 0, 0.5]) */
export function f(x: number[]): number {
  let s = Math.max(x[0], x[1]);
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]);
  return s;
}
`;

  it("a sample on a kink is resampled, not reported", async () => {
    const dir = tempProject({ "kinked.ts": KINKED });
    const result = await verify({ files: [join(dir, "kinked.ts")], samples: 3, jitter: 0.25 });
    const report = result.functions[0]!;
    expect(report.inputs).toBe("@example");
    expect(report.ok).toBe(true);
    expect(report.resampled).toBeGreaterThan(0);
    expect(report.checked).toBe(3);
  });

  it("@example tags, an examples module, and counts held at whole numbers", async () => {
    const dir = tempProject({
      "model.ts": `/** @example scale([1, 2, 3], 2) */
export function scale(x: number[], k: number): number {
  return x[k] * x[0] ** 2;
}
export function norm(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.log(x[i]);
  return s;
}
export function sumTo(x: number[], n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return s;
}
`,
      "model.examples.ts": `export const norm = [[[1, 2, 3]], [[0.5, 4]]];\n`,
    });
    const result = await verify({ files: [join(dir, "model.ts")], samples: 4 });
    expect(result.diagnostics).toEqual([]);
    expect(result.functions.map((f) => [f.name, f.inputs, f.ok, f.checked])).toEqual([
      ["scale", "@example", true, 4],
      ["norm", "examples module", true, 4],
      ["sumTo", "types", true, 4],
    ]);
  });

  it("a number passed to a constructor or as the value of .fill is data: it is varied, not held at a whole number", async () => {
    const dir = tempProject({
      "model.ts": `class P {
  constructor(public x: number) {}
}
export function boxed(a: number): number {
  return Math.sin(new P(a).x);
}
export function filled(a: number): number {
  const v = new Array<number>(3).fill(a);
  return Math.sin(v[0]) + v[1] * v[2];
}
`,
    });
    const result = await verify({ files: [join(dir, "model.ts")], samples: 4 });
    expect(result.diagnostics).toEqual([]);
    for (const report of result.functions) {
      expect(report.ok).toBe(true);
      const jvp = report.checks.find((c) => c.check === "jvp")!;
      expect(Number.isInteger((jvp.worst as number[])[0]), `${report.name}'s a`).toBe(false);
    }
  });

  it("an @example that is not data, and an example with the wrong number of arguments, are diagnostics", async () => {
    const dir = tempProject({ "a.ts": `/** @example f(Math.random()) */\nexport function f(x: number): number {\n  return x * x;\n}\n`, "b.ts": `/** @example g(1, 2) */\nexport function g(x: number): number {\n  return x * x;\n}\n` });
    const a = await run(["verify", join(dir, "a.ts")]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/a\.ts:1:\d+ - error TSAD5001: `Math\.random\(\)` in an @example tag is not a literal value/);
    const b = await verify({ files: [join(dir, "b.ts")] });
    expect(b.diagnostics.map((d) => d.code)).toEqual([5002]);
  });
});

describe("the command line", () => {
  it("usage errors exit 2; --help prints the options", async () => {
    expect((await run(["verify"])).code).toBe(2);
    expect((await run(["verify", join(ROOT, "examples", "rosenbrock.ts"), "--samples", "0"])).code).toBe(2);
    expect((await run(["verify", join(ROOT, "examples", "rosenbrock.ts"), "--fn", "nope"])).code).toBe(2);
    const help = await run(["verify", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--samples N/);
  });

  it("the built binary verifies an example and writes nothing", () => {
    const before = readdirSync(join(ROOT, "examples"));
    const result = spawnSync(process.execPath, [join(ROOT, "dist", "cli.js"), "verify", "examples/logreg.ts", "--samples", "2", "--seed", "7"], { cwd: ROOT, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^logisticLoss \(examples\/logreg\.ts:2\): ok, 2 points from the parameter types$/m);
    expect(readdirSync(join(ROOT, "examples"))).toEqual(before);
  });
});
