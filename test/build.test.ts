/**
 * Build-time entry points: the configuration file (tsad.config.json or package.json "tsad"),
 * `@differentiate` tags and how command-line flags override them, `tsad build` and
 * `tsad build --check` (missing, stale, fresh → exit status; nothing written when checking), and
 * `compile` from source text.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../cli.ts";
import { findConfig } from "../src/build/config.ts";
import { DiagnosticError } from "../src/diagnostics/diagnostic.ts";
import { compile } from "../src/pipeline.ts";
import { importGenerated } from "./support/generate.ts";

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tsad-build-"));
  temps.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function run(argv: string[], cwd: string): Promise<{ exit: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO & { cwd: string } = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd };
  const exit = await main(argv, io);
  return { exit, stdout, stderr };
}

/** Every file under `dir` with its modification time, to prove that nothing was written. */
function snapshot(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else found.set(path, `${statSync(path).mtimeMs}:${readFileSync(path, "utf8")}`);
    }
  };
  walk(dir);
  return found;
}

/** f(w, b; x) = Σ (w·xᵢ + b − yᵢ)²: ∂/∂w = Σ 2rᵢxᵢ, ∂/∂b = Σ 2rᵢ. */
const MODEL = `import { square } from "./util.ts";

/** @differentiate wrt=w,b emit=grad,jvp */
export function fit(w: number, b: number, xs: number[], ys: number[]): number {
  let total = 0;
  for (let i = 0; i < xs.length; i++) total += square(w * xs[i] + b - ys[i]);
  return total;
}

export function untagged(a: number): number {
  return a * a;
}
`;
const UTIL = `export function square(v: number): number {
  return v * v;
}
`;
const xs = [0.5, -1, 2];
const ys = [1, 0.3, -0.7];
function closedForm(w: number, b: number) {
  const r = xs.map((x, i) => w * x + b - ys[i]!);
  return { w: r.reduce((s, ri, i) => s + 2 * ri * xs[i]!, 0), b: r.reduce((s, ri) => s + 2 * ri, 0) };
}

