/**
 * The binomial checkpointing schedule: every step is reversed once, last first; no more
 * snapshots are held than allowed; and the recomputation is the least possible, compared with
 * an exhaustive search over every place to put each snapshot.
 */
import { describe, expect, it } from "vitest";
import { firstAdvance, reversible, runsNeeded, simulateBinomial, simulatePeriodic, snapshotsFor } from "../src/checkpoint/schedule.ts";

/** The fewest advances reversing s steps from a snapshot at their start with c more snapshots. */
function optimum(limit: number, maxC: number): number[][] {
  const best = Array.from({ length: limit + 1 }, () => new Array<number>(maxC + 1).fill(Infinity));
  for (let c = 0; c <= maxC; c++) best[1]![c] = 0;
  for (let s = 2; s <= limit; s++) {
    best[s]![0] = (s * (s - 1)) / 2;
    for (let c = 1; c <= maxC; c++) {
      for (let m = 1; m < s; m++) best[s]![c] = Math.min(best[s]![c]!, m + best[s - m]![c - 1]! + best[m]![c]!);
    }
  }
  return best;
}

describe("binomial checkpointing", () => {
  it("η(c, r) = C(c + r, c + 1) steps are reversible with c snapshots and r runs of each step", () => {
    expect(reversible(0, 5)).toBe(5);
    expect(reversible(1, 2)).toBe(3);
    expect(reversible(3, 3)).toBe(15);
    expect(runsNeeded(15, 3)).toBe(3);
    expect(runsNeeded(16, 3)).toBe(4);
    expect(runsNeeded(1, 5)).toBe(1);
    expect(snapshotsFor(100_000, 3)).toBe(445); // (c + 3)(c + 2)/2 ≥ 10⁵
    expect(snapshotsFor(100_000, 4)).toBe(82);
  });

  it("reverses every step once, in reverse order, within the snapshots allowed, with the least recomputation", () => {
    const limit = 40;
    const best = optimum(limit, 5);
    for (let s = 1; s <= limit; s++) {
      for (let c = 1; c <= 5; c++) {
        const trace = simulateBinomial(s, c);
        expect(trace.reversed, `s=${s}, c=${c}`).toEqual(Array.from({ length: s }, (_, k) => s - 1 - k));
        expect(trace.peakSnapshots, `s=${s}, c=${c}`).toBeLessThanOrEqual(c + 1);
        expect(trace.advances, `s=${s}, c=${c}`).toBe(best[s]![c]);
      }
    }
  });

  it("runs each step at most r times: at most r − 1 advances per step", () => {
    for (const [steps, c] of [[1000, 10], [100_000, 445], [5000, 3]] as const) {
      const r = runsNeeded(steps, c);
      expect(simulateBinomial(steps, c).advances).toBeLessThanOrEqual((r - 1) * steps);
    }
    expect(firstAdvance(3, 1)).toBe(1);
  });

  it("periodic snapshots reverse every step once", () => {
    const trace = simulatePeriodic(103, 10);
    expect(trace.reversed).toEqual(Array.from({ length: 103 }, (_, k) => 102 - k));
    expect(trace.peakSnapshots).toBe(11);
  });
});
