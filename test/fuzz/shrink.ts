/**
 * Shrinking a failing program: greedy reduction over the syntax tree, keeping a candidate when
 * it still fails with the same signature (the same check; for crashes, diagnostics and type
 * errors the same kind). Candidates, coarse to fine: drop a helper; drop an entry parameter
 * (and its argument); drop a statement; replace a compound statement by its body; drop an else;
 * replace a condition by `true`/`false`; replace a number expression by `1`, then by one of its
 * operands; round the sample arguments.
 *
 * Candidates that stop being valid TypeScript (a dropped declaration whose name is still used)
 * fail differently (a type-error diagnostic) and are rejected like any other.
 */
import type { Outcome } from "./check.ts";
import { printProgram, type Program } from "./program.ts";

const NUM = new Set(["lit", "ref", "elem", "field", "bin", "neg", "math", "guard", "powi", "mod", "cond", "call", "ocallA", "acallI", "len", "reduce", "spreadMath", "at", "findIdx", "indexOf", "find", "lcall", "pt", "rec", "recArr", "opt"]);
const BOOL = new Set(["cmp", "and", "or", "not", "bref", "blit", "some", "every", "includes", "finite"]);
const STMT = new Set(["decl", "adecl", "odecl", "mdecl", "odestr", "adestr", "assign", "divassign", "incr", "push", "if", "for", "forof", "while", "forEach", "switch", "break", "continue", "return", "block", "forEntries", "larrow", "logassign", "trace"]);

type Json = Record<string, unknown> | unknown[];
type Path = (string | number)[];
type Candidate = (p: Program) => Program | undefined;

const kindOf = (v: unknown): string | undefined => (v && typeof v === "object" && !Array.isArray(v) && typeof (v as { k?: unknown }).k === "string" ? (v as { k: string }).k : undefined);

function get(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** A copy of `p` with the value at `path` replaced by `make(old value)`; array splices when `make` returns a list for a list element. */
function edit(p: Program, path: Path, make: (old: unknown) => unknown): Program {
  const copy = clone(p);
  const parent = get(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  parent[key] = make(parent[key]);
  return copy;
}

function splice(p: Program, path: Path, replacement: unknown[]): Program {
  const copy = clone(p);
  const list = get(copy, path.slice(0, -1)) as unknown[];
  list.splice(path[path.length - 1] as number, 1, ...replacement);
  return copy;
}

/** Every node position, depth first, with its path. */
function positions(root: unknown, visit: (node: unknown, path: Path) => void, path: Path = []): void {
  visit(root, path);
  if (Array.isArray(root)) root.forEach((c, i) => positions(c, visit, [...path, i]));
  else if (root && typeof root === "object") for (const [k, c] of Object.entries(root)) positions(c, visit, [...path, k]);
}

/** The number expressions directly under a number expression (operands, call arguments). */
function numChildren(node: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "c") continue;
    if (NUM.has(kindOf(value) ?? "")) out.push(value);
    if (Array.isArray(value)) {
      for (const v of value) {
        if (NUM.has(kindOf(v) ?? "")) out.push(v);
        const arg = v as { t?: string; e?: unknown };
        if (arg && arg.t === "num" && NUM.has(kindOf(arg.e) ?? "")) out.push(arg.e);
      }
    }
  }
  return out;
}

