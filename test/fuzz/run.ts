/**
 * The random-program fuzzer's command line:
 *
 *   npx tsx test/fuzz/run.ts --count N --seed S      run programs S/0 … S/N-1
 *   npx tsx test/fuzz/run.ts --seed S --start I --count 1 --print   print program S/I
 *   npx tsx test/fuzz/run.ts --file F.ts             check one saved program (its `// args:` line)
 *
 * A saved program's first lines say what to check: `// args: [...]` and optionally `// wrt: a,b`.
 *
 * Options: --start I (first program index), --points P (evaluation points per program),
 * --no-shrink, --shrink-per-signature K (shrink only the first K failures of each kind; default 3),
 * --shrink-checks C (budget per failure), --show-module (print the generated module with --file),
 * --hvp (also generate and check Hessian-vector products of scalar outputs),
 * --no-inline (keep calls as calls instead of inlining small callees),
 * --total T (statements per program, about; default 24),
 * --avoid F,G (generator features to leave out, to look past a known bug: see GenOptions.avoid),
 * --ignore SIG,… (count failures whose signature starts with one of these, but neither shrink nor
 * print them).
 *
 * Each failure is shrunk to a small program that fails the same check, printed with the command
 * that reproduces it, and written to .tsad-tmp/fuzz/ (`s<seed>-<index>.ts`, and `.orig.ts` for the
 * program as generated). Exit status 1 when anything failed.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { checkProgram, lastModule, type Outcome } from "./check.ts";
import { DEFAULT_OPTIONS, generateProgram, programSeed } from "./generate.ts";
import { printProgram, type Program } from "./program.ts";
import { shrink } from "./shrink.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const OUT = resolve(ROOT, ".tsad-tmp/fuzz");

interface Options {
  count: number;
  seed: number;
  start: number;
  points: number;
  shrink: boolean;
  perSignature: number;
  shrinkChecks: number;
  file?: string;
  print: boolean;
  showModule: boolean;
  avoid: string[];
  ignore: string[];
  /** Statements per program, about (GenOptions.maxTotal). */
  total: number;
  /** Check Hessian-vector products too (scalar outputs). */
  hvp: boolean;
  /** false: keep calls as calls (`--no-inline`). */
  inline: boolean;
  /** The chance that a loop is tagged `@checkpoint` (`--checkpoint P`). */
  checkpoint: number;
}

