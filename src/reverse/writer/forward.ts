/**
 * The forward sweep: the primal statements, each active container with its adjoint container
 * beside it, calls split into their forward halves; then the saves the plan asks for.
 */
import type { Expr, Operand, Stmt, Type } from "../../ir/ir.ts";
import { NUMBER, num, ref } from "../../ir/ir.ts";
import { derivativeType, elementType, isDifferentiable, isReference } from "../../ir/types.ts";
import { forEachStmt } from "../../analysis/activity.ts";
import { declareCounter, declareSnapshots, defaultSnapshots, forwardPrimal, type CheckpointedLoop, type SnapshotStore, type StateVariable } from "../../checkpoint/driver.ts";
import type { Checkpointed } from "../analysis/checkpointed.ts";
import { SweepWriter, elementOrFields } from "./base.ts";
import { mapNestedBlocks } from "../../ir/rename.ts";

/** A checkpointed loop's forward sweep, for its reversal: the step three ways, the snapshots, the step range. */
export interface CheckpointRun {
  loop: CheckpointedLoop;
  store: SnapshotStore;
  start: Operand;
  end: Operand;
  snapshots: Operand;
  /** With a tape limit: the limit in bytes, and the variable counting the entries taped steps push. */
  budget?: { bytes: number; entries: string };
}

export abstract class ForwardWriter extends SweepWriter {
  // ── forward sweep ──────────────────────────────────────────────────────

  protected forwardBlock(stmts: Stmt[]): void {
    for (const s of stmts) this.forwardStmt(s);
  }

  /** Emits a definition, remembering which primal statement it stands for (saves go before it). */
  protected define(stmt: Stmt, name: string, primal: Stmt = stmt): void {
    this.definitions.set(stmt, { name, primal });
    this.b.emit(stmt);
  }

  protected forwardStmt(s: Stmt): void {
    this.b.loc = s.loc;
    switch (s.kind) {
      case "let":
      case "assign": {
        const value = s.kind === "let" ? s.init : s.value;
        if (value?.kind === "call") {
          const split = this.forwardCall(value.callee, value.args, s.name);
          if (split) {
            // The callee's forward half: its value, and what its backward half will need.
            const result = this.b.temp(split.call, split.type, `${value.callee}Out`);
            const valueRead: Expr = { kind: "field", object: result, name: "value" };
            this.b.emit({ kind: "push", object: ref(this.tapeFor(split.saved)), values: [this.b.temp({ kind: "field", object: result, name: "saved" }, split.saved)] });
            this.define(s.kind === "let" ? { ...s, init: valueRead } : { ...s, value: valueRead }, s.name, s);
            this.forwardAdjointContainer(s.name, value, s);
            return;
          }
        }
        this.define(s, s.name);
        this.forwardAdjointContainer(s.name, value, s);
        return;
      }
      case "setIndex":
      case "setField": {
        if (this.needsRestore(s.object)) {
          const old = this.b.temp(s.kind === "setIndex" ? { kind: "index", object: s.object, index: s.index } : { kind: "field", object: s.object, name: s.name }, this.typeOf(s.value));
          this.b.emit({ kind: "push", object: ref(this.tapeFor(this.typeOf(s.value))), values: [old] });
        }
        this.b.emit(s);
        if (!this.active(s.object)) return;
        const dObject = ref(this.adjointName((s.object as { name: string }).name));
        const valueType = this.typeOf(s.value);
        if (s.kind === "setField" && !isDifferentiable(valueType)) return;
        if (isReference(valueType)) this.emitDerivative({ ...s, object: dObject, value: this.containerBar(s.value) } as Stmt);
        // An array grown by writing past its end gets a zero adjoint there; a caller's adjoint
        // container (a parameter's) already has its elements and holds the caller's adjoints.
        else if (s.kind === "setIndex" && !this.isParameterClass(s.object)) this.emitDerivative({ kind: "setIndex", object: dObject, index: s.index, value: num(0) });
        return;
      }
      case "push":
        this.b.emit(s);
        if (this.active(s.object)) {
          const values = s.values.map((v) => (isReference(this.typeOf(v)) ? this.containerBar(v) : num(0)));
          this.emitDerivative({ kind: "push", object: ref(this.adjointName((s.object as { name: string }).name)), values });
        }
        return;
      case "drop": {
        // Generated code's own `a.pop()` (a derivative's backward sweep, differentiated again):
        // the element taken off is kept when the backward sweep puts it back, and the adjoint
        // array shrinks with the array.
        if (this.keepsDropped(s.object)) {
          const element = elementType(this.typeOf(s.object));
          const length = this.b.temp({ kind: "length", object: s.object }, NUMBER);
          const last = this.b.temp({ kind: "binary", op: "-", left: length, right: num(1) }, NUMBER);
          const dropped = this.b.temp({ kind: "index", object: s.object, index: last }, element);
          this.b.emit({ kind: "push", object: ref(this.tapeFor(element)), values: [dropped] });
        }
        this.b.emit(s);
        if (this.active(s.object)) this.emitDerivative({ kind: "drop", object: ref(this.adjointName((s.object as { name: string }).name)) });
        return;
      }
      case "fill":
        if (this.needsRestore(s.object)) {
          const type = this.typeOf(s.object);
          const snapshot = this.b.temp({ kind: "copy", source: s.object, type, deep: true }, type);
          this.b.emit({ kind: "push", object: ref(this.tapeFor(type)), values: [snapshot] });
        }
        this.b.emit(s);
        if (this.active(s.object)) {
          const value = isReference(this.typeOf(s.value)) ? this.containerBar(s.value) : num(0);
          this.emitDerivative({ kind: "fill", object: ref(this.adjointName((s.object as { name: string }).name)), value });
        }
        return;
      case "callStmt": {
        const split = this.forwardCall(s.callee, s.args, undefined);
        if (!split) {
          this.b.emit(s);
          return;
        }
        const result = this.b.temp(split.call, split.type, `${s.callee}Out`);
        this.b.emit({ kind: "push", object: ref(this.tapeFor(split.saved)), values: [this.b.temp({ kind: "field", object: result, name: "saved" }, split.saved)] });
        return;
      }
      case "if":
        this.b.emit({ ...s, then: this.b.capture(() => this.forwardBlock(s.then)), else: this.b.capture(() => this.forwardBlock(s.else)) });
        return;
      case "block":
        this.b.emit({ ...s, body: this.b.capture(() => this.forwardBlock(s.body)) });
        return;
      case "loop":
        this.forwardLoop(s);
        return;
      default:
        this.b.emit(s);
    }
  }

