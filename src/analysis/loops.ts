/**
 * The shape of a counted loop, recognised once for every pass that needs it (reverse mode
 * reverses such a loop by counting its counter back down; `explain` counts its iterations):
 *
 *   for (…; <prelude> counter ⋈ bound; counter = counter ± 1) body
 *
 * This module only reads the loop's syntax; what each pass further requires (a counter nothing
 * else assigns, a start it can recompute, a bound it can evaluate) stays with that pass.
 */
import type { BinaryOperator, Expr, Operand, Stmt } from "../ir/ir.ts";

export type Loop = Extract<Stmt, { kind: "loop" }>;

export interface CounterStep {
  counter: string;
  /** +1 or −1 per iteration. */
  step: 1 | -1;
}

export type Relation = "<" | "<=" | ">" | ">=";

export interface LoopTest {
  /** The prelude statement computing the condition (`t = i < n`). */
  test: Extract<Stmt, { kind: "let" }>;
  op: Relation;
  left: Operand;
  right: Operand;
}

/** `counter = counter + 1` or `counter = counter - 1` as the loop's only update (never a `do…while`). */
export function counterStep(loop: Loop): CounterStep | undefined {
  if (loop.bodyFirst || loop.update.length !== 1) return undefined;
  const update = loop.update[0]!;
  if (update.kind !== "assign" || update.value.kind !== "binary") return undefined;
  const { op, left, right } = update.value;
  if ((op !== "+" && op !== "-") || left.kind !== "var" || left.name !== update.name || right.kind !== "number" || right.value !== 1) return undefined;
  return { counter: update.name, step: op === "+" ? 1 : -1 };
}

/** The comparison the loop's condition is: a prelude `let` of `a ⋈ b` (⋈ one of `< <= > >=`). */
export function loopTest(loop: Loop): LoopTest | undefined {
  const cond = loop.test?.cond;
  if (!loop.test || cond?.kind !== "var") return undefined;
  for (const s of loop.test.prelude) {
    if (s.kind !== "let" || s.name !== cond.name || s.init?.kind !== "binary" || !isRelation(s.init.op)) continue;
    return { test: s, op: s.init.op, left: s.init.left, right: s.init.right };
  }
  return undefined;
}

/** The same relation read from the other side (`a < b` is `b > a`). */
export function mirror(op: Relation): Relation {
  return op === "<" ? ">" : op === "<=" ? ">=" : op === ">" ? "<" : "<=";
}

function isRelation(op: BinaryOperator): op is Relation {
  return op === "<" || op === "<=" || op === ">" || op === ">=";
}

/** The expression the loop's last `init` statement gives its counter, if it is that counter's definition. */
export function counterStart(loop: Loop, counter: string): Expr | undefined {
  const start = loop.init[loop.init.length - 1];
  if (!start || (start.kind !== "let" && start.kind !== "assign") || start.name !== counter) return undefined;
  return start.kind === "let" ? start.init : start.value;
}
