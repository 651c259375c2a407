/**
 * Reading a reverse-mode plan: `summarizePlan` turns it into plain facts (what each loop saves
 * and how it is reversed, what is saved, recomputed, hoisted, restored), and `printPlan` prints
 * the primal function with those facts beside each statement (TSAD_DEBUG_PLAN=1). Listeners
 * registered with `onPlan` see every plan made (tests read plans that way).
 */
import type { Loop } from "../analysis/loops.ts";
import type { Expr, Operand, Stmt } from "../ir/ir.ts";
import type { Plan } from "./plan.ts";

export interface LoopSummary {
  line: number | undefined;
  /** `count down`: the counter counts back to its start (`exit`: its final value is computed, not saved); `trip count`: the number of iterations is saved. */
  reversal: "count down" | "trip count";
  counter?: string;
  exit?: boolean;
  /** The variables saved by statements in the loop (in its test, body or update). */
  saves: string[];
}

export interface PlanSummary {
  name: string;
  loops: LoopSummary[];
  /** Saved variables, with the lines of the statements before which they are saved. */
  saved: Map<string, number[]>;
  /** Recomputed values: where the backward sweep recomputes them. */
  recomputed: Map<string, string>;
  /** Running index updates undone by their inverse instead of saved (`[line] k = k + 1 undone by k = k - 1`). */
  undone: string[];
  hoisted: string[];
  restored: string[];
}

type Listener = (name: string, plan: Plan) => void;
const listeners = new Set<Listener>();

