/**
 * Dead derivative code: a tangent or temporary that nothing reads is not computed. Activity
 * analysis looks forward only (what varies), so it gives a tangent to values that never reach
 * the output — a field read for a loop bound, say; this pass removes them, to a fixpoint.
 * Only compiler-made names are removed; calls stay (they may write into their arguments).
 */
import type { Function, Operand, Stmt } from "../ir/ir.ts";
import { exprOperands } from "../emit/inline.ts";

export function removeDeadCode(fn: Function, removable: ReadonlySet<string>): Function {
  let body = fn.body;
  for (;;) {
    const reads = new Map<string, number>();
    countReads(body, reads);
    let removed = false;
    const prune = (block: Stmt[]): Stmt[] =>
      block.flatMap((s): Stmt[] => {
        if ((s.kind === "let" || s.kind === "assign") && removable.has(s.name) && !reads.get(s.name)) {
          const value = s.kind === "let" ? s.init : s.value;
          removed = true;
          // A call may write into its arguments and a pop keeps a tape in step: they stay, without the name.
          if (value?.kind === "call") return [{ kind: "callStmt", callee: value.callee, args: value.args, loc: s.loc }];
          if (value?.kind === "pop") return [{ kind: "drop", object: value.object, loc: s.loc }];
          return [];
        }
        switch (s.kind) {
          case "if":
            return [{ ...s, then: prune(s.then), else: prune(s.else) }];
          case "loop":
            return [{ ...s, init: prune(s.init), test: s.test && { prelude: prune(s.test.prelude), cond: s.test.cond }, body: prune(s.body), update: prune(s.update) }];
          case "block":
            return [{ ...s, body: prune(s.body) }];
          default:
            return [s];
        }
      });
    body = prune(body);
    if (!removed) return { ...fn, body };
  }
}

function countReads(block: Stmt[], reads: Map<string, number>): void {
  const read = (o: Operand | undefined) => {
    if (o?.kind === "var") reads.set(o.name, (reads.get(o.name) ?? 0) + 1);
  };
  for (const s of block) {
    switch (s.kind) {
      case "let":
        if (s.init) exprOperands(s.init).forEach(read);
        break;
      case "assign":
        // `x = x + e` alone does not keep x alive.
        exprOperands(s.value).forEach((o) => (o.kind === "var" && o.name === s.name ? undefined : read(o)));
        break;
      case "setIndex":
        [s.object, s.index, s.value].forEach(read);
        break;
      case "setField":
      case "fill":
        [s.object, s.value].forEach(read);
        break;
      case "push":
        [s.object, ...s.values].forEach(read);
        break;
      case "drop":
        read(s.object);
        break;
      case "callStmt":
      case "trace":
        s.args.forEach(read);
        break;
      case "return":
        read(s.value);
        break;
      case "if":
        read(s.cond);
        countReads(s.then, reads);
        countReads(s.else, reads);
        break;
      case "loop":
        countReads(s.init, reads);
        if (s.test) {
          countReads(s.test.prelude, reads);
          read(s.test.cond);
        }
        countReads(s.body, reads);
        countReads(s.update, reads);
        break;
      case "block":
        countReads(s.body, reads);
        break;
    }
  }
}

