/**
 * Full gradients built from one-direction tools: central finite differences (two primal calls per
 * input) and forward mode (one JVP per input). Both move one input at a time in place and put it
 * back, as a user would.
 */
import { slots, zerosLike, type Nested } from "./leaves.ts";

/** Central differences of `f` with respect to every number in `inputs`, in `slots` order. */
export function finiteDifferenceGradient(f: () => number, inputs: Nested[], h = 1e-6): number[] {
  const gradient: number[] = [];
  for (const input of inputs) {
    for (const slot of slots(input)) {
      const saved = slot.get();
      const step = h * Math.max(1, Math.abs(saved));
      slot.set(saved + step);
      const up = f();
      slot.set(saved - step);
      const down = f();
      slot.set(saved);
      gradient.push((up - down) / (2 * step));
    }
  }
  return gradient;
}

/**
 * The gradient from one JVP per input: `jvp(tangent)` gets a tangent shaped like `inputs` (an
 * object keyed like the generated function's `tangent` parameter) with a single 1 in it.
 */
export function jvpSweepGradient(jvp: (tangent: Record<string, Nested>) => number, inputs: Record<string, Nested>): number[] {
  const tangent = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [name, zerosLike(value)]));
  const gradient: number[] = [];
  for (const name of Object.keys(inputs)) {
    for (const slot of slots(tangent[name]!)) {
      slot.set(1);
      gradient.push(jvp(tangent));
      slot.set(0);
    }
  }
  return gradient;
}
