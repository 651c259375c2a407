/**
 * The Lab's worker: runs one experiment at a time (the same functions `npm run lab` runs) and
 * posts the result so far every few hundred milliseconds, so that the page draws while it
 * trains. Stopping is the page terminating this worker.
 */
import { approximation, curvature, generalisation, ntk, type Progress } from "../../lab/experiments.ts";
import { ExpressionError } from "../../lab/expression.ts";
import type { ExperimentName, RunMessage, RunRequest, Results } from "./protocol.ts";

const EXPERIMENTS: { [K in ExperimentName]: (options: object, progress: Progress<Results[K]>) => Results[K] } = { approximation, generalisation, curvature, ntk };
const PROGRESS_EVERY_MS = 200;

const post = (message: RunMessage) => (self as unknown as Worker).postMessage(message);

self.onmessage = (event: MessageEvent<RunRequest>) => {
  const { id, experiment, options } = event.data;
  const started = performance.now();
  let last = 0;
  try {
    const run = EXPERIMENTS[experiment] as (options: object, progress: Progress<Results[ExperimentName]>) => Results[ExperimentName];
    const result = run(options, (fraction, partial) => {
      const now = performance.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      post({ id, kind: "progress", fraction, result: partial });
    });
    post({ id, kind: "done", result, seconds: (performance.now() - started) / 1000 });
  } catch (error) {
    const message = error instanceof ExpressionError ? `cannot read the target: ${error.message} (at character ${error.at + 1})` : String((error as Error).message ?? error);
    post({ id, kind: "error", message });
  }
};
