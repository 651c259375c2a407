/** Diagnostics are data: the CLI and the API decide how to show them. */

export interface Position {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface Diagnostic {
  /** Printed as TSADnnnn. */
  code: number;
  message: string;
  hint: string;
  at?: Position;
}

/** Thrown by a pass to stop the pipeline with diagnostics; the CLI prints them, never a trace. */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `TSAD${d.code}: ${d.message}`).join("\n"));
  }
}

/** An internal invariant failed: a bug in tsad, not in the user's code. */
export class InternalError extends Error {}
