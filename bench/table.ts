/** The bench's table on stdout: one row per problem and contender, then the notes. */
export interface Row {
  problem: string;
  size: string;
  contender: string;
  ms: number;
  /** Median over alternating batches of (its time ÷ the primal's), in the same process. */
  ratio: number;
  spread: [number, number];
  /** How far its gradient was from tsad's (empty when it computes no gradient). */
  check: string;
  /** Peak extra memory: the heap's growth during one call (largest of three), in bytes; absent for peers. */
  heapBytes?: number;
  /** Whether V8 collected garbage during one of those calls (the growth then misses what it freed). */
  collected?: boolean;
}

function bytes(n: number | undefined, collected: boolean | undefined): string {
  if (n === undefined) return "";
  const text = n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} kB` : `${Math.max(0, n)} B`;
  return collected ? `${text} (gc)` : text;
}

function milliseconds(ms: number | null): string {
  // --check measures no time (NaN, which JSON carries as null).
  if (ms === null || !Number.isFinite(ms)) return "";
  return ms < 0.1 ? ms.toFixed(4) : ms < 100 ? ms.toFixed(3) : ms.toFixed(0);
}

export function printTable(rows: Row[], notes: string[]): void {
  const cells = rows.map((r) => [r.problem, r.size, r.contender, milliseconds(r.ms), r.ratio === null || !Number.isFinite(r.ratio) ? "" : r.ratio < 100 ? r.ratio.toFixed(2) : r.ratio.toFixed(0), r.spread[0] === null || !Number.isFinite(r.spread[0]) ? "" : `${milliseconds(r.spread[0])}–${milliseconds(r.spread[1])}`, bytes(r.heapBytes, r.collected), r.check]);
  const header = ["problem", "size", "contender", "ms (median)", "× primal", "spread (ms)", "extra memory", "vs tsad"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of cells) console.log(line(row));
  console.log(`\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}. Medians over batches after warm-up; "× primal" is the median ratio over alternating batches of the contender and the primal; "extra memory" is how much the JavaScript heap grew during one call (garbage collected before it, not during it; the largest of three calls; "(gc)" when V8 collected during the call anyway, so the growth misses what was freed; blank for the peers, whose arrays live outside the heap); "vs tsad" is the gradient's largest difference from tsad's, relative to its largest entry.`);
  for (const note of notes) console.log(`- ${note}`);
}
