/**
 * Reading what `node --trace-opt --trace-deopt-verbose` prints, and the per-call timings that go
 * with it: which functions TurboFan optimised, which optimised code it threw away (and why, and at
 * which source position), between markers the benchmark writes to the same stdout.
 *
 * V8 writes its traces and the process's own `process.stdout.write` to one file in the order they
 * happen, so a marker line splits the trace into phases ("warm-up", "measured").
 */

/** A line the benchmark writes: `@@deopts <phase> <contender>`. */
export const MARKER = "@@deopts";

export interface SourcePosition {
  /** As V8 names the script: a file URL or path. */
  file: string;
  line: number;
  column: number;
}

export interface Deopt {
  /** The function whose optimised code was thrown away. */
  fn: string;
  /** eager, lazy or soft (V8's words). */
  kind: string;
  /** V8's reason: "wrong map", "Insufficient type feedback for …", "not a Smi", … */
  reason: string;
  /** Where in the source the failed check sits: innermost first, then the calls it was inlined into. */
  at: SourcePosition[];
}

export interface Phase {
  /** The marker's phase word ("warm", "measured", …) and the contender it names. */
  phase: string;
  contender: string;
  deopts: Deopt[];
  /** Functions whose optimised code was installed in this phase, one entry per installation. */
  optimised: string[];
}

const BAILOUT = /^\[bailout \(kind: ([\w-]+), reason: (.*?)\): begin\. deoptimizing 0x[0-9a-f]+ <JSFunction ([^ >]*)/;
/** The older form, for other Node versions. */
const DEOPTIMIZING = /^\[deoptimizing \(DEOPT (\w+)\): begin 0x[0-9a-f]+ <JSFunction ([^ >]*)/;
const REASON = /^\s*;;; deoptimize at (.*)$/;
const POSITION = /<([^<>]+):(\d+):(\d+)>/g;
const COMPLETED = /^\[completed optimizing 0x[0-9a-f]+ <JSFunction ([^ >]*)/;

function positions(text: string): SourcePosition[] {
  return [...text.matchAll(POSITION)].map((m) => ({ file: m[1]!, line: Number(m[2]), column: Number(m[3]) }));
}

/**
 * Splits a trace into the phases the markers open. Lines before the first marker belong to a phase
 * named "" (module loading, input building). An empty function name is V8's for anonymous functions.
 */
export function parseTrace(text: string): Phase[] {
  const phases: Phase[] = [{ phase: "", contender: "", deopts: [], optimised: [] }];
  let current = phases[0]!;
  let pending: Deopt | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith(MARKER + " ")) {
      const [, phase = "", ...name] = line.trim().split(" ");
      current = { phase, contender: name.join(" "), deopts: [], optimised: [] };
      phases.push(current);
      pending = undefined;
      continue;
    }
    const bailout = BAILOUT.exec(line);
    if (bailout) {
      pending = { fn: bailout[3]!, kind: bailout[1]!.replace(/^deopt-/, ""), reason: bailout[2]!, at: [] };
      current.deopts.push(pending);
      continue;
    }
    const older = DEOPTIMIZING.exec(line);
    if (older) {
      pending = { fn: older[2]!, kind: older[1]!.toLowerCase(), reason: "", at: [] };
      current.deopts.push(pending);
      continue;
    }
    const reason = REASON.exec(line);
    if (reason && pending && pending.at.length === 0) {
      pending.at = positions(line);
      // The older form puts the reason after the position: ";;; deoptimize at <…>, wrong map".
      if (!pending.reason) pending.reason = reason[1]!.replace(/^.*>,?\s*/, "");
      continue;
    }
    const completed = COMPLETED.exec(line);
    if (completed) current.optimised.push(completed[1]!);
  }
  return phases;
}

/** Median of a window; the samples need not be sorted. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface Settling {
  /** Median of the second half of the calls. */
  steadyMs: number;
  /**
   * The 1-based number of the first call that is within `tolerance` of the steady time and from
   * which on the median of every `window` consecutive calls is too; undefined when the last
   * window is not (the time has not settled by the end).
   */
  settledAt: number | undefined;
}

/**
 * When the time per call settles. One call's time is noisy (a scavenge, another process), so after
 * the settling call, single slow calls are forgiven: only the median of each window must be near
 * the steady time.
 */
export function settling(callMs: number[], tolerance = 0.1, window = 5): Settling {
  if (callMs.length === 0) return { steadyMs: NaN, settledAt: undefined };
  const steadyMs = median(callMs.slice(Math.floor(callMs.length / 2)));
  const near = (ms: number) => Math.abs(ms - steadyMs) <= tolerance * steadyMs;
  const lastWindow = Math.max(0, callMs.length - window);
  let lastOff = -1;
  for (let start = lastWindow; start >= 0; start--) {
    if (!near(median(callMs.slice(start, start + window)))) {
      lastOff = start;
      break;
    }
  }
  if (lastOff === lastWindow) return { steadyMs, settledAt: undefined };
  for (let call = lastOff + 1; call < callMs.length; call++) if (near(callMs[call]!)) return { steadyMs, settledAt: call + 1 };
  return { steadyMs, settledAt: undefined };
}
