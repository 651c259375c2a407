/**
 * The state the sweep writers share: adjoint names, tapes, the builder, and element-wise helpers.
 * The forward sweep (forward.ts), the backward sweep (backward.ts) and the function around them
 * (function.ts) extend it; what they write follows the plan (../plan.ts).
 */
import { forEachStmt, type Activity, type ActivityOracle } from "../../analysis/activity.ts";
import { IRBuilder } from "../../ir/builder.ts";
import type { Expr, Function, Operand, Program, Stmt, Type } from "../../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../../ir/ir.ts";
import { NameManager } from "../../ir/names.ts";
import { derivativeType, describeType, elementType, isDifferentiable, isReference, literalType } from "../../ir/types.ts";
import { exprOperands } from "../../emit/inline.ts";
import { writtenParams } from "../../analysis/writes.ts";
import { type Plan, type Prepared } from "../plan.ts";
import type { ReverseKind } from "../reverse.ts";

export interface Job {
  fn: Function;
  mask: boolean[];
  name: string;
  kind: ReverseKind | "pullback";
  /** For a pullback: the name of its forward half. */
  forwardName?: string;
  /** A pullback in one piece, which runs the callee's forward sweep itself (recursive callees). */
  whole?: boolean;
  /** `--tape-limit`, in bytes: outermost loops are checkpointed, and a range of steps runs with its tape when that fits. */
  tapeLimit?: number;
}

/**
 * A callee's reverse mode in two halves: `gForward(…args, …argBars)` runs its forward sweep and
 * returns `{ value, saved }`; `gPullback(…args, resultBar, …argBars, saved)` runs its backward
 * sweep from what was saved. The caller keeps `saved` on a tape between the two.
 */
export interface Pullback {
  forward: string;
  backward: string;
  /** The type of what the forward half saves for the backward half. */
  saved: Type;
  /**
   * A recursive callee's pullback is one function, `gPullback(…args, resultBar, …argBars)`,
   * that recomputes the callee's forward sweep (its own recursive calls are plain calls), then
   * runs its backward sweep: what it saves stays inside it, so no record's type contains
   * itself. The caller calls the primal function in its forward sweep.
   */
  whole?: boolean;
}


export abstract class SweepWriter {
  protected readonly b: IRBuilder;
  protected readonly adjoints = new Map<string, string>();
  /** Adjoint numbers used by the backward sweep: declared `let xBar = 0` at its start. */
  protected readonly numberAdjoints = new Set<string>();
  protected readonly derivativeCode = new WeakSet<Stmt>();
  protected readonly derivedNames = new Set<string>();
  /** Forward-sweep statements that define a variable (for tape pushes and hoisting). */
  protected readonly definitions = new Map<Stmt, { name: string; primal: Stmt }>();
  protected readonly declaredSingle = new Set<string>();
  /** By variable, the primal statements whose backward code reads it (what the draft tells the plan). */
  protected readonly readers = new Map<string, Stmt[]>();
  /** Backward-sweep placeholders where a variable's previous value is restored. */
  protected readonly restoreMarkers = new Map<Stmt, { name: string; primal: Stmt }>();
  protected readonly tapes = new Map<string, { name: string; type: Type }>();
  /** Every adjoint name made so far. */
  protected readonly adjointNameSet = new Set<string>();
  /** What the analyses say before the sweeps are drafted, then the whole plan. */
  protected prepared!: Prepared;
  protected plan!: Plan;

  constructor(
    protected readonly job: Job,
    protected readonly activity: Activity,
    protected readonly program: Program,
    protected readonly oracle: ActivityOracle,
    protected readonly pullbackFor: (fn: Function, mask: boolean[]) => Pullback,
    protected readonly primalCalls: Set<string>,
    /** Local container classes to restore in the backward sweep, so that their reads are recomputed. */
    protected readonly restoreLocal: ReadonlySet<string> = new Set(),
  ) {
    const names = new NameManager(job.fn.reservedNames);
    for (const t of job.fn.temporaries) names.temporaries.add(t);
    this.b = new IRBuilder(names, new Map(activity.types));
  }

