/**
 * A derivative function's tapes, rewritten for the level that differentiates it again: a pop
 * (`v = tape.pop()`, or a drop) becomes a read below a counter that goes down
 * (`tapeTop--; v = tape[tapeTop]`), and a push also counts up. Reverse mode differentiates those
 * reads and pushes as it does any user code; a popping tape is a construct of its own output it
 * would otherwise have to reverse (restoring what was popped). The tape keeps its entries (it is
 * local to the call). Where a push may come after a pop (a checkpointed loop's reversal tapes
 * and reverses one range of steps after another), a push writes at the counter instead
 * (`tape[tapeTop] = v; tapeTop++`), over what was popped. A tape used otherwise (reassigned, or
 * read by index or length) is left as it is.
 */
import { forEachStmt } from "../analysis/activity.ts";
import type { Expr, Function, Stmt, Type } from "../ir/ir.ts";
import { NUMBER, num, ref } from "../ir/ir.ts";
import { NameManager } from "../ir/names.ts";
import { readsOf } from "../reverse/writer/base.ts";
import { mapNestedBlocks } from "../ir/rename.ts";

export function tapesAsArrays(fn: Function): Function {
  const tapes = poppedTapes(fn);
  if (tapes.size === 0) return fn;
  const names = new NameManager(fn.reservedNames);
  for (const name of fn.reservedNames) names.claim(name);
  const counters = new Map([...tapes.keys()].map((tape) => [tape, names.fresh(`${tape}Top`)]));
  const step = (tape: string, by: number): Stmt => ({ kind: "assign", name: counters.get(tape)!, value: { kind: "binary", op: by > 0 ? "+" : "-", left: ref(counters.get(tape)!), right: num(Math.abs(by)) } });
  const popped = (e: Expr | undefined): string | undefined => (e?.kind === "pop" && e.object.kind === "var" && tapes.has(e.object.name) ? e.object.name : undefined);
  const rewrite = (block: Stmt[]): Stmt[] =>
    block.flatMap((s): Stmt[] => {
      switch (s.kind) {
        case "let": {
          if (tapes.has(s.name)) {
            // A pullback's tapes arrive full (from its forward half): the counter starts at their length.
            const type: Type = { kind: "array", element: (s.type as Extract<Type, { kind: "array" }>).element };
            const declaration: Stmt = s.type.kind === "array" && s.type.stack ? { ...s, type, init: { kind: "arrayLiteral", elements: [], type }, mutable: false } : s;
            return [declaration, { kind: "let", name: counters.get(s.name)!, type: NUMBER, init: { kind: "length", object: ref(s.name) }, mutable: true, loc: s.loc }];
          }
          const tape = popped(s.init);
          if (tape) return [step(tape, -1), { ...s, init: { kind: "index", object: ref(tape), index: ref(counters.get(tape)!) } }];
          return [s];
        }
        case "assign": {
          const tape = popped(s.value);
          if (tape) return [step(tape, -1), { ...s, value: { kind: "index", object: ref(tape), index: ref(counters.get(tape)!) } }];
          return [s];
        }
        case "push": {
          if (s.object.kind !== "var" || !tapes.has(s.object.name)) return [s];
          const tape = s.object.name;
          if (!tapes.get(tape)) return [s, step(tape, s.values.length)];
          return s.values.flatMap((value): Stmt[] => [{ kind: "setIndex", object: ref(tape), index: ref(counters.get(tape)!), value }, step(tape, 1)]);
        }
        case "drop":
          return s.object.kind === "var" && tapes.has(s.object.name) ? [step(s.object.name, -1)] : [s];
        default:
          return [mapNestedBlocks(s, rewrite)];
      }
    });
  return { ...fn, body: rewrite(fn.body), reservedNames: names.all() };
}

/**
 * Arrays declared once at the top level of `fn`, never reassigned, popped or dropped, read by
 * nothing else; by name, whether a push may come after a pop (in program order, or in a loop
 * that does both).
 */
function poppedTapes(fn: Function): Map<string, boolean> {
  const declaredAtTop = new Set(fn.body.filter((s) => s.kind === "let" && s.type.kind === "array").map((s) => (s as { name: string }).name));
  const events = new Map<string, ("push" | "pop")[]>();
  const note = (name: string, event: "push" | "pop") => events.set(name, [...(events.get(name) ?? []), event]);
  const declarations = new Map<string, number>();
  const assigned = new Set<string>();
  forEachStmt(fn.body, (s) => {
    if (s.kind === "let") declarations.set(s.name, (declarations.get(s.name) ?? 0) + 1);
    if (s.kind === "assign") assigned.add(s.name);
    const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
    if (value?.kind === "pop" && value.object.kind === "var") note(value.object.name, "pop");
    if (s.kind === "drop" && s.object.kind === "var") note(s.object.name, "pop");
    if (s.kind === "push" && s.object.kind === "var") note(s.object.name, "push");
  });
  // A push inside a loop that also pops comes after a pop.
  const mixedInLoop = new Set<string>();
  forEachStmt(fn.body, (s) => {
    if (s.kind !== "loop") return;
    const inside = new Map<string, Set<string>>();
    forEachStmt([...s.init, ...(s.test?.prelude ?? []), ...s.body, ...s.update], (t) => {
      const value = t.kind === "let" ? t.init : t.kind === "assign" ? t.value : undefined;
      const object = value?.kind === "pop" ? value.object : t.kind === "drop" || t.kind === "push" ? t.object : undefined;
      if (object?.kind !== "var") return;
      const kinds = inside.get(object.name) ?? new Set();
      kinds.add(t.kind === "push" ? "push" : "pop");
      inside.set(object.name, kinds);
    });
    for (const [name, kinds] of inside) if (kinds.size > 1) mixedInLoop.add(name);
  });
  // An array read any other way (by index, by length, as an argument) is not a tape: its pops
  // change what those reads see (an adjoint array that shrinks as its pushes are undone).
  const readOtherwise = new Set<string>();
  forEachStmt(fn.body, (s) => {
    const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
    if (value?.kind === "pop" || s.kind === "drop") return;
    if (s.kind === "push") return s.values.forEach((v) => v.kind === "var" && readOtherwise.add(v.name));
    if (s.kind === "if" || s.kind === "loop" || s.kind === "block") {
      const cond = s.kind === "if" ? s.cond : s.kind === "loop" ? s.test?.cond : undefined;
      if (cond?.kind === "var") readOtherwise.add(cond.name);
      return;
    }
    for (const name of readsOf([s])) readOtherwise.add(name);
  });
  const tapes = new Map<string, boolean>();
  for (const [name, list] of events) {
    if (!list.includes("pop") || !declaredAtTop.has(name) || declarations.get(name) !== 1 || assigned.has(name) || readOtherwise.has(name)) continue;
    tapes.set(name, mixedInLoop.has(name) || list.lastIndexOf("push") > list.indexOf("pop"));
  }
  return tapes;
}
