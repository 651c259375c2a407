/**
 * Arithmetic identities that hold exactly in floating point: `x * 1`, `1 * x`, `x / 1` and
 * `x - 0` are `x` (for every x: NaN, infinities and -0 included). Reverse mode seeds an output's
 * adjoint with 1, and the chain rule then writes `0.3 * 1`; this prints `0.3`. (`x + 0` is not
 * an identity: -0 + 0 is +0.)
 */
import type { Expr, Function, Operand, Stmt } from "../ir/ir.ts";
import { mapNestedBlocks } from "../ir/rename.ts";

export function simplifyIdentities(fn: Function): Function {
  const block = (stmts: Stmt[]): Stmt[] =>
    stmts.map((s) => {
      if (s.kind === "let" && s.init) return { ...s, init: simplified(s.init) };
      if (s.kind === "assign") return { ...s, value: simplified(s.value) };
      return mapNestedBlocks(s, block);
    });
  return { ...fn, body: block(fn.body) };
}

const isNumber = (o: Operand, value: number) => o.kind === "number" && o.value === value && !Object.is(o.value, -0);

function simplified(e: Expr): Expr {
  if (e.kind !== "binary") return e;
  if (e.op === "*" && isNumber(e.right, 1)) return { kind: "operand", value: e.left };
  if (e.op === "*" && isNumber(e.left, 1)) return { kind: "operand", value: e.right };
  if (e.op === "/" && isNumber(e.right, 1)) return { kind: "operand", value: e.left };
  if (e.op === "-" && isNumber(e.right, 0)) return { kind: "operand", value: e.left };
  return e;
}