function candidates(p: Program): Candidate[] {
  const out: Candidate[] = [];
  // Helpers.
  for (let i = 0; i < p.fns.length - 1; i++) out.push((q) => (q.fns.length === p.fns.length ? { ...q, fns: q.fns.filter((_, j) => j !== i) } : undefined));
  // Entry parameters.
  const entry = p.fns.length - 1;
  for (let i = 0; i < p.fns[entry]!.params.length; i++) {
    out.push((q) => {
      const copy = clone(q);
      const f = copy.fns[entry]!;
      if (f.params.length !== p.fns[entry]!.params.length || f.params.length === 1) return undefined;
      const [removed] = f.params.splice(i, 1);
      copy.args.splice(i, 1);
      if (copy.wrt) {
        copy.wrt = copy.wrt.filter((w) => w !== removed!.name);
        if (copy.wrt.length === 0) return undefined;
      }
      return copy;
    });
  }
  // Module constants; differentiating with respect to everything.
  (p.consts ?? []).forEach((_, i) => out.push((q) => (q.consts?.length === p.consts!.length ? { ...q, consts: q.consts.filter((_, j) => j !== i) } : undefined)));
  if (p.wrt) out.push((q) => (q.wrt ? { ...q, wrt: undefined } : undefined));
  // Statements, then conditions, then expressions (collected by path on the current program).
  const stmtEdits: Candidate[] = [];
  const boolEdits: Candidate[] = [];
  const litEdits: Candidate[] = [];
  const childEdits: Candidate[] = [];
  positions(p, (node, path) => {
    const kind = kindOf(node);
    if (!kind) return;
    const parentKey = path[path.length - 2];
    const inList = typeof path[path.length - 1] === "number" && (parentKey === "body" || parentKey === "then" || parentKey === "else" || typeof parentKey === "number");
    if (STMT.has(kind) && inList) {
      const list = get(p, path.slice(0, -1)) as unknown[];
      const isFinalReturn = path.length === 4 && path[0] === "fns" && path[2] === "body" && path[3] === list.length - 1;
      if (!isFinalReturn) stmtEdits.push((q) => splice(q, path, []));
      const s = node as Record<string, unknown>;
      for (const key of ["then", "else", "body"]) {
        if (Array.isArray(s[key])) stmtEdits.push((q) => splice(q, path, clone(get(q, [...path, key]) as unknown[])));
      }
      if (kind === "switch") (s.cases as unknown[][]).forEach((_, i) => stmtEdits.push((q) => splice(q, path, clone(get(q, [...path, "cases", i]) as unknown[]))));
      if (kind === "if" && s.else) stmtEdits.push((q) => edit(q, [...path, "else"], () => null));
      if (kind === "for" && s.label) stmtEdits.push((q) => edit(q, [...path, "label"], () => undefined));
    }
    if (BOOL.has(kind) && kind !== "blit") {
      boolEdits.push((q) => edit(q, path, () => ({ k: "blit", v: true })));
      boolEdits.push((q) => edit(q, path, () => ({ k: "blit", v: false })));
      const b = node as Record<string, unknown>;
      for (const key of ["l", "r", "e"]) if (BOOL.has(kindOf(b[key]) ?? "")) boolEdits.push((q) => edit(q, path, () => clone(get(q, [...path, key]))));
    }
    if (NUM.has(kind)) {
      const n = node as Record<string, unknown>;
      if (!(kind === "lit" && (n.v === 1 || n.v === 0))) litEdits.push((q) => edit(q, path, () => ({ k: "lit", v: 1 })));
      numChildren(n).forEach((_, i) => childEdits.push((q) => edit(q, path, (old) => clone(numChildren(old as Record<string, unknown>)[i]))));
      if (kind === "lit" && n.v !== 0 && n.v !== 1) litEdits.push((q) => edit(q, path, () => ({ k: "lit", v: 0 })));
    }
  });
  out.push(...stmtEdits, ...boolEdits, ...litEdits, ...childEdits);
  // Rounder arguments.
  out.push((q) => ({ ...q, args: roundArgs(q.args) }));
  return out;
}

function roundArgs(v: unknown): never {
  if (typeof v === "number") return (Math.round(v * 10) / 10 || 0.1) as never;
  if (Array.isArray(v)) return v.map(roundArgs) as never;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, roundArgs(e)])) as never;
  return v as never;
}

export interface ShrinkResult {
  program: Program;
  outcome: Outcome;
  checks: number;
}

/**
 * Reduces `program` while `check` still fails with `signature`, within a budget of checks and
 * milliseconds.
 */
export async function shrink(
  program: Program,
  outcome: Outcome,
  check: (p: Program) => Promise<Outcome>,
  budget: { checks: number; ms: number } = { checks: 2000, ms: 300_000 },
): Promise<ShrinkResult> {
  if (outcome.status !== "fail") return { program, outcome, checks: 0 };
  const signature = outcome.failure.signature;
  const started = Date.now();
  const tried = new Set<string>([printProgram(program) + JSON.stringify(program.args)]);
  let current = program;
  let best = outcome;
  let checks = 0;
  let start = 0;
  let progressed = true;
  while (progressed) {
    progressed = false;
    const list = candidates(current);
    for (let i = start; i < list.length; i++) {
      if (checks >= budget.checks || Date.now() - started > budget.ms) return { program: current, outcome: best, checks };
      let next: Program | undefined;
      try {
        next = list[i]!(current);
      } catch {
        continue;
      }
      if (!next) continue;
      const key = printProgram(next) + JSON.stringify(next.args);
      if (tried.has(key)) continue;
      tried.add(key);
      checks++;
      const result = await check(next).catch((): Outcome => ({ status: "invalid", reason: "check threw" }));
      if (result.status === "fail" && result.failure.signature === signature) {
        current = next;
        best = result;
        start = i; // the candidate list of the smaller program starts much the same
        progressed = true;
        break;
      }
    }
    if (!progressed && start > 0) {
      start = 0;
      progressed = true;
    } else if (!progressed) break;
  }
  return { program: current, outcome: best, checks };
}
