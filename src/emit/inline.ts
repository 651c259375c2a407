/**
 * Which compiler temporaries the emitter prints in place of their use. A temporary is folded
 * when it is used exactly once, by a statement later in the same block, and everything between
 * its definition and that use only defines new values or assigns variables it does not read
 * (so what it reads cannot have changed).
 * A call is folded only into the very next statement: moving it past anything else could
 * reorder its writes with other reads.
 */
import type { Expr, Function, Operand, Stmt } from "../ir/ir.ts";

export interface InlinePlan {
  /** The `let` statements to print in place of their single use (by identity: one name may be declared in several blocks). */
  inline: Set<Stmt>;
}

export function planInlining(fn: Function): InlinePlan {
  // Uses are counted in the block that declares a name (and the blocks inside it): reverse mode
  // declares the same temporary in a forward loop and again in its backward twin.
  const usesIn = (block: Stmt[]) => {
    const uses = new Map<string, number>();
    visitAll(block, (s) => directOperands(s).forEach((o) => o.kind === "var" && uses.set(o.name, (uses.get(o.name) ?? 0) + 1)));
    return uses;
  };
  const inline = new Set<Stmt>();
  /** Variables an expression reads, through the temporaries folded into it. */
  const reads = new Map<string, Set<string>>();
  const impure = new Set<string>();
  const readsOf = (e: Expr): Set<string> => {
    const found = new Set<string>();
    for (const o of exprOperands(e)) {
      if (o.kind !== "var") continue;
      found.add(o.name);
      for (const r of reads.get(o.name) ?? []) found.add(r);
    }
    return found;
  };
  const planBlock = (block: Stmt[], trailing?: Operand) => {
    const uses = usesIn(block);
    if (trailing?.kind === "var") uses.set(trailing.name, (uses.get(trailing.name) ?? 0) + 1);
    for (let j = 0; j < block.length; j++) {
      const def = block[j]!;
      if (def.kind !== "let" || def.mutable || !def.init || !fn.temporaries.has(def.name) || uses.get(def.name) !== 1) continue;
      // Calls and tape pops change state (also when folded into this temporary): they may
      // only move into the very next statement.
      const isCall = def.init.kind === "call" || def.init.kind === "pop" || exprOperands(def.init).some((o) => o.kind === "var" && impure.has(o.name));
      const defReads = readsOf(def.init);
      for (let k = j + 1; k <= block.length; k++) {
        const s = block[k];
        const operands = s ? directOperands(s) : trailing ? [trailing] : [];
        if (operands.some((o) => o.kind === "var" && o.name === def.name)) {
          inline.add(def);
          break;
        }
        if (!s) break;
        if (s.kind === "comment") continue;
        // Nothing but new definitions may stand between; a call must be used at once.
        if (isCall) break;
        const definesNew = s.kind === "let" && s.init !== undefined && s.init.kind !== "call" && s.init.kind !== "pop";
        const assignsUnread = s.kind === "assign" && s.value.kind !== "call" && s.value.kind !== "pop" && !defReads.has(s.name);
        if (!definesNew && !assignsUnread) break;
      }
      if (inline.has(def)) reads.set(def.name, defReads);
      if (inline.has(def) && isCall) impure.add(def.name);
    }
  };
  const walk = (block: Stmt[], trailing?: Operand) => {
    planBlock(block, trailing);
    for (const s of block) {
      if (s.kind === "if") {
        walk(s.then);
        walk(s.else);
      } else if (s.kind === "loop") {
        walk(s.init);
        if (s.test) walk(s.test.prelude, s.test.cond);
        walk(s.body);
        walk(s.update);
      } else if (s.kind === "block") {
        walk(s.body);
      }
    }
  };
  walk(fn.body);
  return { inline };
}

function visitAll(block: Stmt[], visit: (s: Stmt) => void): void {
  for (const s of block) {
    visit(s);
    if (s.kind === "if") {
      visitAll(s.then, visit);
      visitAll(s.else, visit);
    } else if (s.kind === "loop") {
      visitAll(s.init, visit);
      if (s.test) {
        visitAll(s.test.prelude, visit);
        visit({ kind: "return", value: s.test.cond });
      }
      visitAll(s.body, visit);
      visitAll(s.update, visit);
    } else if (s.kind === "block") {
      visitAll(s.body, visit);
    }
  }
}

/** The operands a statement evaluates itself (not those of nested blocks). */
export function directOperands(s: Stmt): Operand[] {
  switch (s.kind) {
    case "let":
      return s.init ? exprOperands(s.init) : [];
    case "assign":
      return [{ kind: "var", name: s.name }, ...exprOperands(s.value)];
    case "setIndex":
      return [s.object, s.index, s.value];
    case "setField":
    case "fill":
      return [s.object, s.value];
    case "push":
      return [s.object, ...s.values];
    case "drop":
      return [s.object];
    case "callStmt":
    case "trace":
      return s.args;
    case "if":
      return [s.cond];
    case "return":
      return s.value ? [s.value] : [];
    default:
      return [];
  }
}

export function exprOperands(e: Expr): Operand[] {
  switch (e.kind) {
    case "operand":
      return [e.value];
    case "unary":
      return [e.arg];
    case "binary":
      return [e.left, e.right];
    case "select":
      return [e.cond, e.whenTrue, e.whenFalse];
    case "math":
    case "call":
      return e.args;
    case "index":
      return [e.object, e.index];
    case "field":
    case "length":
      return [e.object];
    case "arrayLiteral":
      return e.elements;
    case "recordLiteral":
      return e.fields.map((f) => f.value);
    case "newArray":
      return e.fill ? [e.length, e.fill] : [e.length];
    case "copy":
      return [e.source, ...(e.start ? [e.start] : []), ...(e.end ? [e.end] : [])];
    case "zerosLike":
      return [e.like];
    case "pop":
      return [e.object];
  }
}
