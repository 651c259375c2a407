/**
 * A loop's state: what a snapshot must hold so that any step can be run again from it. These
 * are the variables declared before the loop that the loop writes: numbers it assigns, and
 * containers it writes into (through any alias, or through a callee that writes its argument).
 *
 * Checkpointing needs the containers to keep their identity and shape across steps: snapshots
 * are copied back into them element by element, so that the adjoint container paired with each
 * stays paired. A loop that assigns a container variable, or grows or shrinks a container
 * declared before it, is not checkpointed (`reason` says why).
 */
import { forEachStmt, type Activity, type ActivityOracle } from "../analysis/activity.ts";
import { writtenParams } from "../analysis/writes.ts";
import type { Function, Operand, Program, Stmt } from "../ir/ir.ts";
import { isReference } from "../ir/types.ts";
import type { StateVariable } from "./driver.ts";

type Loop = Extract<Stmt, { kind: "loop" }>;

export type LoopState = { variables: StateVariable[] } | { reason: string };

export function loopState(fn: Function, loop: Loop, counter: string, activity: Activity, program: Program, oracle: ActivityOracle): LoopState {
  const inside = new Set<string>();
  const steps = [...(loop.test?.prelude ?? []), ...loop.body, ...loop.update];
  forEachStmt(steps, (s) => s.kind === "let" && inside.add(s.name));
  const outside = declaredOutside(fn, loop, inside);
  const assigned = new Set<string>();
  const writtenClasses = new Set<string>();
  let reason: string | undefined;
  const writeInto = (o: Operand, grows: boolean) => {
    if (o.kind !== "var") return;
    const cls = activity.aliasClass(o.name);
    writtenClasses.add(cls);
    if (grows && [...outside].some((v) => activity.aliasClass(v) === cls)) reason ??= `it changes the length of \`${o.name}\``;
  };
  forEachStmt(steps, (s) => {
    switch (s.kind) {
      case "assign":
        if (s.name !== counter && !inside.has(s.name)) {
          if (isReference(activity.types.get(s.name) ?? { kind: "number" })) reason ??= `it assigns the container \`${s.name}\` (write into it instead)`;
          assigned.add(s.name);
        }
        break;
      case "setIndex":
      case "setField":
      case "fill":
        writeInto(s.object, false);
        break;
      case "push":
      case "drop":
        writeInto(s.object, true);
        break;
    }
    const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
    const call = s.kind === "callStmt" ? s : value?.kind === "call" ? value : undefined;
    if (call) {
      const callee = program.functions.get(call.callee);
      const writes = callee ? writtenParams(callee, program, oracle) : [];
      call.args.forEach((a, i) => writes[i] && writeInto(a, true));
    }
  });
  if (reason) return { reason };
  const variables: StateVariable[] = [];
  for (const name of outside) {
    if (name === counter) continue;
    const type = activity.types.get(name);
    if (!type) continue;
    if (assigned.has(name)) variables.push({ name, type, inPlace: false });
    else if (isReference(type) && writtenClasses.has(activity.aliasClass(name))) variables.push({ name, type, inPlace: true });
  }
  return { variables };
}

/** The parameters and the variables declared before `loop` in blocks around it. */
function declaredOutside(fn: Function, loop: Loop, inside: ReadonlySet<string>): Set<string> {
  const names = new Set(fn.params.map((p) => p.name));
  const visit = (block: Stmt[]): boolean => {
    for (const s of block) {
      if (s === loop) {
        forEachStmt(loop.init, (x) => x.kind === "let" && names.add(x.name));
        return true;
      }
      // A container declared without a value (assigned later, like a result) holds nothing yet.
      if (s.kind === "let" && !inside.has(s.name) && (s.init !== undefined || !isReference(s.type))) names.add(s.name);
      const nested = s.kind === "if" ? [s.then, s.else] : s.kind === "loop" ? [s.init, ...(s.test ? [s.test.prelude] : []), s.body, s.update] : s.kind === "block" ? [s.body] : [];
      for (const b of nested) {
        const before = new Set(names);
        if (visit(b)) return true;
        // Declarations in a block that does not hold the loop are out of its scope.
        for (const n of [...names]) if (!before.has(n)) names.delete(n);
      }
    }
    return false;
  };
  visit(fn.body);
  return names;
}
