/**
 * The to-be-recorded analysis: a variable is saved when the backward sweep reads it at a point
 * that ran before one of its redefinitions, so that the redefinition destroyed the value. It is
 * saved at the first redefinition that may run after each statement whose backward code reads
 * it (later ones are undone by then), and at a redefinition that reads its own old value.
 *
 * `index = index ± c` on an integer-valued index is not saved: its inverse undoes it.
 */
import type { Function, Operand, Stmt } from "../../ir/ir.ts";
import { ref } from "../../ir/ir.ts";
import { exprOperands } from "../../emit/inline.ts";
import { isIntegerValued, type CountedLoops } from "./counted.ts";
import type { Definitions } from "./definitions.ts";
import { Redefinitions } from "./reaching.ts";
import type { Statements } from "./statements.ts";

/** By variable, the primal statements before which its value is saved (none: not saved). */
export type SavePoints = (name: string) => ReadonlySet<Stmt>;

/**
 * `readers`: by variable, the primal statements whose backward code reads it.
 */
export function savePointsOf(statements: Statements, definitions: Definitions, readers: ReadonlyMap<string, Stmt[]>, counted: CountedLoops): SavePoints {
  const cache = new Map<string, Set<Stmt>>();
  return (name) => {
    const known = cache.get(name);
    if (known) return known;
    const overwrites = definitions.overwrites.get(name) ?? [];
    const overwriteSet = new Set(overwrites);
    const points = new Set<Stmt>();
    /** One search per set of redefinitions a reader sees (usually all of them). */
    const searches = new Map<string, Redefinitions>();
    for (const reader of readers.get(name) ?? []) {
      if (overwriteSet.has(reader) && (reader.kind === "let" || reader.kind === "assign")) {
        const value = reader.kind === "let" ? reader.init : reader.value;
        if (value && exprOperands(value).some((o) => o.kind === "var" && o.name === name)) points.add(reader);
      }
      if (overwrites.length === 0) continue;
      const ignored = ignoredStarts(statements, reader, name, counted);
      const key = ignored.map((s) => statements.place(s)!.index).join(",");
      let search = searches.get(key);
      if (!search) {
        search = new Redefinitions(statements, ignored.length === 0 ? overwrites : overwrites.filter((w) => !ignored.includes(w)));
        searches.set(key, search);
      }
      search.scanAfter(reader);
    }
    for (const search of searches.values()) for (const w of search.found) points.add(w);
    cache.set(name, points);
    return points;
  };
}

/**
 * A counted loop whose exit value is computed sets its counter before its backward iteration:
 * for a reader inside that loop, the loop's own start is no redefinition to save against.
 */
function ignoredStarts(statements: Statements, reader: Stmt, name: string, counted: CountedLoops): Stmt[] {
  const ignored: Stmt[] = [];
  for (const loop of statements.place(reader)?.loops ?? []) {
    const c = counted.loops.get(loop);
    const start = loop.init[loop.init.length - 1];
    if (c?.exit && c.counter === name && start) ignored.push(start);
  }
  return ignored;
}

/**
 * `v = v ± c` on an integer-valued v with an integer c (a running index): the assignment that
 * undoes it exactly, or undefined for any other definition.
 */
export function inverseOf(primal: Stmt, fn: Function): Extract<Stmt, { kind: "assign" }> | undefined {
  if (primal.kind !== "assign" || primal.value.kind !== "binary") return undefined;
  const { op, left, right } = primal.value;
  const self = (o: Operand) => o.kind === "var" && o.name === primal.name;
  const integer = (o: Operand) => o.kind === "number" && Number.isInteger(o.value);
  const amount = self(left) && integer(right) ? right : op === "+" && self(right) && integer(left) ? left : undefined;
  if (!amount || (op !== "+" && op !== "-") || !isIntegerValued(ref(primal.name), fn)) return undefined;
  return { kind: "assign", name: primal.name, value: { kind: "binary", op: op === "+" ? "-" : "+", left: ref(primal.name), right: amount } };
}