  // ── names and adjoints ─────────────────────────────────────────────────

  protected isParameterClass(container: Operand): boolean {
    return container.kind === "var" && this.fn.params.some((p) => isReference(p.type) && this.activity.aliasClass(p.name) === this.activity.aliasClass(container.name));
  }

  protected needsRestore(container: Operand): boolean {
    return container.kind === "var" && this.prepared.restored.has(this.activity.aliasClass(container.name));
  }

  /** Whether a dropped element is kept for the backward sweep: to restore the array, or to shape a container element's adjoint. */
  protected keepsDropped(array: Operand): boolean {
    return this.needsRestore(array) || (this.active(array) && isReference(elementType(this.typeOf(array))));
  }

  protected typeOf(operand: Operand): Type {
    if (operand.kind === "var") return this.b.types.get(operand.name) ?? this.activity.types.get(operand.name)!;
    return literalType(operand);
  }

  protected active(operand: Operand): boolean {
    return this.activity.isActiveOperand(operand);
  }

  protected adjointName(name: string): string {
    let adjoint = this.adjoints.get(name);
    if (!adjoint) {
      adjoint = this.b.names.fresh(`${name}Bar`);
      this.adjoints.set(name, adjoint);
      this.adjointNameSet.add(adjoint);
      this.derivedNames.add(adjoint);
      const type = this.b.types.get(name) ?? this.activity.types.get(name)!;
      this.b.types.set(adjoint, derivativeType(type));
    }
    return adjoint;
  }

  /** The adjoint of a number operand (declared for the backward sweep), or undefined if inactive. */
  protected numberBar(operand: Operand): string | undefined {
    if (operand.kind !== "var" || !this.active(operand) || isReference(this.typeOf(operand))) return undefined;
    const name = this.adjointName(operand.name);
    if (!this.prepared.singleUse.has(operand.name)) this.numberAdjoints.add(name);
    return name;
  }

  /** `operandBar += amount` (or the declaration of a single-use temporary's adjoint). */
  protected addTo(operand: Operand, amount: Operand, subtract = false): void {
    const bar = this.numberBar(operand);
    if (!bar) return;
    if (operand.kind === "var" && this.prepared.singleUse.has(operand.name) && !this.declaredSingle.has(operand.name)) {
      this.declaredSingle.add(operand.name);
      const init: Expr = subtract ? { kind: "unary", op: "-", arg: amount } : { kind: "operand", value: amount };
      this.b.names.temporaries.add(bar);
      this.b.emit({ kind: "let", name: bar, type: NUMBER, init, mutable: false });
      return;
    }
    this.b.emit({ kind: "assign", name: bar, value: { kind: "binary", op: subtract ? "-" : "+", left: ref(bar), right: amount } });
  }

  /** Declares a single-use temporary's adjoint as a zero to accumulate into (branches, sums). */
  protected declareZero(operand: Operand): void {
    if (operand.kind !== "var" || !this.prepared.singleUse.has(operand.name) || this.declaredSingle.has(operand.name) || !this.numberBar(operand)) return;
    this.declaredSingle.add(operand.name);
    this.b.emit({ kind: "let", name: this.adjointName(operand.name), type: NUMBER, init: { kind: "operand", value: num(0) }, mutable: true });
  }

  /** Whether a number's adjoint may be non-zero where it is consumed. */
  protected hasAdjoint(name: string): boolean {
    return !this.prepared.singleUse.has(name) || this.declaredSingle.has(name);
  }

  /** After a definition consumed its adjoint: zero it if an earlier definition will accumulate again. */
  protected resetBar(name: string): void {
    if (this.prepared.singleUse.has(name) || !this.overwritten(name)) return;
    this.b.emit({ kind: "assign", name: this.adjointName(name), value: { kind: "operand", value: num(0) } });
  }