describe("the configuration file", () => {
  it("is found in tsad.config.json or package.json, in the folder or above", () => {
    const dir = project({ "tsad.config.json": `{ "inputs": ["src/**/*.ts"], "out": "gen", "emit": "grad,jvp", "rules": ["src/rules.ts"] }`, "src/rules.ts": "", "src/deep/x.ts": "" });
    const config = findConfig(join(dir, "src", "deep"))!;
    expect(config.file).toBe(join(dir, "tsad.config.json"));
    expect(config).toMatchObject({ root: dir, inputs: ["src/**/*.ts"], out: join(dir, "gen"), emit: ["grad", "jvp"], rules: [join(dir, "src/rules.ts")] });

    const pkg = project({ "package.json": JSON.stringify({ name: "app", tsad: { inputs: ["lib/*.ts"] } }, null, 2) });
    expect(findConfig(pkg)).toMatchObject({ file: join(pkg, "package.json"), inputs: ["lib/*.ts"] });
    const none = project({ "package.json": `{ "name": "app" }` });
    expect(findConfig(none)).toBeUndefined();
  });

  it("reports each mistake at its line and column", () => {
    const cases: [string, string, number, number, number, RegExp][] = [
      ["tsad.config.json", `{\n  "inputs": ["src/*.ts"],\n  "emitt": ["grad"]\n}\n`, 4010, 3, 3, /unknown key "emitt"/],
      ["tsad.config.json", `{\n  "inputs": ["src/*.ts"],\n  "emit": ["grad", "gradient"]\n}\n`, 4003, 3, 11, /`gradient` is not something tsad can emit/],
      ["tsad.config.json", `{\n  "inputs": "src/*.ts",\n  "out": 3\n}\n`, 4010, 3, 10, /"out" must be a string/],
      ["tsad.config.json", `{\n  "inputs": ["src/*.ts"]\n  "out": "gen"\n}\n`, 4010, 3, 3, /not valid JSON: ',' expected/],
      ["tsad.config.json", `{\n  "emit": ["grad"]\n}\n`, 4010, 1, 1, /names no "inputs"/],
      ["tsad.config.json", `{\n  "inputs": ["src/*.ts"],\n  "rules": ["missing.ts"]\n}\n`, 4010, 3, 13, /the rules module missing.ts does not exist/],
      ["package.json", `{\n  "name": "app",\n  "tsad": ["src/*.ts"]\n}\n`, 4010, 3, 11, /must hold an object/],
    ];
    for (const [name, text, code, line, column, message] of cases) {
      const dir = project({ [name]: text });
      let error: unknown;
      try {
        findConfig(dir);
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(DiagnosticError);
      const [d] = (error as DiagnosticError).diagnostics;
      expect([d!.code, d!.at?.file, d!.at?.line, d!.at?.column], text).toEqual([code, join(dir, name), line, column]);
      expect(d!.message).toMatch(message);
    }
  });

  it("prints configuration errors with a code frame and exits 2", async () => {
    const dir = project({ "tsad.config.json": `{\n  "inputs": ["src/*.ts"],\n  "emitt": ["grad"]\n}\n` });
    const { exit, stderr } = await run(["build"], dir);
    expect(exit).toBe(2);
    expect(stderr).toContain('tsad.config.json:3:3 - error TSAD4010: unknown key "emitt"');
    expect(stderr).toContain('> 3 |   "emitt": ["grad"]');
    expect((await run(["build"], project({ "a.ts": "" }))).exit).toBe(2);
  });
});

describe("@differentiate tags", () => {
  it("choose the functions, their wrt and emit; command-line flags override them", async () => {
    const source = { path: "/tags/model.ts", text: MODEL.replace(`import { square } from "./util.ts";`, "const square = (v: number): number => v * v;") };
    const tagged = await compile({ files: [source] });
    expect(tagged.diagnostics).toEqual([]);
    const text = tagged.modules[0]!.text;
    expect(text).toMatch(/export function fitGrad\(/);
    expect(text).toMatch(/export function fitJvp\(/);
    expect(text).not.toMatch(/untaggedGrad/);
    const m = await importGenerated("tags", text);
    const { grad } = (m.fitGrad as Function)(0.8, -0.2, xs, ys);
    expect(Object.keys(grad)).toEqual(["w", "b"]);
    const expected = closedForm(0.8, -0.2);
    expect(grad.w).toBeCloseTo(expected.w, 12);
    expect(grad.b).toBeCloseTo(expected.b, 12);

    // Flags win over the tag: another function, other parameters, other kinds.
    const flagged = await compile({ files: [source], fn: ["fit"], wrt: ["b"], emit: ["vjp"] });
    expect(flagged.modules[0]!.text).toMatch(/export function fitVjp\(/);
    expect(flagged.modules[0]!.text).not.toMatch(/fitGrad|fitJvp/);
    const other = await compile({ files: [source], fn: ["untagged"] });
    expect(other.modules[0]!.text).toMatch(/export function untaggedGrad\(/);
    // A config's default kinds apply only where the tag names none.
    const untaggedDefault = await compile({ files: [{ path: "/tags/plain.ts", text: "/** @differentiate */\nexport function g(x: number): number { return x * x; }\n" }], defaultEmit: ["jvp"] });
    expect(untaggedDefault.modules[0]!.text).toMatch(/export function gJvp\(/);
  });

  it("are honoured by `tsad file.ts`, and its flags override them", async () => {
    const dir = project({ "model.ts": MODEL, "util.ts": UTIL });
    const tagged = await run([join(dir, "model.ts"), "--stdout"], dir);
    expect(tagged.exit).toBe(0);
    expect(tagged.stdout).toMatch(/export function fitGrad\(/);
    expect(tagged.stdout).toMatch(/export function fitJvp\(/);
    expect(tagged.stdout).not.toMatch(/untagged/);
    const flagged = await run([join(dir, "model.ts"), "--stdout", "--emit", "vjp", "--wrt", "w"], dir);
    expect(flagged.stdout).toMatch(/export function fitVjp\(/);
    expect(flagged.stdout).not.toMatch(/fitGrad|fitJvp|bBar/);
  });

  it("report a malformed tag at the tag", async () => {
    const cases: [string, number, string][] = [
      ["/** @differentiate wrt=q */", 4002, "`q` in `wrt=` is not a parameter of `f`"],
      ["/** @differentiate emit=grad,gradient */", 4003, "`gradient` is not something tsad can emit"],
      ["/** @differentiate wrt */", 4001, "`wrt` is not an option of @differentiate"],
      ["/** @differentiate\n * wrt=x\n * @differentiate emit=grad */", 4004, "`f` has more than one @differentiate tag"],
    ];
    for (const [tag, code, message] of cases) {
      const text = `\n${tag}\nexport function f(x: number): number { return x * x; }\n`;
      const result = await compile({ files: [{ path: "/tags/bad.ts", text }] });
      expect(result.diagnostics.map((d) => [d.code, d.message, d.at?.line])).toEqual([[code, message, tag.includes("\n") ? 4 : 2]]);
    }
  });
});

describe("compile from source text", () => {
  it("resolves imports between the texts given", async () => {
    const result = await compile({
      files: [{ path: "/text/model.ts", text: MODEL }, { path: "/text/util.ts", text: UTIL }],
      fn: ["fit"],
      emit: ["grad"],
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.modules.map((m) => m.path)).toEqual(["/text/model.grad.ts"]);
    const m = await importGenerated("text", result.modules[0]!.text);
    const { grad } = (m.fitGrad as Function)(0.3, 0.4, xs, ys);
    const expected = closedForm(0.3, 0.4);
    expect(grad.w).toBeCloseTo(expected.w, 12);
  });
});

describe("tsad build", () => {
  it("writes every target, then --check passes; a stale or missing module fails --check without writing", async () => {
    const dir = project({
      "tsad.config.json": `{ "inputs": ["src/**/*.ts"], "out": "generated" }`,
      "src/model.ts": MODEL,
      "src/util.ts": UTIL,
      "src/nested/other.ts": `/** @differentiate */\nexport function cube(x: number): number { return x * x * x; }\n`,
      "src/main.ts": `console.log("not differentiated: no tag");\n`,
    });
    const output = join(dir, "generated", "model.grad.ts");
    const nested = join(dir, "generated", "nested", "other.grad.ts");

    let before = snapshot(dir);
    let result = await run(["build", "--check"], dir);
    expect(result.exit).toBe(1);
    expect(result.stderr).toContain(`missing: generated/model.grad.ts (from src/model.ts)`);
    expect(snapshot(dir)).toEqual(before);

    result = await run(["build"], dir);
    expect(result.exit).toBe(0);
    expect(result.stderr).toContain("wrote generated/model.grad.ts");
    expect(existsSync(nested)).toBe(true);
    expect(readdirSync(join(dir, "generated")).sort()).toEqual(["model.grad.ts", "nested"]);
    expect(readFileSync(output, "utf8")).toMatch(/^\/\/ Generated by tsad from model\.ts\. Do not edit: regenerate with\n\/\/   tsad build\n/);
    const m = await importGenerated("build", readFileSync(output, "utf8"));
    const expected = closedForm(1.1, 0.1);
    expect((m.fitGrad as Function)(1.1, 0.1, xs, ys).grad.w).toBeCloseTo(expected.w, 12);

    result = await run(["build", "--check"], dir);
    expect(result.exit).toBe(0);
    expect(result.stderr).toContain("2 generated modules are up to date");

    // An edit to an imported file makes the module stale.
    writeFileSync(join(dir, "src/util.ts"), UTIL.replace("v * v", "v * v * 0.5"));
    before = snapshot(dir);
    result = await run(["build", "--check"], dir);
    expect(result.exit).toBe(1);
    expect(result.stderr).toContain("stale: generated/model.grad.ts");
    expect(result.stderr).not.toContain("nested");
    expect(snapshot(dir)).toEqual(before);

    // A second build writes only what changed.
    const nestedTime = statSync(nested).mtimeMs;
    result = await run(["build"], dir);
    expect(result.exit).toBe(0);
    expect(result.stderr).toContain("1 module was already up to date");
    expect(statSync(nested).mtimeMs).toBe(nestedTime);
  });

  it("writes nothing when a source cannot be differentiated, and exits 1", async () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "app", tsad: { inputs: ["src/*.ts"] } }),
      "src/model.ts": MODEL,
      "src/util.ts": UTIL,
    });
    expect((await run(["build"], dir)).exit).toBe(0);
    writeFileSync(join(dir, "src/util.ts"), `export function square(v: number): number {\n  try {\n    return v * v;\n  } catch {\n    return 0;\n  }\n}\n`);
    const before = snapshot(dir);
    for (const argv of [["build"], ["build", "--check"]]) {
      const result = await run(argv, dir);
      expect(result.exit).toBe(1);
      expect(result.stderr).toContain("src/util.ts:2:3 - error TSAD2005");
      expect(snapshot(dir)).toEqual(before);
    }
  });

  it("uses the rules modules the configuration names", async () => {
    const dir = project({
      "tsad.config.json": `{ "inputs": ["src/*.ts"], "rules": ["rules/special.ts"] }`,
      "node_modules/special/package.json": JSON.stringify({ name: "special", type: "module", main: "index.js", types: "index.d.ts" }),
      "node_modules/special/index.js": "export function cosh(x) { return (Math.exp(x) + Math.exp(-x)) / 2; }\n",
      "node_modules/special/index.d.ts": "export declare function cosh(x: number): number;\n",
      "rules/special.ts": `import { cosh } from "special";\n\n/** @derivativeOf cosh */\nexport function sinh(x: number): number {\n  return (Math.exp(x) - Math.exp(-x)) / 2;\n}\n`,
      "src/model.ts": `import { cosh } from "special";\n\n/** @differentiate emit=grad */\nexport function chain(x: number[]): number {\n  let s = 0;\n  for (const v of x) s += cosh(v * v);\n  return s;\n}\n`,
    });
    const result = await run(["build"], dir);
    expect(result.stderr).toContain("wrote src/model.grad.ts");
    const text = readFileSync(join(dir, "src/model.grad.ts"), "utf8");
    expect(text).toContain('import { cosh } from "special";');
    writeFileSync(join(dir, "src/check.grad.ts"), text);
    const { chainGrad } = await import(join(dir, "src/check.grad.ts"));
    const x = [0.4, -1.3];
    // d/dx cosh(x²) = 2x·sinh(x²)
    const grad = chainGrad(x).grad.x as number[];
    x.forEach((v, i) => expect(grad[i]).toBeCloseTo(2 * v * Math.sinh(v * v), 12));
  });
});
