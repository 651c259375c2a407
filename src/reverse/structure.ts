/**
 * Jumps to flags: rewrites `break`, `continue` and early `return` into boolean flags and guards,
 * so that reverse mode only ever reverses sequences, `if`s and loops that run to their test.
 *
 * - `return v` anywhere → `result = v; returned = true`, and the function ends in `return result`;
 * - `break L` → `stopL = true`; `continue L` → `skipL = true`;
 * - after a statement that may set a flag, the rest of its block runs under `if (!flag)`;
 * - a loop whose body may set a flag stops when it is set: its test (and update) run under
 *   `if (!flag)`, its `continue` flag is cleared at the top of each iteration;
 * - a labelled block's `break` flag is cleared when the block starts.
 *
 * Functions without jumps (besides a final `return`) are left exactly as they are.
 */
import type { Function, Operand, Stmt, Type } from "../ir/ir.ts";
import { BOOLEAN, ref } from "../ir/ir.ts";
import { NameManager, capitalize } from "../ir/names.ts";

export function removeJumps(fn: Function): Function {
  if (!hasJumps(fn.body)) return fn;
  return new JumpRemover(fn).run();
}

function hasJumps(body: Stmt[]): boolean {
  let found = false;
  const visit = (block: Stmt[], top: boolean) =>
    block.forEach((s, i) => {
      if (s.kind === "break" || s.kind === "continue") found = true;
      if (s.kind === "return" && !(top && i === block.length - 1)) found = true;
      if (s.kind === "if") {
        visit(s.then, false);
        visit(s.else, false);
      } else if (s.kind === "loop") {
        [s.init, s.test?.prelude ?? [], s.body, s.update].forEach((b) => visit(b, false));
      } else if (s.kind === "block") visit(s.body, false);
    });
  visit(body, true);
  return found;
}

interface Target {
  label?: string;
  isLoop: boolean;
  breakFlag?: string;
  continueFlag?: string;
}

class JumpRemover {
  private readonly names: NameManager;
  private readonly declarations: Stmt[] = [];
  private readonly targets: Target[] = [];
  private returnFlag?: string;
  private resultVar?: string;

  constructor(private readonly fn: Function) {
    this.names = new NameManager(fn.reservedNames);
    for (const t of fn.temporaries) this.names.temporaries.add(t);
  }

  run(): Function {
    const { stmts } = this.block(this.fn.body);
    const body = [...this.declarations, ...stmts];
    if (this.resultVar) body.push({ kind: "return", value: ref(this.resultVar) });
    return { ...this.fn, body, reservedNames: this.names.all(), temporaries: this.names.temporaries };
  }

  private flag(base: string): string {
    const name = this.names.fresh(base);
    this.declarations.push({ kind: "let", name, type: BOOLEAN, init: { kind: "operand", value: { kind: "boolean", value: false } }, mutable: true });
    return name;
  }

  private set(name: string, value: boolean, s?: Stmt): Stmt {
    return { kind: "assign", name, value: { kind: "operand", value: { kind: "boolean", value } }, loc: s?.loc };
  }

  /** Statements computing `!(f1 || f2 || …)` into a temporary, and that temporary. */
  private noneSet(flags: string[], out: Stmt[]): Operand {
    let any: Operand = ref(flags[0]!);
    for (const f of flags.slice(1)) {
      const name = this.names.fresh("t", true);
      out.push({ kind: "let", name, type: BOOLEAN, init: { kind: "binary", op: "||", left: any, right: ref(f) }, mutable: false });
      any = ref(name);
    }
    const none = this.names.fresh("t", true);
    out.push({ kind: "let", name: none, type: BOOLEAN, init: { kind: "unary", op: "!", arg: any }, mutable: false });
    return ref(none);
  }

  /** Rewrites a block; returns it and the flags it may leave set (jumps out of it). */
  private block(block: Stmt[]): { stmts: Stmt[]; flags: Set<string> } {
    const out: Stmt[] = [];
    const flags = new Set<string>();
    for (let i = 0; i < block.length; i++) {
      const { stmts, flags: set } = this.stmt(block[i]!);
      out.push(...stmts);
      if (set.size > 0) {
        set.forEach((f) => flags.add(f));
        const rest = this.block(block.slice(i + 1));
        rest.flags.forEach((f) => flags.add(f));
        if (rest.stmts.length > 0) {
          const cond = this.noneSet([...set], out);
          out.push({ kind: "if", cond, then: rest.stmts, else: [], loc: block[i + 1]?.loc });
        }
        break;
      }
    }
    return { stmts: out, flags };
  }

