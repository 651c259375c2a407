/**
 * One generated function (or a pullback's two halves): the forward sweep, the plan, the backward
 * sweep, and the declarations, seed and result around them.
 */
import { forEachStmt } from "../../analysis/activity.ts";
import type { DerivativeFunction, Expr, Operand, Param, Stmt, Type } from "../../ir/ir.ts";
import { NUMBER, num, ref } from "../../ir/ir.ts";
import { derivativeType, isReference } from "../../ir/types.ts";
import { complete, prepare } from "../plan.ts";
import { announcePlan } from "../plan-print.ts";
import { BackwardWriter } from "./backward.ts";
import { readsOf } from "./base.ts";

export class ReverseFunction extends BackwardWriter {
  // ── the function ───────────────────────────────────────────────────────

  run(): { functions: DerivativeFunction[]; saved?: Type; restoreAdvice: Set<string> } {
    const { fn, job, activity } = this;
    const last = fn.body[fn.body.length - 1];
    const returned = last?.kind === "return" ? last.value : undefined;
    const statements = last?.kind === "return" ? fn.body.slice(0, -1) : fn.body;
    const params: Param[] = [...fn.params];
    const prologue: Stmt[] = [];
    const activeParams = fn.params.filter((p) => activity.isActive(p.name));
    const resultActive = returned !== undefined && this.active(returned);

    // Seeds and adjoint containers of the parameters.
    let seed: string | undefined;
    if (job.kind === "vjp") {
      seed = this.b.names.fresh("cotangent");
      params.push({ name: seed, type: derivativeType(fn.returnType) });
    } else if (job.kind === "pullback" && activity.resultActive) {
      seed = this.b.names.fresh("resultBar");
      params.push({ name: seed, type: derivativeType(fn.returnType) });
    }
    const barParams: Param[] = [];
    for (const p of activeParams) {
      if (!isReference(p.type)) continue;
      const bar = this.adjointName(p.name);
      if (job.kind === "pullback") barParams.push({ name: bar, type: derivativeType(p.type) });
      else prologue.push({ kind: "let", name: bar, type: derivativeType(p.type), init: { kind: "zerosLike", like: ref(p.name), type: p.type }, mutable: false });
    }
    params.push(...barParams);

    this.prepared = prepare(fn, activity, this.restoreLocal, (name) => this.adjointName(name), this.program, this.oracle, job.tapeLimit);
    const forward = this.b.capture(() => this.forwardBlock(statements));
    const valueName = this.b.names.fresh("value");
    const backward = this.b.capture(() => {
      if (returned && resultActive) this.seed(returned, seed);
      this.backwardBlock(statements);
    });

    // What the backward sweep reads decides what is saved and hoisted.
    const plan = complete(this.prepared, { readers: this.readers, needed: this.neededBy(backward), adjointDefinitions: this.adjointDefinitions }, activity, this.program, this.oracle);
    this.plan = plan;
    announcePlan(job.name, plan);
    const restoreAdvice = new Set(plan.restoreAdvice);
    const forwardSweep = this.finishForward(forward);
    const backwardSweep = this.finishBackward(backward);
    const epilogue = this.epilogue(returned ? ref(valueName) : undefined, activeParams);

    const declarations: Stmt[] = [];
    for (const name of plan.hoisted) declarations.push(...this.hoistedDeclaration(name));
    for (const { name, type } of this.tapes.values()) {
      // A tape that never leaves the function (not saved for a pullback) can be a Float64Array stack.
      const stack = type.kind === "number" && (job.kind !== "pullback" || job.whole) ? this.b.names.fresh(`${name}Top`) : undefined;
      const tapeType: Type = { kind: "array", element: type, ...(stack ? { stack } : {}) };
      declarations.push({ kind: "let", name, type: tapeType, init: { kind: "arrayLiteral", elements: [], type: tapeType }, mutable: stack !== undefined });
    }
    const adjointDeclarationsLater = (): Stmt[] =>
      [...this.numberAdjoints].filter((n) => !this.isContainerAdjoint(n)).map((name): Stmt => ({ kind: "let", name, type: NUMBER, init: { kind: "operand", value: num(0) }, mutable: true }));

    // The value is taken before the backward sweep restores anything it shares.
    const valueType = fn.returnType;
    const valueInit: Expr | undefined = returned
      ? returned.kind === "var" && isReference(valueType) && (this.needsRestore(returned) || this.checkpointState(returned.name))
        ? { kind: "copy", source: returned, type: valueType, deep: true }
        : { kind: "operand", value: returned }
      : undefined;
    const valueStmt: Stmt[] = valueInit ? [{ kind: "let", name: valueName, type: valueType, init: valueInit, mutable: false }] : [];
    // Names are read when the functions are made: building them takes fresh names too.
    const common = () => ({
      sourceName: fn.sourceName,
      loc: fn.loc,
      reservedNames: this.b.names.all(),
      temporaries: this.b.names.temporaries,
      derivativeCode: this.derivativeCode,
      derivedNames: new Set([...this.derivedNames, ...this.b.names.temporaries]),
      commentLabel: "adjoint of",
      tapeNames: new Set([...this.tapes.values()].map((t) => t.name)),
    });
    const backwardPart: Stmt[] = [
      ...(backwardSweep.length > 0 ? [{ kind: "comment", text: "backward sweep" } as Stmt] : []),
      ...adjointDeclarationsLater(),
      ...backwardSweep,
      ...epilogue.stmts,
    ];
    if (job.kind !== "pullback") {
      const body: Stmt[] = [...declarations, ...prologue, ...forwardSweep, ...valueStmt, ...backwardPart];
      return { functions: [{ ...common(), name: job.name, params, returnType: epilogue.type, body, exported: true }], restoreAdvice };
    }
    if (job.whole) {
      // One piece: the forward sweep, then the backward sweep (see `Pullback.whole`).
      const body: Stmt[] = [...declarations, ...forwardSweep, ...backwardPart];
      return { saved: { kind: "record", fields: [] }, restoreAdvice, functions: [{ ...common(), name: job.name, params, returnType: epilogue.type, body, exported: false }] };
    }
    // A pullback in two halves: what the backward half reads from the forward half is saved.
    const declaredLater = new Set<string>();
    forEachStmt(backwardPart, (s) => s.kind === "let" && declaredLater.add(s.name));
    // Parameters come in again, unless the forward half assigned them (then their value is saved).
    const passed = new Set(params.map((p) => p.name).filter((n) => !this.prepared.definitions.sites.has(n)));
    const savedNames = [...readsOf(backwardPart)].filter((n) => !declaredLater.has(n) && !passed.has(n)).sort();
    const savedType: Type = { kind: "record", fields: savedNames.map((n) => ({ name: n, type: this.savedType(n) })) };
    const savedName = this.b.names.fresh("saved");
    const forwardResultType: Type = { kind: "record", fields: [...(valueInit ? [{ name: "value", type: fn.returnType }] : []), { name: "saved", type: savedType }] };
    const forwardBody = this.b.capture(() => {
      const saved = this.b.temp({ kind: "recordLiteral", fields: savedNames.map((n) => ({ name: n, value: ref(n) })), type: savedType }, savedType);
      const result = this.b.temp({ kind: "recordLiteral", fields: [...(valueInit ? [{ name: "value", value: ref(valueName) }] : []), { name: "saved", value: saved }], type: forwardResultType }, forwardResultType);
      this.b.emit({ kind: "return", value: result });
    });
    const tapeNames = new Set([...this.tapes.values()].map((t) => t.name));
    const isParam = (n: string) => fn.params.some((p) => p.name === n);
    const unpack: Stmt[] = savedNames.map((n): Stmt => {
      const value: Expr = { kind: "field", object: ref(savedName), name: n };
      // A parameter the forward half assigned takes its final value back.
      return isParam(n) ? { kind: "assign", name: n, value } : { kind: "let", name: n, type: this.savedType(n), init: value, mutable: !tapeNames.has(n) };
    });
    // A checkpointed loop's taped steps run in the backward half: what they assign is declared there too.
    const assignedLater = new Set<string>();
    forEachStmt(backwardPart, (s) => s.kind === "assign" && assignedLater.add(s.name));
    for (const name of plan.hoisted) if (assignedLater.has(name) && !savedNames.includes(name)) unpack.push(...this.hoistedDeclaration(name));
    return {
      saved: savedType,
      restoreAdvice,
      functions: [
        { ...common(), name: job.forwardName!, params: [...fn.params, ...barParams], returnType: forwardResultType, body: [...declarations, ...forwardSweep, ...valueStmt, ...forwardBody], exported: false },
        { ...common(), name: job.name, params: [...params, { name: savedName, type: savedType }], returnType: epilogue.type, body: [...unpack, ...backwardPart], exported: false },
      ],
    };
  }

