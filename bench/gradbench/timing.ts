/**
 * Repeated, individually timed runs, as GradBench asks: at least `min_runs` runs and until
 * `min_seconds` have passed in total, one `evaluate` timing per run. Only the call itself is inside
 * the timed region; converting from and to JSON happens before and after.
 */
export interface Timing {
  name: string;
  nanoseconds: number;
}

export interface Runs {
  minRuns: number;
  minSeconds: number;
}

export function timeRuns<R>(run: () => R, { minRuns, minSeconds }: Runs): { result: R; timings: Timing[] } {
  const timings: Timing[] = [];
  const minNanoseconds = BigInt(Math.ceil(minSeconds * 1e9));
  let total = 0n;
  let result: R;
  do {
    const start = process.hrtime.bigint();
    result = run();
    const elapsed = process.hrtime.bigint() - start;
    total += elapsed;
    timings.push({ name: "evaluate", nanoseconds: Number(elapsed) });
  } while (timings.length < minRuns || total < minNanoseconds);
  return { result, timings };
}
