/**
 * JSDoc tags on the user's functions:
 *
 *   /** @differentiate wrt=w,b emit=grad,hvp *\/   — differentiate this function (options optional)
 *   /** @derivativeOf softplus *\/                 — this function gives softplus's partial derivatives
 *
 * The source says what gets differentiated; command-line flags override it (see pipeline.ts).
 * A malformed tag is a diagnostic at the tag, never ignored.
 */
import { Node, type JSDocTag } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError, type Diagnostic, type Position } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "./load.ts";
import type { SourceFunction } from "./functions.ts";

export const DIFFERENTIATE_TAG = "differentiate";
export const DERIVATIVE_OF_TAG = "derivativeOf";

export interface DifferentiateTag {
  /** Parameters named by `wrt=`, checked against the function's parameters. */
  wrt?: string[];
  /** Kinds named by `emit=`, as written (the pipeline checks them against what it can emit). */
  emit?: string[];
  at: Position;
}

/** The JSDoc tags named `name` on the statement that declares `fn`. */
export function tagsOf(fn: SourceFunction, name: string): JSDocTag[] {
  const owner = Node.isVariableDeclaration(fn.declaration) ? fn.declaration.getVariableStatement() : fn.declaration;
  if (!owner || !Node.isJSDocable(owner)) return [];
  return owner.getJsDocs().flatMap((doc) => doc.getTags()).filter((tag) => tag.getTagName() === name);
}

/** The text after the tag name, on one line (`wrt=w,b emit=grad`). */
export function tagText(tag: JSDocTag): string {
  return (tag.getCommentText() ?? "").replace(/\s+/g, " ").trim();
}

/**
 * `fn`'s `@differentiate` tag, or undefined when it has none. Throws a DiagnosticError listing
 * every mistake in a malformed tag, each at the word that has it. `emitKinds`: the kinds `emit=`
 * may name.
 */
export function differentiateTag(fn: SourceFunction, emitKinds?: readonly string[]): DifferentiateTag | undefined {
  const tags = tagsOf(fn, DIFFERENTIATE_TAG);
  if (tags.length === 0) return undefined;
  if (tags.length > 1) throw new DiagnosticError([diagnostics.repeatedTag(DIFFERENTIATE_TAG, fn.name, positionOfNode(tags[1]!))]);
  const tag = tags[0]!;
  const parsed: DifferentiateTag = { at: positionOfNode(tag) };
  const params = parameterNames(fn);
  const errors: Diagnostic[] = [];
  for (const { word, at } of wordsOf(tag)) {
    const match = /^(\w+)=(.*)$/.exec(word);
    const key = match?.[1];
    const values = (match?.[2] ?? "").split(",").map((v) => v.trim()).filter(Boolean);
    if (!match || (key !== "wrt" && key !== "emit") || values.length === 0) {
      errors.push(diagnostics.badTagOption(word, at));
    } else if (key === "wrt") {
      for (const unknown of values.filter((v) => !params.includes(v))) errors.push(diagnostics.tagWrtNotAParameter(unknown, fn.name, params, at));
      parsed.wrt = values;
    } else {
      for (const unknown of values.filter((v) => emitKinds && !emitKinds.includes(v))) errors.push(diagnostics.unknownEmitKind(unknown, emitKinds!, at));
      parsed.emit = values;
    }
  }
  if (errors.length > 0) throw new DiagnosticError(errors);
  return parsed;
}

/** The words after the tag name, each with its position in the source. */
function wordsOf(tag: JSDocTag): { word: string; at: Position }[] {
  const source = tag.getSourceFile();
  const text = tag.getText();
  const found: { word: string; at: Position }[] = [];
  // Past `@differentiate`; JSDoc continuation lines (` * `) are not words.
  const after = text.indexOf(tag.getTagName()) + tag.getTagName().length;
  for (const m of text.slice(after).matchAll(/[^\s*]+(?:\*(?!\/)[^\s*]*)*/g)) {
    if (m[0] === "/") continue;
    const { line, column } = source.getLineAndColumnAtPos(tag.getStart() + after + m.index!);
    found.push({ word: m[0], at: { file: source.getFilePath(), line, column } });
  }
  return found;
}

export function parameterNames(fn: SourceFunction): string[] {
  return fn.node.getParameters().map((p) => p.getName());
}
