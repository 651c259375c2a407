/**
 * What forward mode needs to know before it builds zero tangents that share what their values
 * share: which containers a function builds once with a literal and never changes (their zeros
 * are built from their parts' zeros), and which records may hold one container twice. Plain
 * data about the function; src/forward/zeros.ts and forward.ts write the IR.
 */
import { forEachStmt } from "../analysis/activity.ts";
import type { Expr, Function, Operand, Type } from "../ir/ir.ts";
import { isDifferentiable, isReference, sameType } from "../ir/types.ts";

export type ContainerLiteral = Extract<Expr, { kind: "recordLiteral" | "arrayLiteral" }>;

/** Containers declared once with a literal and never written into, passed to a call or reassigned. */
export function literalContainers(fn: Function): Map<string, ContainerLiteral> {
  const found = new Map<string, ContainerLiteral>();
  const changed = new Set<string>();
  const declared = new Map<string, number>();
  const passed = (args: Operand[]) => args.forEach((a) => a.kind === "var" && changed.add(a.name));
  forEachStmt(fn.body, (s) => {
    if (s.kind === "let") {
      declared.set(s.name, (declared.get(s.name) ?? 0) + 1);
      if (s.init?.kind === "recordLiteral" || s.init?.kind === "arrayLiteral") found.set(s.name, s.init);
    }
    if (s.kind === "assign") changed.add(s.name);
    if ((s.kind === "setIndex" || s.kind === "setField" || s.kind === "push" || s.kind === "fill" || s.kind === "drop") && s.object.kind === "var") changed.add(s.object.name);
    if (s.kind === "callStmt") passed(s.args);
    const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
    if (value?.kind === "call") passed(value.args);
  });
  for (const name of [...found.keys()]) if (changed.has(name) || declared.get(name) !== 1) found.delete(name);
  return found;
}

/** Whether a record has two container fields of one type (which may then be one object). */
export function hasSameTypedContainers(type: Extract<Type, { kind: "record" }>): boolean {
  const containers = type.fields.filter((f) => isReference(f.type) && isDifferentiable(f.type));
  return containers.some((f, i) => containers.slice(0, i).some((g) => sameType(f.type, g.type)));
}
