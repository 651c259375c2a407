/**
 * Which functions of the input files get differentiated, and with which options.
 *
 * Precedence, strongest first: the caller's options (command-line flags), the function's
 * `@differentiate` tag, the config file's defaults, tsad's defaults. Without `fn`, the targets of
 * a file are its `@differentiate`-tagged functions and class methods, or, when it has none, its
 * exported functions (`--fn Vec2.norm` names a method);
 * derivative-rule companions and functions that have a rule are never targets by default.
 */
import type { SourceFile } from "ts-morph";
import { DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { UserRules } from "../rules/user-rules.ts";
import { differentiableFunctions, type SourceFunction } from "./functions.ts";
import { differentiateTag, type DifferentiateTag } from "./tags.ts";

export interface Target {
  source: SourceFunction;
  tag?: DifferentiateTag;
}

export interface FileTargets {
  file: SourceFile;
  targets: Target[];
}

/**
 * The targets of each input file. `wanted` are names given by the caller (`--fn`); a wanted name
 * found in no file is reported by the caller. Throws a DiagnosticError for malformed tags.
 */
export function selectTargets(inputs: SourceFile[], wanted: readonly string[], rules: UserRules, emitKinds: readonly string[]): FileTargets[] {
  const errors: Diagnostic[] = [];
  const result = inputs.map((file) => {
    const candidates: Target[] = [];
    for (const source of differentiableFunctions(file)) {
      if (rules.isCompanion(source) && !wanted.includes(source.name)) continue;
      try {
        candidates.push({ source, tag: differentiateTag(source, emitKinds) });
      } catch (error) {
        if (error instanceof DiagnosticError) errors.push(...error.diagnostics);
        else throw error;
      }
    }
    const tagged = candidates.filter((t) => t.tag);
    const targets =
      wanted.length > 0
        ? candidates.filter((t) => wanted.includes(t.source.name))
        : tagged.length > 0
          ? tagged
          : candidates.filter((t) => t.source.exported && !rules.hasRule(t.source));
    return { file, targets };
  });
  if (errors.length > 0) throw new DiagnosticError(errors);
  return result;
}

/** Whether any function of `file` carries a `@differentiate` tag (build mode skips files without one). */
export function hasDifferentiateTag(file: SourceFile): boolean {
  return differentiableFunctions(file).some((fn) => {
    try {
      return differentiateTag(fn) !== undefined;
    } catch {
      return true;
    }
  });
}
