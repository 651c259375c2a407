/**
 * Arithmetic identities that hold exactly in floating point: `x * 1`, `1 * x`, `x / 1` and
 * `x - 0` are `x` (for every x: NaN, infinities and -0 included). Reverse mode seeds an output's
 * adjoint with 1 (`const yBar = 1`), and the chain rule then writes `0.3 * yBar`; this prints
 * `0.3`. Constants are followed through `const` declarations, in the scope they are visible in.
 * (`x + 0` is not an identity: -0 + 0 is +0.)
 */
import type { Expr, Function, Operand, Stmt } from "../ir/ir.ts";
import { mapNestedBlocks } from "../ir/rename.ts";

export function simplifyIdentities(fn: Function): Function {
  const block = (stmts: Stmt[], outer: ReadonlyMap<string, number>): Stmt[] => {
    const constants = new Map(outer);
    return stmts.map((s) => {
      if (s.kind === "let") {
        const init = s.init && simplified(s.init, constants);
        // A declaration hides an outer constant of its name; a `const` of a literal is one.
        constants.delete(s.name);
        if (!s.mutable && init?.kind === "operand" && init.value.kind === "number") constants.set(s.name, init.value.value);
        return init ? { ...s, init } : s;
      }
      if (s.kind === "assign") return { ...s, value: simplified(s.value, constants) };
      if (s.kind === "loop") {
        // The initializer's and the test's declarations are visible in the rest of the loop.
        const visible = new Map(constants);
        for (const d of [...s.init, ...(s.test?.prelude ?? [])]) if (d.kind === "let") visible.delete(d.name);
        return { ...s, init: block(s.init, constants), test: s.test && { prelude: block(s.test.prelude, visible), cond: s.test.cond }, body: block(s.body, visible), update: block(s.update, visible) };
      }
      return mapNestedBlocks(s, (inner) => block(inner, constants));
    });
  };
  return { ...fn, body: block(fn.body, new Map()) };
}

function simplified(e: Expr, constants: ReadonlyMap<string, number>): Expr {
  const isNumber = (o: Operand, value: number) => {
    const known = o.kind === "number" ? o.value : o.kind === "var" ? constants.get(o.name) : undefined;
    return known === value && !Object.is(known, -0);
  };
  if (e.kind !== "binary") return e;
  if (e.op === "*" && isNumber(e.right, 1)) return { kind: "operand", value: e.left };
  if (e.op === "*" && isNumber(e.left, 1)) return { kind: "operand", value: e.right };
  if (e.op === "/" && isNumber(e.right, 1)) return { kind: "operand", value: e.left };
  if (e.op === "-" && isNumber(e.right, 0)) return { kind: "operand", value: e.left };
  return e;
}
