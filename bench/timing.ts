/**
 * Timing one contender: run it until a batch takes at least 20 ms (this also warms it up), then
 * time batches of that many calls and report the median per call with the fastest and slowest
 * batch. Slow contenders (a single call over 100 ms) get fewer batches, so that the whole bench
 * stays within minutes.
 */
export interface Timing {
  ms: number;
  spread: [number, number];
  batches: number;
}

/** Results go here so that the JIT cannot drop a call whose value nobody reads. */
export let sink: unknown;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function time(run: () => unknown): Timing {
  // With --expose-gc (npm run bench passes it), start each contender on a collected heap.
  (globalThis as { gc?: () => void }).gc?.();
  let calls = 1;
  let elapsed = 0;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) sink = run();
    elapsed = performance.now() - start;
    if (elapsed > 20) break;
    calls *= 2;
  }
  const perCall = elapsed / calls;
  const batches = perCall > 100 ? Math.max(3, Math.min(9, Math.floor(2000 / perCall))) : 9;
  const samples: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) sink = run();
    samples.push((performance.now() - start) / calls);
  }
  return { ms: median(samples), spread: [Math.min(...samples), Math.max(...samples)], batches };
}
