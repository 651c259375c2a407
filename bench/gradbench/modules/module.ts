/**
 * What a GradBench module is on tsad's side: for each function name of the eval, a preparation
 * that reads the JSON input (untimed) and returns the call to time and the conversion of its
 * result to the eval's output JSON (untimed).
 */
export interface Evaluation<R = unknown> {
  run: () => R;
  output: (result: R) => unknown;
}

export type GradBenchFunction = (input: unknown) => Evaluation;

export type GradBenchModule = Readonly<Record<string, GradBenchFunction>>;

/** Ties `run` and `output` to the same result type, then forgets it. */
export function evaluation<R>(run: () => R, output: (result: R) => unknown): Evaluation {
  return { run, output } as Evaluation;
}