  /**
   * Before a call: a snapshot of the container arguments it writes into (to restore them from).
   * When adjoints flow back through the call, it becomes a call of the callee's forward half,
   * returned here; otherwise the primal function is called.
   */
  protected forwardCall(callee: string, args: Operand[], result: string | undefined): { call: Expr; type: Type; saved: Type } | undefined {
    for (const arg of this.mutatedArguments(callee, args)) {
      const type = this.typeOf(arg);
      const snapshot = this.b.temp({ kind: "copy", source: arg, type, deep: true }, type);
      this.b.emit({ kind: "push", object: ref(this.tapeFor(type)), values: [snapshot] });
    }
    const split = this.callPullback(callee, args, result);
    if (!split || split.pullback.whole) {
      this.primalCalls.add(callee);
      return undefined;
    }
    const { fn, mask, pullback } = split;
    const bars = fn.params.flatMap((p, i) => (mask[i] && isReference(p.type) ? [this.containerBar(args[i]!)] : []));
    const fields = [...(fn.returnType.kind !== "void" ? [{ name: "value", type: fn.returnType }] : []), { name: "saved", type: pullback.saved }];
    return { call: { kind: "call", callee: pullback.forward, args: [...args, ...bars] }, type: { kind: "record", fields }, saved: pullback.saved };
  }

  /** The adjoint container that goes with a container defined by `value`. */
  protected forwardAdjointContainer(name: string, value: Expr | undefined, s: Stmt): void {
    const type = this.b.types.get(name)!;
    if (!isReference(type) || !this.activity.isActive(name)) return;
    const bar = this.adjointName(name);
    const dType = derivativeType(type);
    const init = value ? this.adjointContainerOf(value, name, type) : undefined;
    const stmt: Stmt = s.kind === "let" ? { kind: "let", name: bar, type: dType, init, mutable: s.mutable, definite: init === undefined } : { kind: "assign", name: bar, value: init! };
    this.derivativeCode.add(stmt);
    const located = { ...stmt, loc: s.loc };
    if (s.kind === "assign" || init) this.define(located, bar, s);
    else this.b.emit(located);
    if (s.kind === "let" && init) this.adjointDefinitions.set(s, located as Extract<Stmt, { kind: "let" }>);
  }

