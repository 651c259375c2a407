/**
 * The command line as a new user meets it: JavaScript output, import specifiers kept as written,
 * mistakes answered with a usable message (unknown options and names with the closest
 * candidates, clashing outputs, a config whose inputs match nothing, a tag with two mistakes),
 * the default `--wrt` and what `explain` says about it, `--help` without loading the compiler,
 * and `tsad watch` ending when it is told to or when its parent is gone.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../cli.ts";

const ROOT = resolve(import.meta.dirname, "..");
const BINARY = join(ROOT, "dist", "cli.js");

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tsad-usage-"));
  temps.push(dir);
  return dir;
}

async function run(argv: string[], cwd?: string): Promise<{ exit: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO & { cwd?: string } = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd };
  const exit = await main(argv, io);
  return { exit, stdout, stderr };
}

/** softplus comes from `./special.js` (as NodeNext projects write it); its rule is in the model. */
function projectWithRule(): string {
  const dir = tempDir();
  writeFileSync(join(dir, "special.ts"), "export function softplus(x: number): number {\n  return Math.log1p(Math.exp(x));\n}\n");
  writeFileSync(
    join(dir, "model.ts"),
    `import { softplus } from "./special.js";

/** @derivativeOf softplus */
export function softplusDerivative(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function loss(w: number[]): number {
  let total = 0;
  for (let i = 0; i < w.length; i++) total += softplus(2 * w[i]);
  return total;
}
`,
  );
  return dir;
}

