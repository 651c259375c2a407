/** The messages between the page and the compiler worker. */
import type { ValueType } from "./values.ts";

export interface ParamInfo {
  name: string;
  type: ValueType;
  /** Has a derivative (a number, or a container of numbers): may be chosen as `wrt`. */
  differentiable: boolean;
}

export interface FunctionInfo {
  name: string;
  exported: boolean;
  params: ParamInfo[];
  returns: ValueType;
}

export interface PlotSettings {
  /** JSON text of each argument by parameter name; a missing one gets a default of its type. */
  args: Record<string, string>;
  /** Which flattened `wrt` coordinates span the plot (heat map: x and y). */
  xCoord: number;
  yCoord: number;
  /** Line plots: one curve per value of another number parameter (the sawtooth's depth 0…5). */
  family?: { param: string; values: number[] };
  /** Missing: the coordinate's value ± 2. */
  xRange?: [number, number];
  yRange?: [number, number];
}

export interface CompileRequest {
  id: number;
  source: string;
  fn?: string;
  wrt?: string[];
  emit?: string[];
  /** false: `--no-inline` (small callees stay calls). */
  inline?: boolean;
  plot?: PlotSettings;
}

export interface EditorDiagnostic {
  line: number;
  column: number;
  /** The diagnostic as the CLI prints it. */
  text: string;
  message: string;
}

export type PlotData =
  | { kind: "line"; coord: string; xs: number[]; series: { label: string; values: number[]; slopes: number[] }[] }
  | { kind: "heat"; xCoord: string; yCoord: string; xRange: [number, number]; yRange: [number, number]; size: number; values: number[]; gradX: number[]; gradY: number[] }
  | { kind: "jacobian"; rows: string[]; columns: string[]; entries: number[][]; via: string };

export interface CompileResponse {
  id: number;
  /** false: the module and diagnostics, the plot still to come; true: everything. */
  final: boolean;
  functions: FunctionInfo[];
  /** The function compiled (the requested one, or the default choice). */
  fn?: string;
  module?: string;
  diagnostics: EditorDiagnostic[];
  /** A usage mistake (an unknown function or parameter, an unavailable mode). */
  usageError?: string;
  /** The arguments the plot used, as JSON text by parameter name. */
  args?: Record<string, string>;
  /** The flattened `wrt` coordinates, by label. */
  coords?: string[];
  /** The ranges the plot spans (the ones asked for, or the defaults). */
  xRange?: [number, number];
  yRange?: [number, number];
  /** The coordinates the heat map spans (indices into `coords`). */
  xCoord?: number;
  yCoord?: number;
  plot?: PlotData;
  plotMessage?: string;
  /** `tsad explain`'s report (evaluated at the sizes listed), or why there is none. */
  explain?: { text: string; sizes: string[] } | { error: string };
  /** Milliseconds spent compiling (the displayed module). */
  compileMs?: number;
}

export interface WorkerReady {
  ready: true;
  /** The `--emit` kinds this build of tsad generates. */
  kinds: string[];
}