  /** The adjoint container declared next to each primal container declaration. */
  protected readonly adjointDefinitions = new Map<Stmt, Extract<Stmt, { kind: "let" }>>();

  protected adjointContainerOf(e: Expr, name: string, type: Type): Expr {
    const zeros: Expr = { kind: "zerosLike", like: ref(name), type };
    switch (e.kind) {
      case "operand":
        return { kind: "operand", value: this.containerBar(e.value) };
      case "index":
        return this.active(e.object) ? { kind: "index", object: ref(this.adjointName((e.object as { name: string }).name)), index: e.index } : zeros;
      case "field":
        return this.active(e.object) ? { kind: "field", object: ref(this.adjointName((e.object as { name: string }).name)), name: e.name } : zeros;
      case "select":
        return { kind: "select", cond: e.cond, whenTrue: this.containerBar(e.whenTrue), whenFalse: this.containerBar(e.whenFalse) };
      case "copy":
        // Numbers are copied (fresh adjoints); nested containers are shared (shared adjoints),
        // unless the copy is deep (a snapshot): then everything in it is fresh.
        if (!this.active(e.source) || e.deep || !isReference(elementOrFields(e.type))) return zeros;
        if (e.type.kind === "record") {
          const fields = e.type.fields.filter((f) => isDifferentiable(f.type)).map((f) => ({ name: f.name, value: isReference(f.type) ? this.b.temp({ kind: "field", object: ref(this.adjointName((e.source as { name: string }).name)), name: f.name }, derivativeType(f.type)) : num(0) }));
          return { kind: "recordLiteral", fields, type: derivativeType(e.type) };
        }
        if (e.type.kind === "tuple") {
          const sourceBar = ref(this.adjointName((e.source as { name: string }).name));
          const elements = e.type.elements.map((t, i) => (isReference(t) ? this.b.temp({ kind: "index", object: sourceBar, index: num(i) }, derivativeType(t)) : num(0)));
          return { kind: "arrayLiteral", elements, type: derivativeType(e.type) };
        }
        return { kind: "copy", source: ref(this.adjointName((e.source as { name: string }).name)), start: e.start, end: e.end, type: derivativeType(e.type) };
      case "arrayLiteral": {
        const types = e.type.kind === "tuple" ? e.type.elements : e.elements.map(() => elementType(e.type));
        return { kind: "arrayLiteral", elements: e.elements.map((el, i) => (isReference(types[i]!) ? this.containerBar(el) : num(0))), type: derivativeType(e.type) };
      }
      case "recordLiteral": {
        const recordType = e.type as Extract<Type, { kind: "record" }>;
        const fields = e.fields
          .filter((f) => isDifferentiable(recordType.fields.find((t) => t.name === f.name)!.type))
          .map((f) => ({ name: f.name, value: isReference(this.typeOf(f.value)) ? this.containerBar(f.value) : num(0) }));
        return { kind: "recordLiteral", fields, type: derivativeType(e.type) };
      }
      case "newArray": {
        const element = elementType(e.type);
        const fill = isReference(element) ? (e.fill ? this.containerBar(e.fill) : undefined) : num(0);
        return { kind: "newArray", length: e.length, fill, type: derivativeType(e.type) };
      }
      default:
        return zeros;
    }
  }

  protected forwardLoop(s: Extract<Stmt, { kind: "loop" }>): void {
    const checkpointed = this.prepared.checkpointed.get(s);
    if (checkpointed) return this.forwardCheckpointed(s, checkpointed);
    const counted = this.prepared.counted.get(s);
    const init = this.b.capture(() => this.forwardBlock(s.init));
    const prelude = s.test ? this.b.capture(() => this.forwardBlock(s.test!.prelude)) : [];
    const body = this.b.capture(() => this.forwardBlock(s.body));
    // A counted loop's update is undone by counting down: not a definition to save.
    const update = counted ? s.update : this.b.capture(() => this.forwardBlock(s.update));
    const test = s.test ? { prelude, cond: s.test.cond } : undefined;
    if (counted) {
      this.b.emit({ ...s, init, test, body, update });
      return;
    }
    const trips = this.b.names.fresh("trips");
    this.b.types.set(trips, NUMBER);
    this.b.emit({ kind: "let", name: trips, type: NUMBER, init: { kind: "operand", value: num(0) }, mutable: true });
    const count: Stmt = { kind: "assign", name: trips, value: { kind: "binary", op: "+", left: ref(trips), right: num(1) } };
    this.b.emit({ ...s, init, test, body: [count, ...body], update });
    this.b.emit({ kind: "push", object: ref(this.tapeFor(NUMBER, true)), values: [ref(trips)] });
  }

