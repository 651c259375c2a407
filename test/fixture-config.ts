/**
 * The shape of `fixtures/<name>/config.ts`: which function to differentiate, with respect to
 * what, and a sample argument list. The numeric tests perturb the numeric leaves of the `wrt`
 * arguments at random (seeded) to get several evaluation points; other arguments are used as given.
 */
export interface FixtureConfig {
  /** The function to differentiate (exported from input.ts). */
  fn: string;
  /** Parameters to differentiate with respect to (default: every differentiable parameter). */
  wrt?: string[];
  /** Modes to generate (default: what `--emit` defaults to for the function). */
  emit?: string[];
  /** A sample argument list; called afresh for every evaluation point. */
  args: () => unknown[];
  /** false: keep calls as calls (the split forward/pullback halves are what the fixture shows). */
  inline?: boolean;
  /** Reverse mode rejects the function by design: the fixture shows forward mode only. */
  forwardOnly?: boolean;
  /** Perturbation scale for the random points (default 0.1). 0 keeps the sample point only. */
  jitter?: number;
}
