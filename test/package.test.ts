/**
 * tsad as a package: what `npm pack` puts in the tarball, and the tarball installed into a new
 * project, used there as a user would (the CLI with `--format js`, the result run by plain
 * `node`, its gradient checked against finite differences). The slow test of the suite: it
 * installs from npm's local cache where it can (`--prefer-offline`).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

/** The environment of a child npm: none of the npm_* settings of the npm running the tests. */
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync("npm", args, { cwd, env, encoding: "utf8", timeout: 120_000 });
}

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** The source modules that dist/ must carry (every module under src/, and the CLI). */
function sourceModules(dir = join(ROOT, "src"), prefix = "src/"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceModules(join(dir, e.name), `${prefix}${e.name}/`) : e.name.endsWith(".ts") ? [`${prefix}${e.name}`] : []));
}

describe("the npm package", () => {
  it("packs dist/ (the CLI, every module, its declarations), README, LICENSE and package.json, and nothing else", () => {
    // dist/ is built by `npm test` (and by prepare before a real pack); do not rebuild it here.
    const packed = npm(["pack", "--dry-run", "--json", "--ignore-scripts"], ROOT);
    expect(packed.status, packed.stderr).toBe(0);
    const files: string[] = JSON.parse(packed.stdout)[0].files.map((f: { path: string }) => f.path).sort();
    const expected = ["LICENSE", "README.md", "package.json", "dist/cli.js", ...sourceModules().flatMap((m) => [`dist/${m.replace(/\.ts$/, ".js")}`, `dist/${m.replace(/\.ts$/, ".d.ts")}`])].sort();
    expect(files).toEqual(expected);
  });

  it("installs from its tarball into a new project, whose `tsad --format js` output runs under plain node", { timeout: 180_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), "tsad-package-"));
    temps.push(work);
    const pack = npm(["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT);
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = join(work, JSON.parse(pack.stdout)[0].filename);

    const project = join(work, "project");
    spawnSync("mkdir", [project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-tsad", version: "1.0.0", private: true, type: "module" }));
    const install = npm(["install", "--save-dev", "--prefer-offline", "--no-audit", "--no-fund", tarball], project);
    expect(install.status, install.stderr).toBe(0);

    // f(w, b) = Σ log(1 + exp(w_i·x_i + b)) + ½‖w‖²
    writeFileSync(
      join(project, "model.ts"),
      `export function loss(w: number[], x: number[], b: number): number {
  let total = 0;
  for (let i = 0; i < w.length; i++) total += Math.log(1 + Math.exp(w[i] * x[i] + b));
  let norm = 0;
  for (const wi of w) norm += wi * wi;
  return total + 0.5 * norm;
}
`,
    );
    const tsad = spawnSync(join(project, "node_modules", ".bin", "tsad"), ["model.ts", "--wrt", "w,b", "--format", "js"], { cwd: project, encoding: "utf8" });
    expect(tsad.status, tsad.stderr).toBe(0);
    expect(existsSync(join(project, "model.grad.js"))).toBe(true);
    expect(readFileSync(join(project, "model.grad.d.ts"), "utf8")).toMatch(/export declare function lossGrad\(\s*w: number\[\],\s*x: number\[\],\s*b: number,?\s*\)/);

    // Plain node: no TypeScript loader. The reference is the loss, written here, and central differences.
    writeFileSync(
      join(project, "check.mjs"),
      `import { lossGrad } from "./model.grad.js";
const loss = (w, x, b) => w.reduce((s, wi, i) => s + Math.log(1 + Math.exp(wi * x[i] + b)), 0) + 0.5 * w.reduce((s, wi) => s + wi * wi, 0);
const w = [0.3, -1.2, 0.8], x = [1.5, 0.4, -2.0], b = 0.25, h = 1e-6;
const { value, grad } = lossGrad(w, x, b);
const errors = [Math.abs(value - loss(w, x, b))];
for (let i = 0; i < w.length; i++) {
  const up = w.slice(), down = w.slice();
  up[i] += h; down[i] -= h;
  errors.push(Math.abs(grad.w[i] - (loss(up, x, b) - loss(down, x, b)) / (2 * h)));
}
errors.push(Math.abs(grad.b - (loss(w, x, b + h) - loss(w, x, b - h)) / (2 * h)));
console.log(JSON.stringify({ errors, keys: Object.keys(grad) }));
`,
    );
    const run = spawnSync(process.execPath, ["check.mjs"], { cwd: project, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const { errors, keys } = JSON.parse(run.stdout) as { errors: number[]; keys: string[] };
    expect(keys.sort()).toEqual(["b", "w"]);
    for (const e of errors) expect(e).toBeLessThan(1e-6);
  });
});
