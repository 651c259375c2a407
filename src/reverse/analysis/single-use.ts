/**
 * Temporaries used once, in the block that declares them: their adjoint gets exactly one
 * contribution, so the backward sweep declares it with that contribution (`const tBar = …`)
 * instead of accumulating into a zero and resetting it.
 */
import { forEachStmt, type Activity } from "../../analysis/activity.ts";
import { directOperands } from "../../emit/inline.ts";
import type { Function, Operand, Stmt } from "../../ir/ir.ts";

export function singleUseTemporaries(fn: Function, activity: Activity): Set<string> {
  const uses = new Map<string, number>();
  const sameBlockUse = new Set<string>();
  const count = (o: Operand) => o.kind === "var" && uses.set(o.name, (uses.get(o.name) ?? 0) + 1);
  forEachStmt(fn.body, (s) => directOperands(s).forEach(count));
  const walk = (block: Stmt[]) => {
    const defined = new Set<string>();
    for (const s of block) if (s.kind === "let") defined.add(s.name);
    for (const s of block) {
      for (const o of directOperands(s)) if (o.kind === "var" && defined.has(o.name)) sameBlockUse.add(o.name);
      if (s.kind === "if") [s.then, s.else].forEach(walk);
      else if (s.kind === "loop") [s.init, s.test?.prelude ?? [], s.body, s.update].forEach(walk);
      else if (s.kind === "block") walk(s.body);
    }
  };
  walk(fn.body);
  const single = new Set<string>();
  for (const name of fn.temporaries) {
    const type = activity.types.get(name);
    if (type?.kind === "number" && uses.get(name) === 1 && sameBlockUse.has(name)) single.add(name);
  }
  return single;
}