function parse(argv: string[]): Options {
  const o: Options = { count: 100, seed: 1, start: 0, points: 3, shrink: true, perSignature: 3, shrinkChecks: 1500, print: false, showModule: false, avoid: [], ignore: [], total: DEFAULT_OPTIONS.maxTotal, hvp: false, inline: true, checkpoint: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--count") o.count = Number(next());
    else if (a === "--seed") o.seed = Number(next());
    else if (a === "--start") o.start = Number(next());
    else if (a === "--points") o.points = Number(next());
    else if (a === "--no-shrink") o.shrink = false;
    else if (a === "--shrink-per-signature") o.perSignature = Number(next());
    else if (a === "--shrink-checks") o.shrinkChecks = Number(next());
    else if (a === "--file") o.file = next();
    else if (a === "--print") o.print = true;
    else if (a === "--show-module") o.showModule = true;
    else if (a === "--avoid") o.avoid = next().split(",");
    else if (a === "--ignore") o.ignore = next().split(",");
    else if (a === "--total") o.total = Number(next());
    else if (a === "--hvp") o.hvp = true;
    else if (a === "--no-inline") o.inline = false;
    else if (a === "--checkpoint") o.checkpoint = Number(next());
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** The program as a file: a header saying what fails and how to reproduce it, then the source. */
export function programFile(p: Program, outcome: Outcome | undefined, reproduce: string): string {
  const lines = [`// tsad fuzz: ${outcome?.status === "fail" ? `${outcome.failure.check}` : (outcome?.status ?? "")}`];
  if (outcome?.status === "fail") for (const l of outcome.failure.message.split("\n").slice(0, 8)) lines.push(`//   ${l}`);
  lines.push(`// args: ${JSON.stringify(p.args)}`);
  if (p.wrt) lines.push(`// wrt: ${p.wrt.join(",")}`);
  lines.push(`// reproduce: ${reproduce}`, "");
  return lines.join("\n") + printProgram(p);
}

function describe(o: Outcome): string {
  switch (o.status) {
    case "pass":
      return `pass (${o.points} points, ${o.skipped} skipped)`;
    case "skip":
      return `skip: ${o.reason}`;
    case "invalid":
      return `INVALID PROGRAM (a generator bug): ${o.reason}`;
    case "fail":
      return `FAIL ${o.failure.check}: ${o.failure.message}`;
  }
}

async function checkFile(o: Options): Promise<number> {
  const text = readFileSync(o.file!, "utf8");
  const argsLine = text.split("\n").find((l) => l.startsWith("// args: "));
  if (!argsLine) throw new Error(`${o.file} has no "// args: [...]" line`);
  const wrtLine = text.split("\n").find((l) => l.startsWith("// wrt: "));
  const wrt = wrtLine ? wrtLine.slice("// wrt: ".length).split(",") : undefined;
  const outcome = await checkProgram(text, JSON.parse(argsLine.slice("// args: ".length)) as unknown[], { points: o.points, hvp: o.hvp, inline: o.inline, ...(wrt ? { wrt } : {}) });
  console.log(describe(outcome));
  if (o.showModule) console.log(lastModule);
  return outcome.status === "fail" || outcome.status === "invalid" ? 1 : 0;
}

async function main(): Promise<number> {
  const o = parse(process.argv.slice(2));
  if (o.file) return checkFile(o);
  mkdirSync(OUT, { recursive: true });
  const counts = new Map<string, number>();
  const shrunk = new Map<string, number>();
  const failures: string[] = [];
  const points = { checked: 0, skipped: 0 };
  const started = Date.now();
  for (let index = o.start; index < o.start + o.count; index++) {
    const program = generateProgram(programSeed(o.seed, index), { ...DEFAULT_OPTIONS, avoid: o.avoid, maxTotal: o.total, checkpoint: o.checkpoint });
    const original = `npx tsx test/fuzz/run.ts --seed ${o.seed} --start ${index} --count 1${o.avoid.length > 0 ? ` --avoid ${o.avoid.join(",")}` : ""}${o.total !== DEFAULT_OPTIONS.maxTotal ? ` --total ${o.total}` : ""}${o.hvp ? " --hvp" : ""}${o.checkpoint > 0 ? ` --checkpoint ${o.checkpoint}` : ""}`;
    if (o.print) {
      console.log(programFile(program, undefined, original));
      continue;
    }
    const outcome = await checkProgram(printProgram(program), program.args, { points: o.points, hvp: o.hvp, inline: o.inline, ...(program.wrt ? { wrt: program.wrt } : {}) });
    if (outcome.status === "pass") {
      points.checked += outcome.points;
      points.skipped += outcome.skipped;
    }
    const ignored = outcome.status === "fail" && o.ignore.some((prefix) => outcome.failure.signature.startsWith(prefix));
    const key = outcome.status === "fail" ? `${ignored ? "ignored" : "fail"} ${outcome.failure.signature}` : outcome.status;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (ignored) continue;
    if (outcome.status !== "fail" && outcome.status !== "invalid") continue;
    const name = `s${o.seed}-${index}`;
    writeFileSync(resolve(OUT, `${name}.orig.ts`), programFile(program, outcome, original));
    console.log(`\n=== program ${o.seed}/${index}: ${describe(outcome).split("\n")[0]}`);
    if (outcome.status === "invalid") {
      failures.push(`${name} invalid`);
      continue;
    }
    const signature = outcome.failure.signature;
    let minimal = program;
    let final: Outcome = outcome;
    if (o.shrink && (shrunk.get(signature) ?? 0) < o.perSignature) {
      shrunk.set(signature, (shrunk.get(signature) ?? 0) + 1);
      const result = await shrink(program, outcome, (p) => checkProgram(printProgram(p), p.args, { points: o.points, hvp: o.hvp, inline: o.inline, ...(p.wrt ? { wrt: p.wrt } : {}) }), { checks: o.shrinkChecks, ms: 240_000 });
      minimal = result.program;
      final = result.outcome;
      console.log(`  shrunk in ${result.checks} checks`);
    } else if (o.shrink) {
      console.log(`  not shrunk (${o.perSignature} failures of this kind were): .tsad-tmp/fuzz/${name}.orig.ts`);
      failures.push(`${name} ${signature}`);
      continue;
    }
    const path = resolve(OUT, `${name}.ts`);
    const reproduce = `npx tsx test/fuzz/run.ts --file ${relative(ROOT, path)}${o.hvp ? " --hvp" : ""}`;
    writeFileSync(path, programFile(minimal, final, reproduce));
    console.log(describe(final));
    console.log(printProgram(minimal).replace(/^/gm, "  "));
    console.log(`  args: ${JSON.stringify(minimal.args)}`);
    console.log(`  reproduce: ${reproduce}`);
    console.log(`  original:  ${original}`);
    failures.push(`${name} ${signature}`);
  }
  if (o.print) return 0;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`\n${o.count} programs (seed ${o.seed}, from ${o.start}) in ${seconds} s`);
  for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${k}`);
  console.log(`  evaluation points of passing programs: ${points.checked} checked, ${points.skipped} skipped (finite differences inconclusive)`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
