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
import { DiagnosticError, type Position } from "../diagnostics/diagnostic.ts";
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

/** `fn`'s `@differentiate` tag, or undefined when it has none. Throws a DiagnosticError if it is malformed. */
export function differentiateTag(fn: SourceFunction): DifferentiateTag | undefined {
  const tags = tagsOf(fn, DIFFERENTIATE_TAG);
  if (tags.length === 0) return undefined;
  if (tags.length > 1) throw new DiagnosticError([diagnostics.repeatedTag(DIFFERENTIATE_TAG, fn.name, positionOfNode(tags[1]!))]);
  const tag = tags[0]!;
  const at = positionOfNode(tag);
  const parsed: DifferentiateTag = { at };
  const params = parameterNames(fn);
  for (const word of tagText(tag).split(" ").filter(Boolean)) {
    const match = /^(\w+)=(.*)$/.exec(word);
    const key = match?.[1];
    const values = (match?.[2] ?? "").split(",").map((v) => v.trim()).filter(Boolean);
    if (!match || (key !== "wrt" && key !== "emit") || values.length === 0) throw new DiagnosticError([diagnostics.badTagOption(word, at)]);
    if (key === "wrt") {
      const unknown = values.find((v) => !params.includes(v));
      if (unknown) throw new DiagnosticError([diagnostics.tagWrtNotAParameter(unknown, fn.name, params, at)]);
      parsed.wrt = values;
    } else {
      parsed.emit = values;
    }
  }
  return parsed;
}

export function parameterNames(fn: SourceFunction): string[] {
  return fn.node.getParameters().map((p) => p.getName());
}
