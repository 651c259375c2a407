/**
 * Binomial checkpointing: how to reverse a loop of s steps keeping at most c snapshots of its
 * state besides the one at its start, recomputing as few steps as possible.
 *
 * Count the runs of each step: its runs without a tape (to reach a later snapshot or step) and
 * its one run with a tape just before it is reversed. With c free snapshots and at most r runs
 * per step, the longest loop that can be reversed is η(c, r) = C(c + r, c + 1):
 * - with no snapshot, restore the start and run up to each step in turn: r steps;
 * - otherwise run m steps, take a snapshot, reverse the s − m steps after it with one snapshot
 *   fewer, then the m steps before it, each of which has used one of its runs. So
 *   η(c, r) = η(c, r − 1) + η(c − 1, r), Pascal's rule.
 * With r the least run count such that η(c, r) ≥ s, the steps after the snapshot fit when
 * m ≥ s − η(c − 1, r), and those before it when m ≤ η(c, r − 1). The total recomputation is
 * least when, besides, the steps before it need all their r − 1 remaining runs:
 * m ≥ η(c, r − 2). tsad takes the smallest such m (the tests check it against exhaustive search).
 *
 * The generated code computes the same numbers at run time, since the trip count is known only
 * then. These functions are what its comments describe. The tests check them against an
 * exhaustive search.
 */

/** C(n, k), exact while it stays below 2⁵³. */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let value = 1;
  for (let j = 1; j <= k; j++) value = Math.round((value * (n - k + j)) / j);
  return value;
}

/** η(c, r) = C(c + r, c + 1): the most steps c free snapshots reverse with at most r runs of each step. */
export function reversible(c: number, r: number): number {
  return r < 0 ? 0 : binomial(c + r, c + 1);
}

/** The least r ≥ 1 with η(c, r) ≥ steps. */
export function runsNeeded(steps: number, c: number): number {
  let r = 1;
  while (reversible(c, r) < steps) r++;
  return r;
}

/** How many steps to advance before the next snapshot, reversing `steps` ≥ 2 steps with c ≥ 1 free snapshots. */
export function firstAdvance(steps: number, c: number): number {
  const r = runsNeeded(steps, c);
  return Math.max(1, reversible(c, r - 2), steps - reversible(c - 1, r));
}

/** The fewest free snapshots that reverse `steps` steps running each step at most `runs` times. */
export function snapshotsFor(steps: number, runs: number): number {
  let c = 0;
  while (reversible(c, runs) < steps) c++;
  return c;
}

/** What the schedule does, for tests and for `explain`: the generated driver does the same. */
export interface ScheduleTrace {
  /** Steps advanced without a tape (recomputation). */
  advances: number;
  /** The steps run with a tape and reversed, in the order they were reversed. */
  reversed: number[];
  /** The most snapshots held at once, the one at the loop's start included. */
  peakSnapshots: number;
}

/** Runs the driver's algorithm on step numbers instead of states. */
export function simulateBinomial(steps: number, c: number): ScheduleTrace {
  const trace: ScheduleTrace = { advances: 0, reversed: [], peakSnapshots: 1 };
  const ranges: { from: number; to: number; free: number }[] = [{ from: 0, to: steps, free: c }];
  let snapshots = 1;
  while (ranges.length > 0) {
    const { from, to, free } = ranges.pop()!;
    if (to - from === 1 || free === 0) {
      // Restore the snapshot at `from`, advance to each step from the end down (no snapshot left).
      for (let step = to - 1; step >= from; step--) {
        trace.advances += step - from;
        trace.reversed.push(step);
      }
      snapshots--;
      continue;
    }
    const middle = from + firstAdvance(to - from, free);
    trace.advances += middle - from;
    snapshots++;
    trace.peakSnapshots = Math.max(trace.peakSnapshots, snapshots);
    ranges.push({ from, to: middle, free }, { from: middle, to, free: free - 1 });
  }
  return trace;
}

/**
 * Periodic snapshots, for loops whose trip count is not known when they start: a snapshot every
 * `period` steps on the way forward; on the way back each segment is restored, run with a tape
 * and reversed. Every step is advanced once more; memory is s / period snapshots plus one
 * segment's tape. `period` ≈ √s balances the two.
 */
export function simulatePeriodic(steps: number, period: number): ScheduleTrace {
  const trace: ScheduleTrace = { advances: steps, reversed: [], peakSnapshots: Math.ceil(steps / period) };
  for (let start = Math.floor((steps - 1) / period) * period; start >= 0; start -= period) {
    for (let step = Math.min(start + period, steps) - 1; step >= start; step--) trace.reversed.push(step);
  }
  return trace;
}