  /**
   * What the backward sweep reads: its draft, and the steps of checkpointed loops it runs again
   * (what those read from before the loop must still be there when they run).
   */
  protected neededBy(backward: Stmt[]): Set<string> {
    const needed = readsOf(backward);
    for (const { loop } of this.checkpointRuns.values()) {
      const steps = [...loop.tapedStep, ...loop.advance];
      const local = new Set<string>();
      forEachStmt(steps, (x) => x.kind === "let" && local.add(x.name));
      for (const name of readsOf(steps)) if (!local.has(name)) needed.add(name);
    }
    return needed;
  }

  /** Whether `name` shares its object with a checkpointed loop's state, which the backward sweep sets back to snapshots. */
  private checkpointState(name: string): boolean {
    const shared = this.activity.aliasClass(name);
    return [...this.checkpointRuns.values()].some(({ loop }) => loop.state.some((v) => this.activity.aliasClass(v.name) === shared));
  }

  /** The type of a value the forward half of a pullback saves (tapes are arrays of their element type). */
  protected savedType(name: string): Type {
    for (const tape of this.tapes.values()) if (tape.name === name) return { kind: "array", element: tape.type };
    return this.b.types.get(name) ?? this.activity.types.get(name)!;
  }

  protected isContainerAdjoint(name: string): boolean {
    const type = this.b.types.get(name);
    return type !== undefined && isReference(type);
  }

