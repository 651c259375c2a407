/**
 * Linear regions of a ReLU network along an interval, counted exactly.
 *
 * Between two consecutive changes of the hidden units' signs the network is affine in x, and so
 * is every pre-activation z_i(x) = z_i(p) + s_i·(x − p). The generated `preActivationsJvp` gives
 * each z_i and its slope s_i at a point p; the next boundary is the nearest zero p − z_i/s_i to
 * the right of p, over all units. Stepping from boundary to boundary visits every region once,
 * evaluating the network once per region: no sampling, and no region missed however narrow,
 * down to a width of `resolution` (the step past each boundary).
 */
import { preActivations } from "./models/mlp.ts";
import { preActivationsJvp } from "./models/mlp.grad.ts";
import type { Layer } from "./network.ts";

export interface Regions {
  /** Number of linear regions on [lo, hi]. */
  count: number;
  /** The boundaries between them, increasing, inside (lo, hi). */
  breakpoints: number[];
}

export function linearRegions(layers: readonly Layer[], lo: number, hi: number, resolution = 1e-9 * (hi - lo)): Regions {
  const breakpoints: number[] = [];
  const layersMutable = layers as Layer[];
  for (let start = lo; ; ) {
    const probe = start + resolution;
    if (probe >= hi) break;
    const { value: z, tangent: slope } = preActivationsJvp(layersMutable, probe, { x: 1 });
    let next = hi;
    for (let i = 0; i < z.length; i++) {
      const s = slope[i]!;
      if (s === 0) continue;
      const zero = probe - z[i]! / s;
      if (zero > probe && zero < next) next = zero;
    }
    if (next >= hi - resolution) break;
    breakpoints.push(next);
    start = next;
  }
  return { count: breakpoints.length + 1, breakpoints };
}

/** Which hidden units are on at x (pre-activation > 0), as a string of 0s and 1s. */
export function activationPattern(layers: readonly Layer[], x: number): string {
  return preActivations(layers as Layer[], x)
    .map((z) => (z > 0 ? "1" : "0"))
    .join("");
}