  /** The adjoint container of a container operand, or zeros shaped like it when it has none. */
  protected containerBar(operand: Operand): Operand {
    if (operand.kind === "var" && this.active(operand)) return ref(this.adjointName(operand.name));
    const type = this.typeOf(operand);
    return this.b.temp({ kind: "zerosLike", like: operand, type }, derivativeType(type));
  }

  protected get fn(): Function {
    return this.job.fn;
  }

  /** Records what the backward code of one statement reads (for the to-be-recorded test). */
  protected noteReads(primal: Stmt, code: Stmt[]): void {
    for (const name of readsOf(code)) {
      const list = this.readers.get(name) ?? [];
      list.push(primal);
      this.readers.set(name, list);
    }
  }

  /** An inactive number: a counter, an index, a size. */
  protected isControl(name: string): boolean {
    return this.b.types.get(name)?.kind === "number" && !this.activity.isActive(name) && !this.adjointNameSet.has(name);
  }

  protected overwritten(name: string): boolean {
    const sites = this.prepared.definitions.sites.get(name);
    return sites !== undefined && (sites.count > 1 || sites.inLoop);
  }

  /**
   * A hoisted variable starts with an empty value of its type (0, [], { W: [], b: [] }), never
   * `undefined`: a loop saves it before its first assignment, and a tape must hold values of
   * its type (forward mode over this code reads their shape).
   */
  protected hoistedDeclaration(name: string): Stmt[] {
    const type = this.b.types.get(name)!;
    const { setup, value } = this.emptyValue(type);
    return [...setup, { kind: "let", name, type, init: { kind: "operand", value }, mutable: true }];
  }

  /** An empty value of a type (0, [], { W: [], b: [] }) and the declarations it needs. */
  protected emptyValue(type: Type): { setup: Stmt[]; value: Operand } {
    const setup: Stmt[] = [];
    const empty = (t: Type): Operand => {
      switch (t.kind) {
        case "number":
          return num(0);
        case "boolean":
          return { kind: "boolean", value: false };
        case "string":
          return { kind: "string", value: "" };
        case "void":
          return num(0);
        case "optional":
          return { kind: "undefined" };
        default: {
          const expr: Expr =
            t.kind === "array"
              ? t.typed
                ? { kind: "newArray", length: num(0), fill: num(0), type: t }
                : { kind: "arrayLiteral", elements: [], type: t }
              : t.kind === "tuple"
                ? { kind: "arrayLiteral", elements: t.elements.map(empty), type: t }
                : { kind: "recordLiteral", fields: t.fields.map((f) => ({ name: f.name, value: empty(f.type) })), type: t };
          const temp = this.b.names.fresh("t", true);
          setup.push({ kind: "let", name: temp, type: t, init: expr, mutable: false });
          return ref(temp);
        }
      }
    };
    return { setup, value: empty(type) };
  }

  /**
   * The tape for values of a type. Counters and trip counts (`control`) get their own, so that a
   * tape of active values never carries inactive ones (forward mode over this code then gives
   * counters no tangent); adjoint containers get theirs, so that no tape makes a primal
   * container look like an alias of an adjoint one.
   */
  protected tapeFor(type: Type, control = false, adjoint = false): string {
    const key = `${control ? "control " : adjoint ? "adjoint " : ""}${describeType(type)}`;
    let tape = this.tapes.get(key);
    if (!tape) {
      const base = control ? "controlTape" : adjoint ? "adjointTape" : type.kind === "number" ? "tape" : type.kind === "boolean" ? "flagTape" : isReference(type) ? "containerTape" : "valueTape";
      tape = { name: this.b.names.fresh(base), type };
      this.tapes.set(key, tape);
    }
    return tape.name;
  }