  private stmt(s: Stmt): { stmts: Stmt[]; flags: Set<string> } {
    switch (s.kind) {
      case "return": {
        if (!this.returnFlag) {
          this.returnFlag = this.flag("returned");
          if (this.fn.returnType.kind !== "void") {
            this.resultVar = this.names.fresh("result");
            this.declarations.push({ kind: "let", name: this.resultVar, type: this.fn.returnType as Type, mutable: true, definite: true });
          }
        }
        const stmts: Stmt[] = [];
        if (s.value && this.resultVar) stmts.push({ kind: "assign", name: this.resultVar, value: { kind: "operand", value: s.value }, loc: s.loc });
        stmts.push(this.set(this.returnFlag, true, s));
        return { stmts, flags: new Set([this.returnFlag]) };
      }
      case "break":
      case "continue": {
        const target = this.findTarget(s.label);
        const key = s.kind === "break" ? "breakFlag" : "continueFlag";
        target[key] ??= this.flag(`${s.kind === "break" ? "stop" : "skip"}${target.label ? capitalize(target.label) : ""}`);
        return { stmts: [this.set(target[key]!, true, s)], flags: new Set([target[key]!]) };
      }
      case "if": {
        const a = this.block(s.then);
        const b = this.block(s.else);
        return { stmts: [{ ...s, then: a.stmts, else: b.stmts }], flags: new Set([...a.flags, ...b.flags]) };
      }
      case "block": {
        const target: Target = { label: s.label, isLoop: false };
        this.targets.push(target);
        const inner = this.block(s.body);
        this.targets.pop();
        const flags = new Set([...inner.flags].filter((f) => f !== target.breakFlag));
        const reset = target.breakFlag ? [this.set(target.breakFlag, false, s)] : [];
        return { stmts: [{ ...s, label: undefined, body: [...reset, ...inner.stmts] }], flags };
      }
      case "loop":
        return this.loop(s);
      default:
        return { stmts: [s], flags: new Set() };
    }
  }

  private findTarget(label: string | undefined): Target {
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const t = this.targets[i]!;
      if (label ? t.label === label : t.isLoop) return t;
    }
    throw new Error(`no target for a jump${label ? ` to ${label}` : ""}`);
  }

  private loop(s: Extract<Stmt, { kind: "loop" }>): { stmts: Stmt[]; flags: Set<string> } {
    const target: Target = { label: s.label, isLoop: true };
    this.targets.push(target);
    const body = this.block(s.body);
    this.targets.pop();
    const init = this.block(s.init).stmts;
    const update = this.block(s.update).stmts;
    const prelude = s.test ? this.block(s.test.prelude).stmts : [];
    // Flags that end the loop: its own break and every jump out of it.
    const stopping = [...body.flags].filter((f) => f !== target.continueFlag);
    const outer = new Set(stopping.filter((f) => f !== target.breakFlag));
    if (stopping.length === 0) {
      const clear = target.continueFlag ? [this.set(target.continueFlag, false, s)] : [];
      return { stmts: [{ ...s, label: undefined, init, update, test: s.test && { prelude, cond: s.test.cond }, body: [...clear, ...body.stmts] }], flags: outer };
    }
    // The test runs only while no flag is set: `go = !flags && (prelude; cond)`.
    const go = this.names.fresh("t", true);
    const testPrelude: Stmt[] = [{ kind: "let", name: go, type: BOOLEAN, init: { kind: "operand", value: { kind: "boolean", value: false } }, mutable: true }];
    const running = this.noneSet(stopping, testPrelude);
    testPrelude.push({
      kind: "if",
      cond: running,
      then: s.test ? [...prelude, { kind: "assign", name: go, value: { kind: "operand", value: s.test.cond } }] : [this.set(go, true)],
      else: [],
      loc: s.loc,
    });
    const guardedUpdate: Stmt[] = [];
    if (update.length > 0) {
      const cond = this.noneSet(stopping, guardedUpdate);
      guardedUpdate.push({ kind: "if", cond, then: update, else: [], loc: s.loc });
    }
    const clearContinue = target.continueFlag ? [this.set(target.continueFlag, false, s)] : [];
    const clearBreak = target.breakFlag ? [this.set(target.breakFlag, false, s)] : [];
    const loop: Stmt = {
      ...s,
      label: undefined,
      init: [...clearBreak, ...init],
      test: { prelude: testPrelude, cond: ref(go) },
      update: guardedUpdate,
      body: [...clearContinue, ...body.stmts],
    };
    return { stmts: [loop], flags: outer };
  }
}
