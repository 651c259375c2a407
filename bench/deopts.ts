/**
 * `npm run bench -- --deopts`: does V8 optimise each generated derivative once and keep it?
 *
 * Each problem runs in a fresh process started as `node --trace-opt --trace-deopt-verbose`, its
 * stdout going to a file. In that process the primal and every derivative tsad generated for the
 * problem are called in turn, each call timed on its own: the first WARM_UP calls are the warm-up,
 * then at least MIN_CALLS calls and MIN_SECONDS in all. A marker line between the phases splits
 * V8's trace, so that a deopt is known to come after the warm-up. The process also hands back the
 * source maps of the modules it loaded (tsx compiles TypeScript on the fly), so that a deopt's
 * position in the compiled code is reported as a line of the generated `.grad.ts`.
 */
import { readFileSync, readdirSync } from "node:fs";
import { findSourceMap, SourceMap, type SourceMapPayload } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MARKER, parseTrace, settling, type Deopt, type Phase } from "./deopt-trace.ts";

/** The warm-up: the first calls of each function (the budget the settling target allows). */
export const WARM_UP = 20;
const MIN_CALLS = 100;
const MIN_SECONDS = 2;
const MAX_CALLS = 1000;
const MAX_SECONDS = 15;

export interface Traced {
  name: string;
  run: () => unknown;
}

export interface TracedResult {
  contender: string;
  callMs: number[];
}

export interface ChildResult {
  problem: string;
  size: string;
  results: TracedResult[];
  sourceMaps: Record<string, SourceMapPayload>;
}

/** Results go here so that the JIT cannot drop a call whose value nobody reads. */
export let sink: unknown;

function mark(phase: string, contender: string): void {
  process.stdout.write(`${MARKER} ${phase} ${contender}\n`);
}

/** Child side: calls each function, timing every call, with the markers V8's trace is split at. */
export function traceCalls(contenders: Traced[]): TracedResult[] {
  const results: TracedResult[] = [];
  for (const { name, run } of contenders) {
    const callMs: number[] = [];
    const started = performance.now();
    mark("warm-up", name);
    for (;;) {
      if (callMs.length === WARM_UP) mark("measured", name);
      const elapsed = (performance.now() - started) / 1000;
      const enough = callMs.length >= MIN_CALLS && elapsed >= MIN_SECONDS;
      if (callMs.length > WARM_UP && (enough || callMs.length >= MAX_CALLS || elapsed >= MAX_SECONDS)) break;
      const start = performance.now();
      sink = run();
      callMs.push(performance.now() - start);
    }
    mark("done", name);
    results.push({ contender: name, callMs });
  }
  return results;
}

/** Child side: the source maps of the TypeScript modules under `dirs` that this process loaded. */
export function loadedSourceMaps(dirs: string[]): Record<string, SourceMapPayload> {
  const maps: Record<string, SourceMapPayload> = {};
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith(".ts")) continue;
      const url = pathToFileURL(join(dir, name)).href;
      const map = findSourceMap(url);
      if (map) maps[url] = map.payload;
    }
  }
  return maps;
}

export interface DeoptRow {
  problem: string;
  size: string;
  contender: string;
  calls: number;
  steadyMs: number;
  settledAt: number | undefined;
  /** Deopts of any function during this contender's warm-up, and after it. */
  warmUp: Deopt[];
  after: Deopt[];
}

/** Parent side: the rows of one problem, from its trace and its result file. */
export function deoptRows(trace: string, child: ChildResult): DeoptRow[] {
  const phases = parseTrace(trace);
  const of = (phase: string, contender: string): Phase[] => phases.filter((p) => p.phase === phase && p.contender === contender);
  return child.results.map(({ contender, callMs }) => {
    const { steadyMs, settledAt } = settling(callMs);
    return {
      problem: child.problem,
      size: child.size,
      contender,
      calls: callMs.length,
      steadyMs,
      settledAt,
      warmUp: of("warm-up", contender).flatMap((p) => p.deopts),
      after: of("measured", contender).flatMap((p) => p.deopts),
    };
  });
}

/** Where a deopt happened, as a line of the TypeScript source when a source map says so. */
export interface Located {
  file: string;
  line: number;
  column: number;
  text: string;
}

