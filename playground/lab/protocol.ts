/** Messages between the Lab page and its worker. */
import type { ApproximationResult, CurvatureResult, GeneralisationResult, NtkResult } from "../../lab/experiments.ts";

export type ExperimentName = "approximation" | "generalisation" | "curvature" | "ntk";

export interface Results {
  approximation: ApproximationResult;
  generalisation: GeneralisationResult;
  curvature: CurvatureResult;
  ntk: NtkResult;
}

export interface RunRequest {
  id: number;
  experiment: ExperimentName;
  options: Record<string, unknown>;
}

export type RunMessage =
  | { id: number; kind: "progress"; fraction: number; result: Results[ExperimentName] }
  | { id: number; kind: "done"; result: Results[ExperimentName]; seconds: number }
  | { id: number; kind: "error"; message: string };