  /**
   * The statements saving a variable's value on its tape. A flag goes on the counters' number
   * tape as 1 or 0 (a typed stack of numbers, where a tape of its own would be an array of
   * booleans grown by `push`).
   */
  protected saveStatements(name: string, loc: Stmt["loc"]): Stmt[] {
    const type = this.b.types.get(name)!;
    if (type.kind !== "boolean") return [{ kind: "push", object: ref(this.tapeFor(type, this.isControl(name), this.adjointNameSet.has(name))), values: [ref(name)], loc }];
    const flag = this.b.names.fresh("t", true);
    this.b.types.set(flag, NUMBER);
    return [
      { kind: "let", name: flag, type: NUMBER, init: { kind: "select", cond: ref(name), whenTrue: num(1), whenFalse: num(0) }, mutable: false, loc },
      { kind: "push", object: ref(this.tapeFor(NUMBER, true)), values: [ref(flag)], loc },
    ];
  }

  /** The statements giving a variable back the value `saveStatements` saved. */
  protected restoreStatements(name: string, loc: Stmt["loc"]): Stmt[] {
    const type = this.b.types.get(name)!;
    if (type.kind !== "boolean") return [{ kind: "assign", name, value: { kind: "pop", object: ref(this.tapeFor(type, this.isControl(name), this.adjointNameSet.has(name))), type }, loc }];
    const flag = this.b.names.fresh("t", true);
    this.b.types.set(flag, NUMBER);
    return [
      { kind: "let", name: flag, type: NUMBER, init: { kind: "pop", object: ref(this.tapeFor(NUMBER, true)), type: NUMBER }, mutable: false, loc },
      { kind: "assign", name, value: { kind: "binary", op: "!==", left: ref(flag), right: num(0) }, loc },
    ];
  }

  protected emitDerivative(stmt: Stmt): void {
    const withLoc = this.b.loc && !stmt.loc ? { ...stmt, loc: this.b.loc } : stmt;
    this.derivativeCode.add(withLoc);
    this.b.block.push(withLoc);
  }

  /** The pullback a call needs, or undefined when no adjoint flows back through it. */
  protected callPullback(callee: string, args: Operand[], result: string | undefined): { fn: Function; mask: boolean[]; pullback: Pullback; writes: boolean } | undefined {
    const argsActive = args.map((a) => this.active(a));
    const summary = this.oracle.summary(callee, argsActive);
    const resultActive = result !== undefined && this.activity.isActive(result);
    if (!argsActive.some(Boolean) || (!resultActive && !summary.writtenParams.some(Boolean))) return undefined;
    const fn = this.program.functions.get(callee)!;
    return { fn, mask: summary.activeParams, pullback: this.pullbackFor(fn, summary.activeParams), writes: summary.writtenParams.some(Boolean) };
  }

  protected mutatedArguments(callee: string, args: Operand[]): Operand[] {
    const fn = this.program.functions.get(callee)!;
    const written = writtenParams(fn, this.program, this.oracle);
    return args.filter((a, i) => written[i] && a.kind === "var");
  }

  protected keepMark(from: Stmt, to: Stmt): Stmt {
    if (this.derivativeCode.has(from)) this.derivativeCode.add(to);
    return to;
  }

  // ── element-wise helpers ───────────────────────────────────────────────

  /** `for (let k = 0; k < array.length; k++) body(k)`. */
  protected loopOver(array: Operand, body: (index: Operand) => void): void {
    const k = this.b.names.fresh("k");
    this.b.types.set(k, NUMBER);
    const length = this.b.names.fresh("t", true);
    const cond = this.b.names.fresh("t", true);
    const loopBody = this.b.capture(() => body(ref(k)));
    this.b.emit({
      kind: "loop",
      init: [{ kind: "let", name: k, type: NUMBER, init: { kind: "operand", value: num(0) }, mutable: true }],
      test: {
        prelude: [
          { kind: "let", name: length, type: NUMBER, init: { kind: "length", object: array }, mutable: false },
          { kind: "let", name: cond, type: BOOLEAN, init: { kind: "binary", op: "<", left: ref(k), right: ref(length) }, mutable: false },
        ],
        cond: ref(cond),
      },
      update: [{ kind: "assign", name: k, value: { kind: "binary", op: "+", left: ref(k), right: num(1) } }],
      body: loopBody,
      bodyFirst: false,
    });
  }

