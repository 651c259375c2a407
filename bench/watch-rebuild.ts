/**
 * How fast `tsad watch` regenerates after a one-line edit (`npm run bench:watch`).
 *
 * Two projects in a temporary folder: examples/mlp.ts, and a generated 300-line module of 20
 * functions that call each other. The watcher builds once (cold), then one line of a helper is
 * edited EDITS times; for each edit we record the rebuild time (refresh the changed file,
 * compile, write: what the watcher reports) and the latency from the write to the new module on
 * disk (that plus the debounce and the file-system notification).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readConfig } from "../src/build/config.ts";
import { watch, type BuildEvent } from "../src/build/watch.ts";

const EDITS = 15;
const ROOT = resolve(import.meta.dirname, "..");

/** A module of `count` helpers, each a dozen lines, chained into one tagged loss (about 15 lines per helper). */
function largeModule(count: number, scale: number): string {
  const helpers = Array.from({ length: count }, (_, k) => `export function layer${k}(x: number[], w: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const a = x[i] * w[i % w.length] + ${k === 0 ? scale : k + 1} * 0.01;
    const b = Math.tanh(a) + 0.5 * Math.sin(a * ${k + 1});
    if (b > 0) {
      out.push(b * b + a);
    } else {
      out.push(Math.exp(b) - 1);
    }
  }
  return out;
}
`);
  const chain = Array.from({ length: count }, (_, k) => `  h = layer${k}(h, w);`).join("\n");
  return `${helpers.join("\n")}
/** @differentiate wrt=w */
export function loss(x: number[], w: number[]): number {
  let h = x;
${chain}
  let s = 0;
  for (const v of h) s += v * v;
  return s;
}
`;
}

async function measure(name: string, setup: (dir: string) => { file: string; edit: (n: number) => string }) {
  const dir = mkdtempSync(join(tmpdir(), "tsad-bench-watch-"));
  mkdirSync(join(dir, "src"));
  const { file, edit } = setup(dir);
  writeFileSync(join(dir, file), edit(0));
  writeFileSync(join(dir, "tsad.config.json"), JSON.stringify({ inputs: [file] }));
  let resolveNext: ((e: BuildEvent) => void) | undefined;
  const next = () => new Promise<BuildEvent>((r) => (resolveNext = r));
  let pending = next();
  const watcher = watch(readConfig(join(dir, "tsad.config.json"))!, { io: { stdout: () => {}, stderr: () => {} }, cwd: dir, onBuild: (e) => resolveNext?.(e) });
  const cold = await pending;
  await watcher.ready;
  const rebuild: number[] = [];
  const latency: number[] = [];
  for (let n = 1; n <= EDITS; n++) {
    pending = next();
    const started = performance.now();
    writeFileSync(join(dir, file), edit(n));
    const event = await pending;
    if (!event.ok || event.wrote.length !== 1) throw new Error(`edit ${n} did not rebuild: ${JSON.stringify(event.diagnostics)}`);
    latency.push(performance.now() - started);
    rebuild.push(event.ms);
  }
  await watcher.close();
  rmSync(dir, { recursive: true, force: true });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const lines = edit(0).split("\n").length;
  console.log(`| ${name} | ${lines} | ${cold.ms.toFixed(0)} | ${median(rebuild).toFixed(0)} (${Math.min(...rebuild).toFixed(0)}–${Math.max(...rebuild).toFixed(0)}) | ${median(latency).toFixed(0)} |`);
}

console.log(`| module | lines | first build (ms) | rebuild after a one-line edit, median (min–max) ms | edit → module written, median ms |`);
console.log(`| --- | --- | --- | --- | --- |`);
const MLP = readFileSync(join(ROOT, "examples/mlp.ts"), "utf8");
await measure("examples/mlp.ts (loss)", () => ({
  file: "src/mlp.ts",
  edit: (n) => MLP.replace("@differentiate", "").replace("export function loss(", "/** @differentiate wrt=layers */\nexport function loss(").replace("return total / xs.length;", `return total / xs.length + ${n} * 1e-9;`),
}));
await measure("generated: 20 functions", () => ({ file: "src/large.ts", edit: (n) => largeModule(20, n) }));
