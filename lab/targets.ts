/** The functions the networks learn, on x ∈ [−1, 1]. */
import { parseExpression, type Expression } from "./expression.ts";

export const TARGETS = {
  sin: { label: "sin(πx)", fn: (x: number) => Math.sin(Math.PI * x) },
  abs: { label: "|x|", fn: (x: number) => Math.abs(x) },
  step: { label: "step: 0 for x < 0, 1 after", fn: (x: number) => (x < 0 ? 0 : 1) },
  sawtooth: { label: "sawtooth of depth 3", fn: (x: number) => sawtooth(x, 3) },
} satisfies Record<string, { label: string; fn: Expression }>;

export type TargetName = keyof typeof TARGETS;

/** f_0 = x, f_l = 2·relu(f_(l−1)) + 2·relu(−f_(l−1)) − 2, scaled here to [−1, 1]. */
export function sawtooth(x: number, depth: number): number {
  let f = x;
  for (let l = 1; l <= depth; l++) f = 2 * Math.max(0, f) + 2 * Math.max(0, -f) - 2;
  return depth >= 2 ? f / 2 : f;
}

/** A built-in target by name, or else `text` parsed as an expression in x. */
export function targetFunction(name: string, text?: string): Expression {
  if (Object.hasOwn(TARGETS, name)) return TARGETS[name as TargetName].fn;
  if (name === "custom") return parseExpression(text ?? "");
  throw new Error(`unknown target '${name}': use ${[...Object.keys(TARGETS), "custom"].join(", ")}`);
}