  /** `target += Σ source` over every number in `source`. */
  protected sumInto(target: string, source: Operand): void {
    const type = this.typeOf(source);
    const visitLeaves = (container: Operand, t: Type): void => {
      if (t.kind === "array") {
        this.loopOver(container, (k) => {
          const element = this.b.temp({ kind: "index", object: container, index: k }, t.element);
          if (t.element.kind === "number") this.b.emit({ kind: "assign", name: target, value: { kind: "binary", op: "+", left: ref(target), right: element } });
          else visitLeaves(element, t.element);
        });
      }
    };
    visitLeaves(source, type);
  }

  /** `target += source`, element by element, through nested containers. */
  protected accumulate(target: Operand, source: Operand, type: Type): void {
    this.elementwise(target, source, type, (read, write, from) => write(this.b.temp({ kind: "binary", op: "+", left: read(), right: from() }, NUMBER)));
  }

  /** Overwrites the numbers of `target` with those of `source` (same shape), keeping its containers. */
  protected copyInto(target: Operand, source: Operand, type: Type): void {
    this.elementwise(target, source, type, (_read, write, from) => write(from()));
  }

  protected elementwise(target: Operand, source: Operand, type: Type, leaf: (read: () => Operand, write: (v: Operand) => void, from: () => Operand) => void): void {
    const at = (container: Operand, key: Operand | string): Expr => (typeof key === "string" ? { kind: "field", object: container, name: key } : { kind: "index", object: container, index: key });
    const visitChild = (key: Operand | string, t: Type) => {
      if (t.kind === "number") {
        leaf(
          () => this.b.temp(at(target, key), NUMBER),
          (v) => this.b.emit(typeof key === "string" ? { kind: "setField", object: target, name: key, value: v } : { kind: "setIndex", object: target, index: key, value: v }),
          () => this.b.temp(at(source, key), NUMBER),
        );
      } else if (isDifferentiable(t) && isReference(t)) {
        this.elementwise(this.b.temp(at(target, key), t), this.b.temp(at(source, key), t), t, leaf);
      }
    };
    if (type.kind === "array") this.loopOver(source, (k) => visitChild(k, type.element));
    else if (type.kind === "tuple") type.elements.forEach((t, i) => visitChild(num(i), t));
    else if (type.kind === "record") type.fields.forEach((f) => visitChild(f.name, f.type));
  }
}



export function elementOrFields(type: Type): Type {
  if (type.kind === "array") return type.element;
  if (type.kind === "record") return type.fields.some((f) => isReference(f.type)) ? { kind: "array", element: NUMBER } : NUMBER;
  if (type.kind === "tuple") return type.elements.some(isReference) ? { kind: "array", element: NUMBER } : NUMBER;
  return NUMBER;
}


/** Every variable a block reads (operands, conditions, loop tests). */
export function readsOf(block: Stmt[]): Set<string> {
  const names = new Set<string>();
  const add = (o: Operand | undefined) => o?.kind === "var" && names.add(o.name);
  forEachStmt(block, (s) => {
    switch (s.kind) {
      case "let":
        if (s.init) exprOperands(s.init).forEach(add);
        break;
      case "assign":
        exprOperands(s.value).forEach(add);
        break;
      case "setIndex":
        [s.object, s.index, s.value].forEach(add);
        break;
      case "setField":
      case "fill":
        [s.object, s.value].forEach(add);
        break;
      case "push":
        [s.object, ...s.values].forEach(add);
        break;
      case "drop":
        add(s.object);
        break;
      case "callStmt":
      case "trace":
        s.args.forEach(add);
        break;
      case "if":
        add(s.cond);
        break;
      case "loop":
        if (s.test) add(s.test.cond);
        break;
      case "return":
        add(s.value);
        break;
    }
  });
  return names;
}
