/**
 * Writing where a counted loop leaves its counter (src/reverse/analysis/counted.ts says when
 * that is known): the backward sweep sets the counter to it before counting back down.
 */
import type { IRBuilder } from "../ir/builder.ts";
import type { Operand } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num } from "../ir/ir.ts";
import type { LoopExit } from "./analysis/counted.ts";

/** Emits `counter = <its value after the loop>`, for a loop that starts at `start`. */
export function setCounterToExit(b: IRBuilder, counter: string, start: Operand, step: 1 | -1, exit: LoopExit): void {
  // Ascending: the number of iterations is max(0, ⌈B − s⌉) for `<`, max(0, ⌊B − s⌋ + 1) for `<=`.
  const bound = exit.bound.kind === "operand" ? exit.bound.value : b.temp({ kind: "length", object: { kind: "var", name: exit.bound.array } }, NUMBER);
  const fromZero = start.kind === "number" && start.value === 0;
  // Counting up from 0, the distance is the bound itself.
  const distance = fromZero && step === 1 ? bound : b.temp({ kind: "binary", op: "-", left: step === 1 ? bound : start, right: step === 1 ? start : bound }, NUMBER);
  // An integer bound (a length, a count) minus an integer start is an integer already.
  const whole = exit.integral;
  let trips = whole ? distance : b.temp({ kind: "math", fn: exit.inclusive ? "floor" : "ceil", args: [distance] }, NUMBER);
  if (exit.inclusive) trips = b.temp({ kind: "binary", op: "+", left: trips, right: num(1) }, NUMBER);
  // `trips > 0 ? trips : 0`, so that a NaN bound (no iteration) leaves the counter at its start.
  const positive = b.temp({ kind: "binary", op: ">", left: trips, right: num(0) }, BOOLEAN);
  const count = b.temp({ kind: "select", cond: positive, whenTrue: trips, whenFalse: num(0) }, NUMBER);
  b.emit({ kind: "assign", name: counter, value: fromZero && step === 1 ? { kind: "operand", value: count } : { kind: "binary", op: step === 1 ? "+" : "-", left: start, right: count } });
}
