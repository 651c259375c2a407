/** tsad's programmatic API: what `import { compile } from "tsad"` gives. */
export { compile, explain, EMIT_KINDS, UsageError, type CompileOptions, type CompileResult, type EmitKind, type ExplainOptions, type ExplainResult, type GeneratedModule, type SourceText } from "./pipeline.ts";
export type { ChainCost, Explanation } from "./explain/explain.ts";
export type { Diagnostic, Position } from "./diagnostics/diagnostic.ts";
export { OUTPUT_FORMATS, type OutputFormat } from "./options.ts";
export { formatDiagnostic } from "./diagnostics/format.ts";
export { verify, type Examples, type VerifyOptions, type VerifyResult, type FunctionVerification, type CheckSummary } from "./verify/verify.ts";
