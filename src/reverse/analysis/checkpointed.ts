/**
 * Which loops reverse mode checkpoints: those tagged `@checkpoint` (on the loop, or on the
 * function for its outermost loops) that it can restart at any step from a snapshot:
 * - at the function's top level (the snapshots live beside the forward and backward sweeps);
 * - counted up by one (the counter of step k is start + k);
 * - whose state keeps its containers (src/checkpoint/state.ts: no container assigned, grown or
 *   shrunk by the loop).
 * A tagged loop that is none of these is reversed with its tape, as any loop.
 *
 * With a tape limit (`--tape-limit`), every outermost loop that qualifies is checkpointed, tagged
 * or not; how much of it runs with its tape is decided at run time against the limit (the sizes
 * that make a tape large are known only then).
 */
import type { Activity, ActivityOracle } from "../../analysis/activity.ts";
import type { Loop } from "../../analysis/loops.ts";
import type { Function, Program } from "../../ir/ir.ts";
import type { StateVariable } from "../../checkpoint/driver.ts";
import { loopState } from "../../checkpoint/state.ts";
import type { CountedLoop } from "./counted.ts";

export interface Checkpointed {
  counter: string;
  state: StateVariable[];
  /** The snapshots the tag asks for; undefined: enough that no step runs more than three times. */
  snapshots?: number;
  /** The tape limit in bytes: ranges of steps whose tape fits run with it. */
  tapeLimit?: number;
}

export function findCheckpointedLoops(fn: Function, activity: Activity, counted: ReadonlyMap<Loop, CountedLoop>, program: Program, oracle: ActivityOracle, tapeLimit?: number): Map<Loop, Checkpointed> {
  const found = new Map<Loop, Checkpointed>();
  for (const s of fn.body) {
    if (s.kind !== "loop" || (!s.checkpoint && tapeLimit === undefined)) continue;
    const loop = counted.get(s);
    if (!loop || loop.step !== 1) continue;
    const state = loopState(fn, s, loop.counter, activity, program, oracle);
    if ("reason" in state) continue;
    found.set(s, { counter: loop.counter, state: state.variables, snapshots: s.checkpoint?.snapshots, tapeLimit });
  }
  return found;
}