/** Calls `listener` with every plan made until the returned function is called. */
export function onPlan(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Hands a finished plan to the listeners, and prints it when TSAD_DEBUG_PLAN is set. */
export function announcePlan(name: string, plan: Plan): void {
  for (const l of listeners) l(name, plan);
  if (process.env.TSAD_DEBUG_PLAN) process.stderr.write(printPlan(plan, name));
}

export function summarizePlan(plan: Plan, name: string): PlanSummary {
  const { statements } = plan;
  const savedAt = new Map<Stmt, string[]>();
  for (const [variable, points] of plan.saved) {
    for (const p of points) {
      if (plan.undone.has(p) || plan.definitions.first.has(p)) continue;
      savedAt.set(p, [...(savedAt.get(p) ?? []), variable]);
    }
  }
  const loops: LoopSummary[] = [];
  for (let i = 0; i < statements.size; i++) {
    const s = statements.at(i);
    if (s.kind !== "loop") continue;
    const [from, to] = statements.repeatedRange(s);
    const saves = new Set<string>();
    for (let k = from; k <= to; k++) for (const v of savedAt.get(statements.at(k)) ?? []) saves.add(v);
    const counted = plan.counted.get(s);
    loops.push({ line: s.loc?.line, reversal: counted ? "count down" : "trip count", counter: counted?.counter, exit: counted ? counted.exit !== undefined : undefined, saves: [...saves] });
  }
  const saved = new Map<string, number[]>();
  for (const [p, variables] of savedAt) for (const v of variables) saved.set(v, [...(saved.get(v) ?? []), p.loc?.line ?? 0]);
  const recomputed = new Map<string, string>();
  for (const [variable, r] of plan.recomputed) {
    const where = r.afterUndo
      ? `after undoing ${stmtText(r.afterUndo)}`
      : r.anchor.kind === "loop"
        ? `before the loop at line ${r.anchor.loc?.line}`
        : `at the top of its block`;
    recomputed.set(variable, where);
  }
  const undone = [...plan.undone].map(([s, inverse]) => `${stmtText(s)} undone by ${stmtText(inverse)}`);
  return { name, loops, saved, recomputed, undone, hoisted: [...plan.hoisted], restored: [...plan.restored] };
}

export function printPlan(plan: Plan, name: string): string {
  const summary = summarizePlan(plan, name);
  const out: string[] = [`plan of ${name} (reverse mode of ${plan.fn.sourceName})`];
  const loopNotes = new Map<Loop, string>();
  let index = 0;
  const loopStatements: Loop[] = [];
  for (let i = 0; i < plan.statements.size; i++) {
    const s = plan.statements.at(i);
    if (s.kind === "loop") loopStatements.push(s);
  }
  for (const loop of loopStatements) {
    const l = summary.loops[index++]!;
    const how = l.reversal === "count down" ? `reversed by counting ${l.counter} down${l.exit ? " from its computed exit value" : " from where it stopped"}` : "reversed by its saved trip count";
    loopNotes.set(loop, `${how}; ${l.saves.length === 0 ? "saves nothing" : `saves ${l.saves.join(", ")}`}`);
  }
  const notes = (s: Stmt): string[] => {
    const result: string[] = [];
    if (s.kind === "loop") result.push(loopNotes.get(s)!);
    const saves = [...plan.saved].filter(([, points]) => points.has(s) && !plan.undone.has(s) && !plan.definitions.first.has(s)).map(([v]) => v);
    if (saves.length > 0) result.push(`saves ${saves.join(", ")} before, restores after`);
    const inverse = plan.undone.get(s);
    if (inverse) result.push(`undone by ${stmtText(inverse)}`);
    if ((s.kind === "let" || s.kind === "assign") && summary.recomputed.has(s.name)) result.push(`recomputed ${summary.recomputed.get(s.name)}, not saved`);
    if (s.kind === "let" && plan.hoisted.has(s.name)) result.push("declared at the top (the backward sweep reads it)");
    return result;
  };
  const walk = (block: Stmt[], depth: number) => {
    for (const s of block) {
      const pad = "  ".repeat(depth + 1);
      const n = notes(s);
      out.push(`${pad}${stmtText(s)}${n.length > 0 ? `    ⟵ ${n.join("; ")}` : ""}`);
      if (s.kind === "if") {
        walk(s.then, depth + 1);
        if (s.else.length > 0) {
          out.push(`${pad}else`);
          walk(s.else, depth + 1);
        }
      } else if (s.kind === "block") walk(s.body, depth + 1);
      else if (s.kind === "loop") {
        if (s.init.length > 0) out.push(`${pad}  init:`, ...s.init.map((x) => `${pad}    ${stmtText(x)}${notes(x).length > 0 ? `    ⟵ ${notes(x).join("; ")}` : ""}`));
        if (s.test && s.test.prelude.length > 0) {
          out.push(`${pad}  test:`);
          walk(s.test.prelude, depth + 2);
        }
        out.push(`${pad}  body:`);
        walk(s.body, depth + 2);
        if (s.update.length > 0) {
          out.push(`${pad}  update:`);
          walk(s.update, depth + 2);
        }
      }
    }
  };
  walk(plan.fn.body, 0);
  if (summary.restored.length > 0) out.push(`  restored containers (alias classes): ${summary.restored.join(", ")}`);
  if (summary.hoisted.length > 0) out.push(`  hoisted: ${summary.hoisted.join(", ")}`);
  return out.join("\n") + "\n\n";
}

function operandText(o: Operand | undefined): string {
  if (!o) return "";
  switch (o.kind) {
    case "var":
      return o.name;
    case "number":
      return o.text ?? String(o.value);
    case "boolean":
      return String(o.value);
    case "string":
      return JSON.stringify(o.value);
    case "undefined":
      return "undefined";
  }
}

function exprText(e: Expr | undefined): string {
  if (!e) return "";
  const o = operandText;
  switch (e.kind) {
    case "operand":
      return o(e.value);
    case "unary":
      return `${e.op}${o(e.arg)}`;
    case "binary":
      return `${o(e.left)} ${e.op} ${o(e.right)}`;
    case "select":
      return `${o(e.cond)} ? ${o(e.whenTrue)} : ${o(e.whenFalse)}`;
    case "math":
      return `${e.external ? e.fn : `Math.${e.fn}`}(${e.args.map(o).join(", ")})`;
    case "call":
      return `${e.callee}(${e.args.map(o).join(", ")})`;
    case "index":
      return `${o(e.object)}[${o(e.index)}]`;
    case "field":
      return `${o(e.object)}.${e.name}`;
    case "length":
      return `${o(e.object)}.length`;
    case "arrayLiteral":
      return `[${e.elements.map(o).join(", ")}]`;
    case "recordLiteral":
      return `{ ${e.fields.map((f) => `${f.name}: ${o(f.value)}`).join(", ")} }`;
    case "newArray":
      return `new array(${o(e.length)})${e.fill ? `.fill(${o(e.fill)})` : ""}`;
    case "copy":
      return `copy(${o(e.source)})`;
    case "zerosLike":
      return `zerosLike(${o(e.like)})`;
    case "pop":
      return `${o(e.object)}.pop()`;
  }
}

export function stmtText(s: Stmt): string {
  const line = s.loc ? `[${s.loc.line}] ` : "";
  const o = operandText;
  switch (s.kind) {
    case "let":
      return `${line}let ${s.name}${s.init ? ` = ${exprText(s.init)}` : ""}`;
    case "assign":
      return `${line}${s.name} = ${exprText(s.value)}`;
    case "setIndex":
      return `${line}${o(s.object)}[${o(s.index)}] = ${o(s.value)}`;
    case "setField":
      return `${line}${o(s.object)}.${s.name} = ${o(s.value)}`;
    case "push":
      return `${line}${o(s.object)}.push(${s.values.map(o).join(", ")})`;
    case "fill":
      return `${line}${o(s.object)}.fill(${o(s.value)})`;
    case "drop":
      return `${line}${o(s.object)}.pop()`;
    case "callStmt":
      return `${line}${s.callee}(${s.args.map(o).join(", ")})`;
    case "if":
      return `${line}if (${o(s.cond)})`;
    case "loop":
      return `${line}${s.label ? `${s.label}: ` : ""}loop${s.bodyFirst ? " (body first)" : ""}${s.test ? ` while ${o(s.test.cond)}` : ""}`;
    case "block":
      return `${line}${s.label ? `${s.label}: ` : ""}block`;
    case "break":
    case "continue":
      return `${line}${s.kind}${s.label ? ` ${s.label}` : ""}`;
    case "return":
      return `${line}return ${o(s.value)}`;
    case "comment":
      return `// ${s.text}`;
    case "trace":
      return `${line}${s.method ? `console.${s.method}(${s.args.map(o).join(", ")})` : "debugger"}`;
  }
}
