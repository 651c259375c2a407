/**
 * Copy propagation: `const z = t16` and `const bias2 = bias` (what lowering and inlining leave
 * behind) name one value twice. Reverse mode decides per name what to save, so a value with two
 * names could be saved twice; with one name it is saved once. A copy goes when neither name is
 * ever reassigned and each is declared once: then both hold the same value wherever the copy's
 * name is visible. The user's name survives when one of the two is a compiler temporary.
 */
import { forEachStmt } from "../analysis/activity.ts";
import type { Function, Program, Stmt } from "../ir/ir.ts";
import { mapNestedBlocks, renameStmts } from "../ir/rename.ts";

export function propagateCopies(program: Program): Program {
  return { functions: new Map([...program.functions].map(([name, fn]) => [name, propagateInFunction(reuseReads(fn))])) };
}

/**
 * `y[j] * y[j]` reads the same element twice: the second read becomes a copy of the first
 * (then merged by copy propagation), when nothing between them writes or reassigns anything.
 */
function reuseReads(fn: Function): Function {
  let changed = false;
  const block = (stmts: Stmt[]): Stmt[] => {
    const seen = new Map<string, string>();
    return stmts.map((s) => {
      if (s.kind === "let" && s.init && (s.init.kind === "index" || s.init.kind === "field" || s.init.kind === "length")) {
        const key = JSON.stringify(s.init);
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          changed = true;
          return { ...s, init: { kind: "operand", value: { kind: "var", name: earlier } } };
        }
        seen.set(key, s.name);
        return s;
      }
      // Anything but a pure definition may change what a read gives.
      if (!(s.kind === "let" && s.init && s.init.kind !== "call")) seen.clear();
      return mapNestedBlocks(s, block);
    });
  };
  const body = block(fn.body);
  return changed ? { ...fn, body } : fn;
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
  const dropCopies = (stmts: Stmt[]): Stmt[] => stmts.filter((s) => !copies.has(s)).map((s) => mapNestedBlocks(s, dropCopies));
  const body = renameStmts(dropCopies(fn.body), { variables, labels: new Map() });
  const temporaries = new Set([...fn.temporaries].filter((t) => !variables.has(t)));
  return { ...fn, body, temporaries };
}