  /** What the forward sweep of each checkpointed loop leaves for its reversal. */
  protected readonly checkpointRuns = new Map<Stmt, CheckpointRun>();

  /**
   * A checkpointed loop (analysis/checkpointed.ts) on the way forward: its initializer, a
   * snapshot of its state, then the loop as written, without a tape. Its counter stops past the
   * last step, so the trip count is known from there on. The step with its tape is drafted here
   * (its definitions are the plan's like any other) but written into the backward sweep.
   */
  protected forwardCheckpointed(s: Extract<Stmt, { kind: "loop" }>, checkpointed: Checkpointed): void {
    const counted = this.prepared.counted.get(s)!;
    this.forwardBlock(s.init);
    const start = this.b.temp({ kind: "operand", value: counted.start }, NUMBER, "firstStep");
    const advance = structuredClone(s.body);
    forEachStmt(advance, (x) => {
      const value = x.kind === "let" ? x.init : x.kind === "assign" ? x.value : undefined;
      if (x.kind === "callStmt") this.primalCalls.add(x.callee);
      if (value?.kind === "call") this.primalCalls.add(value.callee);
    });
    const loop: CheckpointedLoop = { counter: counted.counter, advance, tapedStep: [], backwardStep: [], state: checkpointed.state, line: s.loc?.line ?? 0 };
    const store = declareSnapshots(this.b, loop);
    forwardPrimal(this.b, loop, store, { ...s, checkpoint: undefined, init: [], test: s.test && structuredClone(s.test), update: structuredClone(s.update), body: advance });
    const end = this.b.temp({ kind: "operand", value: ref(counted.counter) }, NUMBER, "lastStep");
    const snapshots = checkpointed.snapshots !== undefined ? num(checkpointed.snapshots) : defaultSnapshots(this.b, start, end);
    loop.tapedStep = this.withoutStateAdjointResets(this.b.capture(() => this.forwardBlock(s.body)), checkpointed.state);
    const budget = checkpointed.tapeLimit === undefined ? undefined : { bytes: checkpointed.tapeLimit, entries: declareCounter(this.b, "tapeEntries") };
    this.checkpointRuns.set(s, { loop, store, start, end, snapshots, budget });
  }

  /**
   * The forward sweep zeroes the adjoint of each element it writes (an array grown by the write
   * gets its adjoint entry). A checkpointed step runs again during the backward sweep, when the
   * state's adjoints hold what later steps accumulated: those resets are left out of it.
   */
  private withoutStateAdjointResets(block: Stmt[], state: StateVariable[]): Stmt[] {
    const classes = new Set(state.map((v) => this.activity.aliasClass(v.name)));
    const primalOf = new Map([...this.adjoints].map(([primal, bar]) => [bar, primal]));
    const reset = (x: Stmt) =>
      this.derivativeCode.has(x) &&
      (x.kind === "setIndex" || x.kind === "setField") &&
      x.value.kind === "number" &&
      x.value.value === 0 &&
      x.object.kind === "var" &&
      primalOf.has(x.object.name) &&
      classes.has(this.activity.aliasClass(primalOf.get(x.object.name)!));
    const rewrite = (stmts: Stmt[]): Stmt[] =>
      stmts.filter((x) => !reset(x)).map((x) => mapNestedBlocks(x, rewrite));
    return rewrite(block);
  }

  /** Pushes before overwrites, and hoisted variables assigned instead of declared. */
  protected finishForward(block: Stmt[]): Stmt[] {
    const { saved, undone, hoisted, definitions } = this.plan;
    const rewrite = (stmts: Stmt[]): Stmt[] =>
      stmts.flatMap((s): Stmt[] => {
        const definition = this.definitions.get(s);
        const name = definition?.name;
        const out = mapNestedBlocks(s, rewrite);
        if (name === undefined) return [out];
        const result: Stmt[] = [];
        const primal = definition!.primal;
        if (saved.get(name)?.has(primal) && !definitions.first.has(primal) && !undone.has(primal)) result.push(...this.saveStatements(name, s.loc));
        if (hoisted.has(name) && s.kind === "let") {
          if (s.init) result.push(this.keepMark(s, { kind: "assign", name, value: s.init, loc: s.loc }));
        } else {
          result.push(out);
        }
        return result;
      });
    return rewrite(block);
  }

}
