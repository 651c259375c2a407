/**
 * Dead code in generated functions: a variable that nothing reads is not computed. Activity
 * analysis looks forward only (what varies), so it gives a tangent to values that never reach
 * the output — a field read for a loop bound, say; reverse mode aliases an adjoint in a sweep
 * that never uses it (`const rowBar = rowsBar[i]`), and control flow leaves flags that nothing
 * tests. This pass removes them, and the `if`s left with nothing to do, to a fixpoint, so that
 * the output passes `noUnusedLocals`.
 *
 * Names are not unique in a function (each sweep declares its own `rowBar`), so reads are
 * resolved by scope: a declaration is dead when no read that it is visible to uses its name —
 * later in its block, and for a loop's initializer and test, anywhere the loop goes on to run.
 * Calls stay (they may write into their arguments) and a pop keeps its tape in step: they lose
 * only the name.
 */
import type { Function, Operand, Stmt } from "../ir/ir.ts";
import { exprOperands } from "../emit/inline.ts";

export function removeDeadCode(fn: Function): Function {
  let body = fn.body;
  for (;;) {
    const pruner = new Pruner();
    // A parameter that nothing reads: assignments to it are dead too.
    const read = pruner.free(body);
    body = pruner.block(body, new Set(fn.params.map((p) => p.name).filter((name) => !read.has(name))));
    if (!pruner.removed) return { ...fn, body };
  }
}

/** The names `body` reads from outside it (its parameters, among others). */
export function freeReads(body: Stmt[]): ReadonlySet<string> {
  return new Pruner().free(body);
}

const NOTHING: ReadonlySet<string> = new Set();

class Pruner {
  removed = false;
  private readonly memo = new WeakMap<Stmt, ReadonlySet<string>>();

  /**
   * `dead`: names whose declaration was removed (their assignments go too); `visibleAfter`:
   * reads after the block that its declarations are still visible to (a loop test's prelude is
   * followed by its condition and body in one scope).
   */
  block(block: Stmt[], dead: ReadonlySet<string>, visibleAfter: ReadonlySet<string> = NOTHING): Stmt[] {
    // The reads after each statement that a declaration there would be visible to.
    const after: ReadonlySet<string>[] = new Array(block.length);
    let reads = visibleAfter;
    for (let k = block.length - 1; k >= 0; k--) {
      after[k] = reads;
      const s = block[k]!;
      reads = union(s.kind === "let" ? without(reads, s.name) : reads, this.reads(s));
    }
    const out: Stmt[] = [];
    let deadHere = dead;
    for (let k = 0; k < block.length; k++) {
      const s = block[k]!;
      if (s.kind === "let") {
        if (!after[k]!.has(s.name)) {
          deadHere = union(deadHere, new Set([s.name]));
          out.push(...this.remains(s.init, s));
          continue;
        }
        if (deadHere.has(s.name)) deadHere = without(deadHere, s.name);
      }
      if (s.kind === "assign" && deadHere.has(s.name)) {
        out.push(...this.remains(s.value, s));
        continue;
      }
      const kept = this.nested(s, deadHere);
      // An `if` whose branches lost everything tests nothing (its condition is an operand).
      if (kept.kind === "if" && [...kept.then, ...kept.else].every((b) => b.kind === "comment")) {
        this.removed = true;
        continue;
      }
      out.push(kept);
    }
    return out;
  }

  private nested(s: Stmt, dead: ReadonlySet<string>): Stmt {
    switch (s.kind) {
      case "if":
        return { ...s, then: this.block(s.then, dead), else: this.block(s.else, dead) };
      case "block":
        return { ...s, body: this.block(s.body, dead) };
      case "loop": {
        // The initializer's declarations are visible to the whole loop, every iteration; the
        // test's prelude, to the condition and the body (emitted in one block with them).
        const body = this.free(s.body);
        const test = s.test ? union(this.free(s.test.prelude), union(body, readOf(s.test.cond))) : body;
        const init = this.block(s.init, dead, union(test, this.free(s.update)));
        // A name the initializer declares is the loop's own, whatever became of an outer one.
        const inLoop = s.init.reduce((names, d) => (d.kind === "let" ? without(names, d.name) : names), dead);
        const prelude = s.test && this.block(s.test.prelude, inLoop, union(body, readOf(s.test.cond)));
        return { ...s, init, test: s.test && { prelude: prelude!, cond: s.test.cond }, body: this.block(s.body, inLoop), update: this.block(s.update, inLoop) };
      }
      default:
        return s;
    }
  }

  /** What is left of a dead definition: a call without its result, a pop as a drop. */
  private remains(value: Extract<Stmt, { kind: "let" }>["init"], s: Stmt): Stmt[] {
    this.removed = true;
    if (value?.kind === "call") return [{ kind: "callStmt", callee: value.callee, args: value.args, loc: s.loc }];
    if (value?.kind === "pop") return [{ kind: "drop", object: value.object, loc: s.loc }];
    return [];
  }

  /** The names a block (and `readAfter`, read in its scope after it) reads that it does not declare itself before the read. */
  free(block: Stmt[], readAfter: ReadonlySet<string> = NOTHING): ReadonlySet<string> {
    let reads = readAfter;
    for (let k = block.length - 1; k >= 0; k--) {
      const s = block[k]!;
      reads = union(s.kind === "let" ? without(reads, s.name) : reads, this.reads(s));
    }
    return reads;
  }

  /** The names one statement reads from outside it (an assignment `x = x + e` does not read x: it only updates it). */
  private reads(s: Stmt): ReadonlySet<string> {
    const known = this.memo.get(s);
    if (known) return known;
    const found = new Set<string>();
    const read = (o: Operand | undefined) => {
      if (o?.kind === "var") found.add(o.name);
    };
    const readAll = (names: ReadonlySet<string>) => names.forEach((n) => found.add(n));
    switch (s.kind) {
      case "let":
        if (s.init) exprOperands(s.init).forEach(read);
        break;
      case "assign":
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
        readAll(this.free(s.then));
        readAll(this.free(s.else));
        break;
      case "loop": {
        // The test's prelude, condition and body share one scope: the prelude's declarations are theirs.
        const inner = union(s.test ? this.free(s.test.prelude, union(readOf(s.test.cond), this.free(s.body))) : this.free(s.body), this.free(s.update));
        const declared = new Set(s.init.flatMap((d) => (d.kind === "let" ? [d.name] : [])));
        readAll(this.free(s.init));
        for (const name of inner) if (!declared.has(name)) found.add(name);
        break;
      }
      case "block":
        readAll(this.free(s.body));
        break;
    }
    this.memo.set(s, found);
    return found;
  }
}

function readOf(o: Operand): ReadonlySet<string> {
  return o.kind === "var" ? new Set([o.name]) : NOTHING;
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  const all = new Set(a);
  for (const name of b) all.add(name);
  return all;
}

function without(set: ReadonlySet<string>, name: string): ReadonlySet<string> {
  if (!set.has(name)) return set;
  const rest = new Set(set);
  rest.delete(name);
  return rest;
}