  /** Seeds the adjoint of the returned value: 1, the cotangent, or the caller's result adjoint. */
  protected seed(returned: Operand, seed: string | undefined): void {
    const type = this.typeOf(returned);
    if (!isReference(type)) {
      this.addTo(returned, seed ? ref(seed) : num(1));
      return;
    }
    if (!seed) return;
    this.accumulate(ref(this.adjointName((returned as { name: string }).name)), ref(seed), derivativeType(type));
  }

  protected epilogue(value: Operand | undefined, activeParams: Param[]): { stmts: Stmt[]; type: Type } {
    const { fn, job } = this;
    const wrt = fn.params.filter((_, i) => job.mask[i]);
    const barOf = (p: Param): Operand => {
      if (!this.activity.isActive(p.name)) return p.type.kind === "number" ? num(0) : this.b.temp({ kind: "zerosLike", like: ref(p.name), type: p.type }, derivativeType(p.type));
      if (isReference(p.type)) return ref(this.adjointName(p.name));
      const name = this.adjointName(p.name);
      this.numberAdjoints.add(name);
      return ref(name);
    };
    const stmts = this.b.capture(() => {
      if (job.kind === "pullback") {
        const numbers = activeParams.filter((p) => !isReference(p.type));
        if (numbers.length === 0) return;
        const type: Type = { kind: "record", fields: numbers.map((p) => ({ name: p.name, type: NUMBER })) };
        const result = this.b.temp({ kind: "recordLiteral", fields: numbers.map((p) => ({ name: p.name, value: barOf(p) })), type }, type);
        this.b.emit({ kind: "return", value: result });
        return;
      }
      const gradType: Type = { kind: "record", fields: wrt.map((p) => ({ name: p.name, type: derivativeType(p.type) })) };
      const grad = this.b.temp({ kind: "recordLiteral", fields: wrt.map((p) => ({ name: p.name, value: barOf(p) })), type: gradType }, gradType);
      const type: Type = { kind: "record", fields: [{ name: "value", type: fn.returnType }, { name: "grad", type: gradType }] };
      const result = this.b.temp({ kind: "recordLiteral", fields: [{ name: "value", value: value! }, { name: "grad", value: grad }], type }, type);
      this.b.emit({ kind: "return", value: result });
    });
    if (job.kind === "pullback") {
      const numbers = activeParams.filter((p) => !isReference(p.type));
      return { stmts, type: numbers.length === 0 ? { kind: "void" } : { kind: "record", fields: numbers.map((p) => ({ name: p.name, type: NUMBER })) } };
    }
    const gradType: Type = { kind: "record", fields: wrt.map((p) => ({ name: p.name, type: derivativeType(p.type) })) };
    return { stmts, type: { kind: "record", fields: [{ name: "value", type: fn.returnType }, { name: "grad", type: gradType }] } };
  }

}
