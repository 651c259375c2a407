/**
 * `npm run bench:cli`: how long the built command takes, as a build step sees it.
 *
 *   --version            the command alone (no compiler loaded)
 *   compile, cold        `tsad examples/logreg.ts` in a fresh process with an empty code cache
 *   compile, warm        the same with the code cache a previous run left
 *
 * Each is run RUNS times in a new process; wall time and the child's CPU time (user + sys, from
 * /usr/bin/time when present) are reported as median and mean. On a shared machine, CPU time is
 * the steadier figure.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const BINARY = join(ROOT, "dist", "cli.js");
const RUNS = Number(process.env.RUNS ?? 7);
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

if (!existsSync(BINARY)) throw new Error("run `npm run build` first");
const work = mkdtempSync(join(tmpdir(), "tsad-bench-cli-"));
copyFileSync(join(ROOT, "examples", "logreg.ts"), join(work, "logreg.ts"));
const cache = join(work, "cache");

function once(args: string[], env: Record<string, string>): { wall: number; cpu?: number } {
  const report = join(work, "time.txt");
  const command = TIME ? [TIME, ["-f", "%U %S", "-o", report, process.execPath, BINARY, ...args]] : [process.execPath, [BINARY, ...args]];
  const start = process.hrtime.bigint();
  const result = spawnSync(command[0] as string, command[1] as string[], { cwd: work, env: { ...process.env, ...env }, encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`tsad ${args.join(" ")} failed:\n${result.stderr}`);
  const cpu = TIME ? readFileSync(report, "utf8").trim().split(/\s+/).slice(-2).map(Number).reduce((a, b) => a + b, 0) * 1000 : undefined;
  return { wall, cpu };
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `median ${median.toFixed(0).padStart(5)} ms, mean ${mean.toFixed(0).padStart(5)} ms`;
}

function measure(name: string, args: string[], before: () => void, env: Record<string, string> = {}): void {
  const runs = Array.from({ length: RUNS }, () => {
    before();
    return once(args, env);
  });
  const cpu = runs.every((r) => r.cpu !== undefined) ? `   cpu ${stats(runs.map((r) => r.cpu!))}` : "";
  console.log(`${name.padEnd(18)} wall ${stats(runs.map((r) => r.wall))}${cpu}`);
}

console.log(`tsad CLI, ${RUNS} runs each (node ${process.version})`);
measure("--version", ["--version"], () => {});
measure("compile, cold", ["logreg.ts"], () => rmSync(cache, { recursive: true, force: true }), { TSAD_CACHE_DIR: cache });
once(["logreg.ts"], { TSAD_CACHE_DIR: cache });
measure("compile, warm", ["logreg.ts"], () => {}, { TSAD_CACHE_DIR: cache });
measure("compile, no cache", ["logreg.ts"], () => {}, { TSAD_NO_CACHE: "1" });
rmSync(work, { recursive: true, force: true });