export function locate(deopt: Deopt, sourceMaps: Record<string, SourceMapPayload>): Located | undefined {
  const at = deopt.at[0];
  if (!at) return undefined;
  const url = at.file.startsWith("file:") ? at.file : pathToFileURL(at.file).href;
  const payload = sourceMaps[url];
  let line = at.line;
  let column = at.column;
  if (payload) {
    const entry = new SourceMap(payload).findEntry(at.line - 1, at.column - 1) as { originalLine?: number; originalColumn?: number };
    if (entry.originalLine !== undefined) {
      line = entry.originalLine + 1;
      column = entry.originalColumn! + 1;
    }
  }
  const path = url.startsWith("file:") ? fileURLToPath(url) : url;
  let text = "";
  try {
    text = (readFileSync(path, "utf8").split("\n")[line - 1] ?? "").trim();
  } catch {
    // A script V8 names but that is not on disk (node internals): position only.
  }
  return { file: path, line, column, text };
}

/** "fn: reason ×count" for a list of deopts, most frequent first. */
export function summarise(deopts: Deopt[]): string {
  const counts = new Map<string, number>();
  for (const d of deopts) {
    const key = `${d.fn || "(anonymous)"}: ${d.reason || d.kind}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([key, n]) => (n > 1 ? `${key} ×${n}` : key)).join("; ");
}

function ms(value: number): string {
  return value < 0.1 ? value.toFixed(4) : value < 100 ? value.toFixed(3) : value.toFixed(0);
}

/**
 * The table, then every distinct deopt after the warm-up with its source line. `maps` holds the
 * source maps of all problems' processes.
 */
export function deoptReport(rows: DeoptRow[], maps: Record<string, SourceMapPayload>): string {
  const header = ["problem", "size", "function", "calls", "steady ms", "settled by call", "deopts in warm-up", "deopts after warm-up"];
  const cells = rows.map((r) => [r.problem, r.size, r.contender, String(r.calls), ms(r.steadyMs), r.settledAt === undefined ? "never" : String(r.settledAt), String(r.warmUp.length), r.after.length === 0 ? "0" : `${r.after.length}: ${summarise(r.after)}`]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const out = [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(line)];
  out.push(
    "",
    `Node ${process.version}. Each function is called in a fresh process per problem; its first ${WARM_UP} calls are the warm-up, then at least ${MIN_CALLS} calls and ${MIN_SECONDS} s (at most ${MAX_CALLS} calls or ${MAX_SECONDS} s).`,
    `"settled by call" is the first call within 10% of the steady time (the median of the second half of the calls) from which on the median of every 5 consecutive calls is too; "never" when the last ones are not. On a loaded machine, other processes alone can keep it from settling.`,
    `A deopt is counted against the function being measured when it happens while that function runs; the function V8 names may be a callee (or the primal it calls).`,
  );
  const seen = new Map<string, { deopt: Deopt; where: Located | undefined; count: number; rows: Set<string> }>();
  for (const row of rows) {
    for (const [phase, list] of [["after warm-up", row.after], ["warm-up", row.warmUp]] as const) {
      for (const deopt of list) {
        const where = locate(deopt, maps);
        const key = `${phase}|${deopt.fn}|${deopt.reason}|${where ? `${where.file}:${where.line}:${where.column}` : ""}`;
        const entry = seen.get(key) ?? { deopt, where, count: 0, rows: new Set<string>() };
        entry.count++;
        entry.rows.add(`${row.problem} ${row.size} / ${row.contender}`);
        seen.set(key, entry);
      }
    }
  }
  for (const phase of ["after warm-up", "warm-up"]) {
    const entries = [...seen].filter(([key]) => key.startsWith(phase + "|"));
    out.push("", `Deopts ${phase === "warm-up" ? "during the warm-up" : "after the warm-up"} (${entries.length === 0 ? "none" : `${entries.length} distinct`}):`);
    for (const [, { deopt, where, count, rows: seenIn }] of entries) {
      const place = where ? `${where.file.replace(process.cwd() + "/", "")}:${where.line}:${where.column}` : "(no position)";
      out.push(`- ${deopt.fn || "(anonymous)"} — ${deopt.kind}, ${deopt.reason || "no reason given"} ×${count} at ${place}`);
      if (where?.text) out.push(`    ${where.text.length > 140 ? where.text.slice(0, 137) + "…" : where.text}`);
      out.push(`    while measuring ${[...seenIn].join(", ")}`);
    }
  }
  return out.join("\n");
}