describe("output formats and import specifiers", () => {
  it("keeps the user's import specifier as written (`./special.js`), beside the input and in --out", async () => {
    const dir = projectWithRule();
    const beside = await run([join(dir, "model.ts"), "--fn", "loss", "--stdout"]);
    expect(beside.exit, beside.stderr).toBe(0);
    expect(beside.stdout).toContain('import { softplus } from "./special.js";');
    const elsewhere = await run([join(dir, "model.ts"), "--fn", "loss", "--out", join(dir, "generated")]);
    expect(elsewhere.exit, elsewhere.stderr).toBe(0);
    expect(readFileSync(join(dir, "generated", "model.grad.ts"), "utf8")).toContain('import { softplus } from "../special.js";');
  });

  it("--format js writes <name>.grad.js and <name>.grad.d.ts; --format both writes .grad.ts and .grad.js", async () => {
    const dir = projectWithRule();
    const js = await run([join(dir, "model.ts"), "--fn", "loss", "--format", "js"]);
    expect(js.exit, js.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["model.grad.d.ts", "model.grad.js", "model.ts", "special.ts"]);
    const code = readFileSync(join(dir, "model.grad.js"), "utf8");
    expect(code).toContain('import { softplus } from "./special.js";');
    expect(code).toMatch(/export function lossGrad\(w\) \{/);
    expect(code).not.toMatch(/: number/);
    expect(readFileSync(join(dir, "model.grad.d.ts"), "utf8")).toMatch(/export declare function lossGrad\(w: number\[\]\): \{/);
    expect(code.split("\n")[1]).toContain("--format js");

    const both = await run([join(dir, "model.ts"), "--fn", "loss", "--format", "both", "--out", join(dir, "both")]);
    expect(both.exit, both.stderr).toBe(0);
    expect(readdirSync(join(dir, "both")).sort()).toEqual(["model.grad.js", "model.grad.ts"]);
  });

  it("an unknown --format is a usage error", async () => {
    const result = await run(["model.ts", "--format", "mjs"]);
    expect(result.exit).toBe(2);
    expect(result.stderr).toContain("unknown --format `mjs` (choose from ts, js, both)");
  });
});

describe("mistakes", () => {
  it("an unknown option is named with balanced quotes and the closest option", async () => {
    const result = await run(["model.ts", "--fnn", "f"]);
    expect(result.exit).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("tsad: error: unknown option `--fnn` (did you mean `--fn`?)");
    const explain = await run(["explain", "model.ts", "--sizes", "n=3"]);
    expect(explain.stderr).toContain("unknown option `--sizes` (did you mean `--size`?)");
  });

  it("--fn with a typo lists the closest functions", async () => {
    const dir = projectWithRule();
    const result = await run([join(dir, "model.ts"), "--fn", "los"]);
    expect(result.exit).toBe(2);
    expect(result.stderr).toContain("no function named `los`");
    expect(result.stderr).toContain("(did you mean `loss`?)");
  });

  it("two inputs with the same file name and one --out: a usage error naming both, nothing written", async () => {
    const dir = tempDir();
    for (const sub of ["a", "b"]) {
      mkdirSync(join(dir, sub));
      writeFileSync(join(dir, sub, "model.ts"), "export function f(x: number): number {\n  return x * x;\n}\n");
    }
    const result = await run([join(dir, "a", "model.ts"), join(dir, "b", "model.ts"), "--out", join(dir, "out")]);
    expect(result.exit).toBe(2);
    expect(result.stderr).toContain(join(dir, "a", "model.ts"));
    expect(result.stderr).toContain(join(dir, "b", "model.ts"));
    expect(result.stderr).toContain("would both be written to");
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("a @differentiate tag with two mistakes reports both, each at its word", async () => {
    const dir = tempDir();
    const input = join(dir, "model.ts");
    writeFileSync(input, "/**\n * @differentiate wrt=w,q emit=grad,hvq\n */\nexport function f(w: number[], b: number): number {\n  return w[0] * b;\n}\n");
    const result = await run([input]);
    expect(result.exit).toBe(1);
    expect(result.stderr).toContain("model.ts:2:19 - error TSAD4002: `q` in `wrt=` is not a parameter of `f`");
    expect(result.stderr).toContain("model.ts:2:27 - error TSAD4003: `hvq` is not something tsad can emit");
    expect(result.stderr).toContain("2 errors");
  });

  it("`tsad build` whose inputs match no file fails with a message", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tsad.config.json"), JSON.stringify({ inputs: ["src/**/*.ts"] }));
    const result = await run(["build"], dir);
    expect(result.exit).toBe(2);
    expect(result.stderr).toContain('the "inputs" of tsad.config.json (src/**/*.ts) match no file');
  });
});

describe("the default --wrt", () => {
  const LABELS = `export function nll(w: number[], labels: number[], x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += w[labels[i]] * x[i];
  return s;
}
`;

  it("leaves out a parameter used only as indices, and explain says so", async () => {
    const dir = tempDir();
    const input = join(dir, "labels.ts");
    writeFileSync(input, LABELS);
    const compiled = await run([input, "--stdout"]);
    expect(compiled.exit, compiled.stderr).toBe(0);
    expect(compiled.stdout).toMatch(/return \{ value, grad: \{ w: wBar, x: xBar \} \};/);
    expect(compiled.stdout).not.toContain("labelsBar");
    const explained = await run(["explain", input]);
    expect(explained.exit, explained.stderr).toBe(0);
    expect(explained.stdout).toContain("with respect to w, x");
    expect(explained.stdout).toContain("left out: labels (no derivative can flow from it to the result");
    expect(explained.stdout).toMatch(/outputs +1 number\n/);
  });

  it("explain --size with a name no count uses is an error that lists the sizes", async () => {
    const dir = tempDir();
    const input = join(dir, "labels.ts");
    writeFileSync(input, LABELS);
    const result = await run(["explain", input, "--size", "x.lenght=3"]);
    expect(result.exit).toBe(2);
    expect(result.stderr).toContain("no count depends on `x.lenght` (did you mean `x.length`?)");
  });
});

describe("the built binary", () => {
  /** Reports, on exit, whether the compiler's packages were loaded. */
  const PROBE = `process.on("exit", () => process.stderr.write("loaded:" + Object.keys(require.cache).filter((p) => /[\\\\/](ts-morph|typescript|prettier)[\\\\/]/.test(p)).length + "\\n"));`;

  it("answers --help and --version without loading the compiler", () => {
    expect(existsSync(BINARY), "dist/cli.js: run `npm run build` first").toBe(true);
    const dir = tempDir();
    writeFileSync(join(dir, "probe.cjs"), PROBE);
    for (const flag of ["--help", "--version"]) {
      const result = spawnSync(process.execPath, ["-r", join(dir, "probe.cjs"), BINARY, flag], { encoding: "utf8" });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toContain("loaded:0");
    }
  });

  it("`tsad watch` ends on SIGTERM, and when the process that started it is gone", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tsad.config.json"), JSON.stringify({ inputs: ["*.ts"] }));
    writeFileSync(join(dir, "m.ts"), "/** @differentiate */\nexport function f(x: number): number {\n  return x * x;\n}\n");
    const started = (child: ReturnType<typeof spawn>) =>
      new Promise<void>((resolve, reject) => {
        let seen = "";
        const timer = setTimeout(() => reject(new Error(`watch did not start: ${seen}`)), 30_000);
        child.stderr!.on("data", (d: Buffer) => {
          seen += d.toString();
          if (seen.includes("watching")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    const exited = (pid: number) =>
      new Promise<boolean>((resolve) => {
        const deadline = Date.now() + 10_000;
        const poll = setInterval(() => {
          let alive = true;
          try {
            process.kill(pid, 0);
          } catch {
            alive = false;
          }
          if (!alive || Date.now() > deadline) {
            clearInterval(poll);
            resolve(!alive);
          }
        }, 100);
      });

    const direct = spawn(process.execPath, [BINARY, "watch"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    await started(direct);
    const code = new Promise<number | null>((resolve) => direct.on("exit", (c) => resolve(c)));
    direct.kill("SIGTERM");
    expect(await code).toBe(0);

    // As under npx: a parent that starts the watcher, then dies without passing the signal on.
    const parent = spawn(process.execPath, ["-e", `const c = require("node:child_process").spawn(process.execPath, [${JSON.stringify(BINARY)}, "watch"], { stdio: ["ignore", "ignore", "inherit"] }); console.log(c.pid);`], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const pid = await new Promise<number>((resolve) => parent.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
    await started(parent);
    parent.kill("SIGKILL");
    const gone = await exited(pid);
    if (!gone) process.kill(pid, "SIGKILL");
    expect(gone).toBe(true);
  }, 60_000);
});
