/**
 * An `if` is reversed on its own condition, read again in the backward sweep. When a branch
 * assigns the condition's variable (`t = f(); if (!t) { …; t = g() }`, what `a || f()` lowers
 * to), the backward sweep would read the new value: the condition is first copied into a
 * variable of its own.
 */
import type { Function, Stmt } from "../ir/ir.ts";
import { BOOLEAN } from "../ir/ir.ts";
import { NameManager } from "../ir/names.ts";
import { forEachStmt } from "../analysis/activity.ts";
import { mapNestedBlocks } from "../ir/rename.ts";

export function isolateConditions(fn: Function): Function {
  const names = new NameManager(fn.reservedNames);
  for (const t of fn.temporaries) names.temporaries.add(t);
  let changed = false;
  const block = (stmts: Stmt[]): Stmt[] =>
    stmts.flatMap((s): Stmt[] => {
      switch (s.kind) {
        case "if": {
          const rewritten: Stmt = { ...s, then: block(s.then), else: block(s.else) };
          const cond = s.cond;
          if (cond.kind !== "var" || !assigns([...s.then, ...s.else], cond.name)) return [rewritten];
          changed = true;
          const copy = names.fresh("t", true);
          return [
            { kind: "let", name: copy, type: BOOLEAN, init: { kind: "operand", value: cond }, mutable: false, loc: s.loc },
            { ...rewritten, cond: { kind: "var", name: copy } },
          ];
        }
        default:
          return [mapNestedBlocks(s, block)];
      }
    });
  const body = block(fn.body);
  return changed ? { ...fn, body, reservedNames: names.all(), temporaries: names.temporaries } : fn;
}

function assigns(stmts: Stmt[], name: string): boolean {
  let found = false;
  forEachStmt(stmts, (s) => {
    if ((s.kind === "assign" || s.kind === "let") && s.name === name) found = true;
  });
  return found;
}
