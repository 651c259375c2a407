/**
 * `@checkpoint`: the user asks for a loop's tape to be bounded.
 *
 *   // @checkpoint          before a loop (or its label): checkpoint this loop
 *   // @checkpoint 40       … keeping at most 40 snapshots of its state
 *   /** @checkpoint *\/     in a function's JSDoc: checkpoint each of its outermost loops
 *
 * Lowering records the request on the IR loop (`checkpoint`); reverse mode decides the schedule.
 */
import { Node, SyntaxKind } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError, type Position } from "../diagnostics/diagnostic.ts";
import type { CheckpointRequest, Stmt } from "../ir/ir.ts";
import { positionOfNode } from "../load/load.ts";
import type { SourceFunction } from "../load/functions.ts";
import { tagsOf } from "../load/tags.ts";

export const CHECKPOINT_TAG = "checkpoint";

/** The request in the comments just before a loop statement (or before the label it carries). */
export function loopCheckpoint(loop: Node): CheckpointRequest | undefined {
  const owner = loop.getParentIfKind(SyntaxKind.LabeledStatement) ?? loop;
  for (const comment of owner.getLeadingCommentRanges()) {
    const match = /@checkpoint\b([^\n*]*)/.exec(comment.getText());
    if (!match) continue;
    const { line, column } = owner.getSourceFile().getLineAndColumnAtPos(comment.getPos());
    return parseRequest(match[1]!, { file: owner.getSourceFile().getFilePath(), line, column });
  }
  return undefined;
}

/** The request of a `@checkpoint` tag in a function's JSDoc, for its outermost loops. */
export function functionCheckpoint(fn: SourceFunction): CheckpointRequest | undefined {
  const [tag] = tagsOf(fn, CHECKPOINT_TAG);
  if (!tag) return undefined;
  return parseRequest(tag.getCommentText() ?? "", positionOfNode(tag));
}

function parseRequest(text: string, at: Position): CheckpointRequest {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return {};
  const count = Number(words[0]!.replace(/^snapshots=/, ""));
  if (words.length > 1 || !Number.isInteger(count) || count < 1) throw new DiagnosticError([diagnostics.badCheckpointTag(words.join(" "), at)]);
  return { snapshots: count };
}

/** `block` with its last loop statement marked with `request` (the loop just lowered into it). */
export function markLastLoop(block: Stmt[], request: CheckpointRequest | undefined): void {
  if (!request) return;
  for (let k = block.length - 1; k >= 0; k--) {
    const stmt = block[k]!;
    if (stmt.kind === "loop") {
      block[k] = { ...stmt, checkpoint: request };
      return;
    }
  }
}
