/** tsad's programmatic API: what `import { compile } from "tsad"` gives. */
export { compile, EMIT_KINDS, UsageError, type CompileOptions, type CompileResult, type EmitKind, type GeneratedModule, type SourceText } from "./pipeline.ts";
export type { Diagnostic, Position } from "./diagnostics/diagnostic.ts";
export { formatDiagnostic } from "./diagnostics/format.ts";
