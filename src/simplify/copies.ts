/**
 * Copy propagation: `const z = t16` and `const bias2 = bias` (what lowering and inlining leave
 * behind) name one value twice. Reverse mode decides per name what to save, so a value with two
 * names could be saved twice; with one name it is saved once. A copy goes when neither name is
 * ever reassigned and each is declared once: then both hold the same value wherever the copy's
 * name is visible. The user's name survives when one of the two is a compiler temporary.
 */
import { forEachStmt } from "../analysis/activity.ts";
import type { Function, Program, Stmt } from "../ir/ir.ts";
import { renameStmts } from "../ir/rename.ts";

export function propagateCopies(program: Program): Program {
  return { functions: new Map([...program.functions].map(([name, fn]) => [name, propagateInFunction(fn)])) };
}

function propagateInFunction(fn: Function): Function {
  const declarations = new Map<string, number>();
  const assigned = new Set<string>();
  for (const p of fn.params) declarations.set(p.name, 1);
  forEachStmt(fn.body, (s) => {
    if (s.kind === "let") declarations.set(s.name, (declarations.get(s.name) ?? 0) + 1);
    if (s.kind === "assign") assigned.add(s.name);
  });
  const stable = (name: string) => declarations.get(name) === 1 && !assigned.has(name);
  /** copy name → the name it copies. */
  const copyOf = new Map<string, string>();
  const copies = new Set<Stmt>();
  forEachStmt(fn.body, (s) => {
    if (s.kind !== "let" || s.init?.kind !== "operand" || s.init.value.kind !== "var") return;
    const source = s.init.value.name;
    if (source === s.name || !stable(s.name) || !stable(source)) return;
    copyOf.set(s.name, source);
    copies.add(s);
  });
  if (copies.size === 0) return fn;
  const rootOf = (name: string): string => (copyOf.has(name) ? rootOf(copyOf.get(name)!) : name);
  // Each group of names for one value keeps one: a parameter's, else the first user name.
  const members = new Map<string, string[]>();
  const ordered: string[] = [];
  forEachStmt(fn.body, (s) => s.kind === "let" && ordered.push(s.name));
  for (const name of [...fn.params.map((p) => p.name), ...ordered]) {
    const root = rootOf(name);
    if (name === root || copyOf.has(name)) members.set(root, [...(members.get(root) ?? []), name]);
  }
  const isParam = (name: string) => fn.params.some((p) => p.name === name);
  const variables = new Map<string, string>();
  for (const [root, names] of members) {
    const keep = isParam(root) ? root : (names.find((n) => !fn.temporaries.has(n)) ?? root);
    for (const n of names) if (n !== keep) variables.set(n, keep);
  }
  const dropCopies = (stmts: Stmt[]): Stmt[] =>
    stmts
      .filter((s) => !copies.has(s))
      .map((s) => {
        switch (s.kind) {
          case "if":
            return { ...s, then: dropCopies(s.then), else: dropCopies(s.else) };
          case "loop":
            return { ...s, init: dropCopies(s.init), test: s.test && { prelude: dropCopies(s.test.prelude), cond: s.test.cond }, body: dropCopies(s.body), update: dropCopies(s.update) };
          case "block":
            return { ...s, body: dropCopies(s.body) };
          default:
            return s;
        }
      });
  const body = renameStmts(dropCopies(fn.body), { variables, labels: new Map() });
  const temporaries = new Set([...fn.temporaries].filter((t) => !variables.has(t)));
  return { ...fn, body, temporaries };
}
