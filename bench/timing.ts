/**
 * Timing a contender against the primal on a shared, noisy machine. Each is first warmed up (at
 * least 30 calls and 300 ms, at most 2 s: V8 takes dozens of calls to fully optimise a large
 * generated function, and the first calls of the GMM gradient are 8× slower than the later
 * ones), then run until a batch takes at least 20 ms; then batches of the contender and of the
 * primal alternate, so that a burst of load from elsewhere slows both alike, and the ratio is
 * the median of the per-pair ratios. Slow contenders (over 100 ms a call) get fewer pairs, so
 * that the whole bench stays within minutes.
 */
export interface Timing {
  /** Median time per call. */
  ms: number;
  /** Fastest and slowest batch, per call. */
  spread: [number, number];
  /** Median over pairs of (this batch ÷ the primal's batch next to it), per call. */
  ratio: number;
}

/** Results go here so that the JIT cannot drop a call whose value nobody reads. */
export let sink: unknown;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function warmUp(run: () => unknown): void {
  const start = performance.now();
  for (let calls = 0; ; calls++) {
    const elapsed = performance.now() - start;
    if ((calls >= 30 && elapsed >= 300) || elapsed >= 2000) return;
    sink = run();
  }
}

/** Calls per batch: doubled until a batch takes 20 ms. Returns the calls and the time per call. */
function calibrate(run: () => unknown): { calls: number; perCall: number } {
  warmUp(run);
  let calls = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) sink = run();
    const elapsed = performance.now() - start;
    if (elapsed > 20) return { calls, perCall: elapsed / calls };
    calls *= 2;
  }
}

function batch(run: () => unknown, calls: number): number {
  const start = performance.now();
  for (let i = 0; i < calls; i++) sink = run();
  return (performance.now() - start) / calls;
}

function summary(samples: number[], ratios: number[]): Timing {
  return { ms: median(samples), spread: [Math.min(...samples), Math.max(...samples)], ratio: median(ratios) };
}

export function time(run: () => unknown, primal: () => unknown): Timing {
  // With --expose-gc (npm run bench passes it), start each contender on a collected heap.
  (globalThis as { gc?: () => void }).gc?.();
  const own = calibrate(run);
  const base = calibrate(primal);
  const pairs = own.perCall > 100 ? Math.max(3, Math.min(9, Math.floor(2000 / own.perCall))) : 9;
  const samples: number[] = [];
  const ratios: number[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const mine = batch(run, own.calls);
    const theirs = batch(primal, base.calls);
    samples.push(mine);
    ratios.push(mine / theirs);
  }
  return summary(samples, ratios);
}

/** The primal alone: 9 batches. */
export function timePrimal(primal: () => unknown): Timing {
  (globalThis as { gc?: () => void }).gc?.();
  const { calls } = calibrate(primal);
  const samples = Array.from({ length: 9 }, () => batch(primal, calls));
  return summary(samples, samples.map(() => 1));
}

export interface Memory {
  /** Largest heap growth over the measured calls, in bytes (heapUsed after − before, no GC between). */
  bytes: number;
  /** Whether V8 collected garbage during one of those calls (then the growth is smaller than what the call allocated). */
  collected: boolean;
}

/**
 * Peak extra memory of one call: collect garbage, read heapUsed, call, read heapUsed again without
 * collecting. Everything the call allocated and still held at its end (its tape, its temporaries,
 * its result) counts; a collection during the call would free the temporaries, which is why the
 * caller is told whether one happened (`gcDuring`, from a PerformanceObserver the caller runs).
 * Needs --expose-gc (npm run bench passes it); without it, undefined.
 */
export function extraMemory(run: () => unknown, calls = 3): { bytes: number; windows: [number, number][] } | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  let bytes = 0;
  const windows: [number, number][] = [];
  for (let i = 0; i < calls; i++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    const start = performance.now();
    sink = run();
    const end = performance.now();
    const after = process.memoryUsage().heapUsed;
    windows.push([start, end]);
    bytes = Math.max(bytes, after - before);
    sink = undefined;
  }
  return { bytes, windows };
}
