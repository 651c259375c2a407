/**
 * Reverse mode (gradients, VJPs): IR → IR, on functions whose jumps are already flags
 * (structure.ts), from the same rule table as forward mode (`x̄ᵢ += ∂ᵢ·Ω̄`).
 *
 * A generated function runs a forward sweep (the primal code, plus adjoint containers built
 * alongside the primal ones so they share their shape and aliasing) and then a backward sweep
 * (the statements in reverse, each propagating its adjoint to its operands).
 *
 * Restoring state: the backward sweep reads the values the forward sweep computed. A variable
 * the backward sweep reads that the forward sweep overwrites (assigned, or declared in a loop)
 * is pushed on a tape before each overwrite and popped back at the same point of the backward
 * sweep, so every backward statement sees the state right after its forward twin (the
 * to-be-recorded analysis: nothing else is saved). Container elements are saved only where a
 * backward computation reads the container again (a callee's pullback recomputes it, or the
 * caller's arguments must be left unchanged).
 *
 * Recomputing instead of saving: a value defined once in a loop from "free" operands
 * (parameters and containers nothing writes, counters of the enclosing counted loops, other such
 * values) is recomputed at the top of its block in the backward sweep instead of being saved
 * (`layer.W[i][j]` costs a read, not a push and a pop).
 *
 * Loops: a loop whose counter steps by one and is not assigned in its body is reversed by
 * counting the counter back down to its start (nothing stored); any other loop records its trip
 * count. An `if` is reversed on its own condition (saved like any other value when needed).
 *
 * Calls: each callee gets one pullback per activity pattern, `gPullback(…args, resultBar,
 * …containerArgBars)`, which recomputes the callee's forward sweep and runs its backward sweep,
 * accumulating into the container adjoints and returning the adjoints of its number arguments.
 */
import { forEachStmt, type Activity, type ActivityOracle } from "../analysis/activity.ts";
import { IRBuilder, fold, isZero, operandD } from "../ir/builder.ts";
import type { DerivativeFunction, Expr, Function, Operand, Param, Program, Stmt, Type } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../ir/ir.ts";
import { NameManager, capitalize } from "../ir/names.ts";
import { derivativeType, describeType, elementType, isDifferentiable, isReference } from "../ir/types.ts";
import { mul, ruleFor, type D } from "../rules/rules.ts";
import { mentions, substitute } from "../rules/d.ts";
import { directOperands as directOperandsOf, exprOperands } from "../emit/inline.ts";
import { writtenParams } from "../analysis/writes.ts";
import { exitReads, isIntegerValued, loopExit, setCounterToExit, type LoopExit } from "./counters.ts";

export type ReverseKind = "grad" | "vjp";

export interface ReverseTarget {
  fn: string;
  wrt: boolean[];
  exportName: string;
  kind: ReverseKind;
}

export interface ReverseResult {
  functions: DerivativeFunction[];
  primalCalls: Set<string>;
}

const OUTPUT: Operand = { kind: "var", name: "\u0000output" };

interface Job {
  fn: Function;
  mask: boolean[];
  name: string;
  kind: ReverseKind | "pullback";
  /** For a pullback: the name of its forward half. */
  forwardName?: string;
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
}

export function differentiateReverse(program: Program, oracle: ActivityOracle, targets: ReverseTarget[]): ReverseResult {
  const pullbacks = new Map<string, Pullback>();
  const exported: DerivativeFunction[] = [];
  const helpers: DerivativeFunction[] = [];
  const primalCalls = new Set<string>();
  const taken = new Set<string>([...program.functions.keys(), ...targets.map((t) => t.exportName)]);
  const fresh = (base: string) => {
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
    taken.add(name);
    return name;
  };
  // A second pass restores the local containers whose reads the first pass saved more often
  // than they are written (then those reads are recomputed instead).
  const build = (job: Job, activity: Activity) => {
    const first = new ReverseFunction(job, activity, program, oracle, pullbackFor, primalCalls).run();
    if (first.restoreAdvice.size === 0) return first;
    return new ReverseFunction(job, activity, program, oracle, pullbackFor, primalCalls, first.restoreAdvice).run();
  };
  // Callees are generated when first called (there is no recursion), so a caller knows the
  // type of what its callee saves.
  const pullbackFor = (fn: Function, mask: boolean[]): Pullback => {
    const key = `${fn.name}:${mask.map(Number).join("")}`;
    const known = pullbacks.get(key);
    if (known) return known;
    const all = fn.params.every((p, i) => mask[i] || !isDifferentiable(p.type));
    const suffix = all ? "" : `Wrt${fn.params.filter((_, i) => mask[i]).map((p) => capitalize(p.name)).join("")}`;
    const job: Job = { fn, mask, name: fresh(`${fn.name}Pullback${suffix}`), forwardName: fresh(`${fn.name}Forward${suffix}`), kind: "pullback" };
    const made = build(job, oracle.analyze(fn, mask));
    helpers.push(...made.functions);
    const info: Pullback = { forward: job.forwardName!, backward: job.name, saved: made.saved! };
    pullbacks.set(key, info);
    return info;
  };
  for (const target of targets) {
    const job: Job = { fn: program.functions.get(target.fn)!, mask: target.wrt, name: target.exportName, kind: target.kind };
    exported.push(...build(job, oracle.analyze(job.fn, job.mask)).functions);
  }
  return { functions: [...exported, ...helpers], primalCalls };
}

interface CountedLoop {
  counter: string;
  start: Operand;
  step: 1 | -1;
  /** Set when the counter's value after the loop can be computed (no tape needed for it). */
  exit?: LoopExit;
}

class ReverseFunction {
  private readonly b: IRBuilder;
  private readonly adjoints = new Map<string, string>();
  /** Adjoint numbers used by the backward sweep: declared `let xBar = 0` at its start. */
  private readonly numberAdjoints = new Set<string>();
  private readonly derivativeCode = new WeakSet<Stmt>();
  private readonly derivedNames = new Set<string>();
  /** Forward-sweep statements that define a variable (for tape pushes and hoisting). */
  private readonly definitions = new Map<Stmt, { name: string; primal: Stmt }>();
  /** How often, and whether inside a loop, each variable is defined by the forward sweep. */
  private readonly definitionSites = new Map<string, { count: number; inLoop: boolean; nested: boolean }>();
  /** Declarations outside loops: they overwrite nothing, so nothing is saved before them. */
  private readonly firstDefinitions = new WeakSet<Stmt>();
  /**
   * Temporaries used once, in their own block: their adjoint gets exactly one contribution, so
   * it is declared with it (`const tBar = …`) instead of accumulated and reset.
   */
  private readonly singleUse = new Set<string>();
  private readonly declaredSingle = new Set<string>();
  /** Where each variable is redefined (primal statements), and whose backward code reads it. */
  private readonly overwrites = new Map<string, Stmt[]>();
  private readonly readers = new Map<string, Stmt[]>();
  private readonly positions = new Map<Stmt, { index: number; loops: Stmt[] }>();
  /** Backward-sweep placeholders where a variable's previous value is restored. */
  private readonly restoreMarkers = new Map<Stmt, { name: string; primal: Stmt }>();
  private readonly tapes = new Map<string, { name: string; type: Type }>();
  private loopDepth = 0;
  /** Inside an `if`, a loop or a block: declarations there are out of the backward sweep's scope. */
  private blockDepth = 0;
  /** Alias classes whose contents must be restored by the backward sweep. */
  private readonly restoredClasses = new Set<string>();

  constructor(
    private readonly job: Job,
    private readonly activity: Activity,
    private readonly program: Program,
    private readonly oracle: ActivityOracle,
    private readonly pullbackFor: (fn: Function, mask: boolean[]) => Pullback,
    private readonly primalCalls: Set<string>,
    /** Local container classes to restore in the backward sweep, so that their reads are recomputed. */
    private readonly restoreLocal: ReadonlySet<string> = new Set(),
  ) {
    const names = new NameManager(job.fn.reservedNames);
    for (const t of job.fn.temporaries) names.temporaries.add(t);
    this.b = new IRBuilder(names, new Map(activity.types));
    this.findRestoredClasses();
  }

  // ── analysis ───────────────────────────────────────────────────────────

  /** Containers read again by a backward recomputation: parameters and call arguments. */
  private findRestoredClasses(): void {
    for (const cls of this.restoreLocal) this.restoredClasses.add(cls);
    for (const p of this.job.fn.params) if (isReference(p.type)) this.restoredClasses.add(this.activity.aliasClass(p.name));
    forEachStmt(this.job.fn.body, (s) => {
      const call = s.kind === "callStmt" ? s : (s.kind === "let" || s.kind === "assign") && (s.kind === "let" ? s.init : s.value)?.kind === "call" ? ((s.kind === "let" ? s.init : s.value) as Extract<Expr, { kind: "call" }>) : undefined;
      if (!call) return;
      for (const a of call.args) if (a.kind === "var" && isReference(this.typeOf(a))) this.restoredClasses.add(this.activity.aliasClass(a.name));
    });
  }

  private isParameterClass(container: Operand): boolean {
    return container.kind === "var" && this.fn.params.some((p) => isReference(p.type) && this.activity.aliasClass(p.name) === this.activity.aliasClass(container.name));
  }

  private needsRestore(container: Operand): boolean {
    return container.kind === "var" && this.restoredClasses.has(this.activity.aliasClass(container.name));
  }

  private typeOf(operand: Operand): Type {
    if (operand.kind === "var") return this.b.types.get(operand.name) ?? this.activity.types.get(operand.name)!;
    return operand.kind === "number" ? NUMBER : operand.kind === "boolean" ? BOOLEAN : { kind: "string" };
  }

  private active(operand: Operand): boolean {
    return this.activity.isActiveOperand(operand);
  }

  private adjointName(name: string): string {
    let adjoint = this.adjoints.get(name);
    if (!adjoint) {
      adjoint = this.b.names.fresh(`${name}Bar`);
      this.adjoints.set(name, adjoint);
      this.derivedNames.add(adjoint);
      const type = this.b.types.get(name) ?? this.activity.types.get(name)!;
      this.b.types.set(adjoint, derivativeType(type));
    }
    return adjoint;
  }

  /** The adjoint of a number operand (declared for the backward sweep), or undefined if inactive. */
  private numberBar(operand: Operand): string | undefined {
    if (operand.kind !== "var" || !this.active(operand) || isReference(this.typeOf(operand))) return undefined;
    const name = this.adjointName(operand.name);
    if (!this.singleUse.has(operand.name)) this.numberAdjoints.add(name);
    return name;
  }

  /** `operandBar += amount` (or the declaration of a single-use temporary's adjoint). */
  private addTo(operand: Operand, amount: Operand, subtract = false): void {
    const bar = this.numberBar(operand);
    if (!bar) return;
    if (operand.kind === "var" && this.singleUse.has(operand.name) && !this.declaredSingle.has(operand.name)) {
      this.declaredSingle.add(operand.name);
      const init: Expr = subtract ? { kind: "unary", op: "-", arg: amount } : { kind: "operand", value: amount };
      this.b.names.temporaries.add(bar);
      this.b.emit({ kind: "let", name: bar, type: NUMBER, init, mutable: false });
      return;
    }
    this.b.emit({ kind: "assign", name: bar, value: { kind: "binary", op: subtract ? "-" : "+", left: ref(bar), right: amount } });
  }

  /** Declares a single-use temporary's adjoint as a zero to accumulate into (branches, sums). */
  private declareZero(operand: Operand): void {
    if (operand.kind !== "var" || !this.singleUse.has(operand.name) || this.declaredSingle.has(operand.name) || !this.numberBar(operand)) return;
    this.declaredSingle.add(operand.name);
    this.b.emit({ kind: "let", name: this.adjointName(operand.name), type: NUMBER, init: { kind: "operand", value: num(0) }, mutable: true });
  }

  /** Whether a number's adjoint may be non-zero where it is consumed. */
  private hasAdjoint(name: string): boolean {
    return !this.singleUse.has(name) || this.declaredSingle.has(name);
  }

  /** After a definition consumed its adjoint: zero it if an earlier definition will accumulate again. */
  private resetBar(name: string): void {
    if (this.singleUse.has(name) || !this.overwritten(name)) return;
    this.b.emit({ kind: "assign", name: this.adjointName(name), value: { kind: "operand", value: num(0) } });
  }

  private findSingleUse(): void {
    const uses = new Map<string, number>();
    const sameBlockUse = new Set<string>();
    const count = (o: Operand) => o.kind === "var" && uses.set(o.name, (uses.get(o.name) ?? 0) + 1);
    forEachStmt(this.fn.body, (s) => directOperandsOf(s).forEach(count));
    const walk = (block: Stmt[]) => {
      const defined = new Set(block.filter((s) => s.kind === "let").map((s) => (s as { name: string }).name));
      for (const s of block) {
        for (const o of directOperandsOf(s)) if (o.kind === "var" && defined.has(o.name)) sameBlockUse.add(o.name);
        if (s.kind === "if") [s.then, s.else].forEach(walk);
        else if (s.kind === "loop") [s.init, s.test?.prelude ?? [], s.body, s.update].forEach(walk);
        else if (s.kind === "block") walk(s.body);
      }
    };
    walk(this.fn.body);
    for (const name of this.fn.temporaries) {
      const type = this.activity.types.get(name);
      if (type?.kind === "number" && uses.get(name) === 1 && sameBlockUse.has(name)) this.singleUse.add(name);
    }
  }

  /** The adjoint container of a container operand, or zeros shaped like it when it has none. */
  private containerBar(operand: Operand): Operand {
    if (operand.kind === "var" && this.active(operand)) return ref(this.adjointName(operand.name));
    const type = this.typeOf(operand);
    return this.b.temp({ kind: "zerosLike", like: operand, type }, derivativeType(type));
  }

  // ── the function ───────────────────────────────────────────────────────

  private get fn(): Function {
    return this.job.fn;
  }

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

    this.findSingleUse();
    this.computePositions();
    this.computeParents();
    const forward = this.b.capture(() => this.forwardBlock(statements));
    const valueName = this.b.names.fresh("value");
    const backward = this.b.capture(() => {
      if (returned && resultActive) this.seed(returned, seed);
      this.backwardBlock(statements);
    });

    // What the backward sweep reads decides what is saved and hoisted.
    const needed = readsOf(backward);
    const forwardNames = new Set([...this.definitionSites.keys()]);
    const recomputed = this.chooseRecomputed(new Set([...needed].filter((n) => forwardNames.has(n) && this.mustSave(n))));
    const taped = new Set([...needed].filter((n) => forwardNames.has(n) && this.mustSave(n) && !recomputed.has(n)));
    const hoisted = new Set([...needed].filter((n) => this.definitionSites.get(n)?.nested && !fn.params.some((p) => p.name === n) && !recomputed.has(n)));
    const restoreAdvice = this.restoreAdvice(taped);
    const forwardSweep = this.finishForward(forward, taped, hoisted);
    const backwardSweep = this.finishBackward(backward, taped, recomputed);
    const epilogue = this.epilogue(returned ? ref(valueName) : undefined, activeParams);

    const declarations: Stmt[] = [];
    for (const name of hoisted) declarations.push(...this.hoistedDeclaration(name));
    for (const { name, type } of this.tapes.values()) {
      // A tape that never leaves the function (not saved for a pullback) can be a Float64Array stack.
      const stack = type.kind === "number" && job.kind !== "pullback" ? this.b.names.fresh(`${name}Top`) : undefined;
      const tapeType: Type = { kind: "array", element: type, ...(stack ? { stack } : {}) };
      declarations.push({ kind: "let", name, type: tapeType, init: { kind: "arrayLiteral", elements: [], type: tapeType }, mutable: stack !== undefined });
    }
    const adjointDeclarationsLater = (): Stmt[] =>
      [...this.numberAdjoints].filter((n) => !this.isContainerAdjoint(n)).map((name): Stmt => ({ kind: "let", name, type: NUMBER, init: { kind: "operand", value: num(0) }, mutable: true }));

    // The value is taken before the backward sweep restores anything it shares.
    const valueType = fn.returnType;
    const valueInit: Expr | undefined = returned
      ? returned.kind === "var" && isReference(valueType) && this.needsRestore(returned)
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
    // A pullback in two halves: what the backward half reads from the forward half is saved.
    const declaredLater = new Set<string>();
    forEachStmt(backwardPart, (s) => s.kind === "let" && declaredLater.add(s.name));
    // Parameters come in again, unless the forward half assigned them (then their value is saved).
    const passed = new Set(params.map((p) => p.name).filter((n) => !this.definitionSites.has(n)));
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
    return {
      saved: savedType,
      restoreAdvice,
      functions: [
        { ...common(), name: job.forwardName!, params: [...fn.params, ...barParams], returnType: forwardResultType, body: [...declarations, ...forwardSweep, ...valueStmt, ...forwardBody], exported: false },
        { ...common(), name: job.name, params: [...params, { name: savedName, type: savedType }], returnType: epilogue.type, body: [...unpack, ...backwardPart], exported: false },
      ],
    };
  }

  /** The type of a value the forward half of a pullback saves (tapes are arrays of their element type). */
  private savedType(name: string): Type {
    for (const tape of this.tapes.values()) if (tape.name === name) return { kind: "array", element: tape.type };
    return this.b.types.get(name) ?? this.activity.types.get(name)!;
  }

  private isContainerAdjoint(name: string): boolean {
    const type = this.b.types.get(name);
    return type !== undefined && isReference(type);
  }

  /** Seeds the adjoint of the returned value: 1, the cotangent, or the caller's result adjoint. */
  private seed(returned: Operand, seed: string | undefined): void {
    const type = this.typeOf(returned);
    if (!isReference(type)) {
      this.addTo(returned, seed ? ref(seed) : num(1));
      return;
    }
    if (!seed) return;
    this.accumulate(ref(this.adjointName((returned as { name: string }).name)), ref(seed), derivativeType(type));
  }

  private epilogue(value: Operand | undefined, activeParams: Param[]): { stmts: Stmt[]; type: Type } {
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

  /**
   * The to-be-recorded test: a variable is saved when the backward sweep reads it at a point
   * that ran before one of its (re)definitions, so that the definition destroyed the value.
   */
  private mustSave(name: string): boolean {
    return this.savePoints(name).size > 0;
  }

  /**
   * Where a variable's value is saved: at the first redefinition that may run after each
   * statement whose backward code reads it (that redefinition destroys the value the read
   * needs; later ones are undone by then), and at a redefinition that reads its own old value.
   */
  private savePoints(name: string): Set<Stmt> {
    const cached = this.saveCache.get(name);
    if (cached) return cached;
    const overwrites = new Set(this.overwrites.get(name) ?? []);
    const points = new Set<Stmt>();
    for (const reader of this.readers.get(name) ?? []) {
      if (overwrites.has(reader) && (reader.kind === "let" || reader.kind === "assign")) {
        const value = reader.kind === "let" ? reader.init : reader.value;
        if (value && exprOperands(value).some((o) => o.kind === "var" && o.name === name)) points.add(reader);
      }
      for (const w of this.firstOverwritesAfter(reader, this.overwritesSeenBy(reader, name, overwrites))) points.add(w);
    }
    this.saveCache.set(name, points);
    return points;
  }

  private readonly saveCache = new Map<string, Set<Stmt>>();

  /**
   * The local container classes worth restoring: those whose element reads this pass saves
   * (weighted by loop depth) more than they are written. Only classes written element by
   * element (no push, fill or call) qualify, since only those writes are undone in place.
   */
  private restoreAdvice(taped: Set<string>): Set<string> {
    if (this.restoreLocal.size > 0) return new Set();
    const weight = (s: Stmt) => 4 ** (this.positions.get(s)?.loops.length ?? 0);
    const savedReads = new Map<string, number>();
    forEachStmt(this.fn.body, (s) => {
      if (s.kind !== "let" || !taped.has(s.name) || (s.init?.kind !== "index" && s.init?.kind !== "field") || s.init.object.kind !== "var") return;
      const cls = this.activity.aliasClass(s.init.object.name);
      if (this.restoredClasses.has(cls)) return;
      savedReads.set(cls, (savedReads.get(cls) ?? 0) + weight(s));
    });
    const writes = new Map<string, { cost: number; inPlace: boolean }>();
    forEachStmt(this.fn.body, (s) => {
      const target = s.kind === "setIndex" || s.kind === "setField" || s.kind === "push" || s.kind === "fill" || s.kind === "drop" ? s.object : undefined;
      if (target?.kind !== "var") return;
      const cls = this.activity.aliasClass(target.name);
      const known = writes.get(cls) ?? { cost: 0, inPlace: true };
      writes.set(cls, { cost: known.cost + weight(s), inPlace: known.inPlace && (s.kind === "setIndex" || s.kind === "setField") });
    });
    const advice = new Set<string>();
    for (const [cls, reads] of savedReads) {
      const w = writes.get(cls);
      if (w && w.inPlace && w.cost < reads && !this.fn.params.some((p) => this.activity.aliasClass(p.name) === cls)) advice.add(cls);
    }
    return advice;
  }

  /**
   * A counted loop whose exit value is computed sets its counter before its backward iteration:
   * for a reader inside that loop, the loop's own start is no overwrite to save against.
   */
  private overwritesSeenBy(reader: Stmt, name: string, overwrites: Set<Stmt>): Set<Stmt> {
    const loops = this.positions.get(reader)?.loops ?? [];
    const ignored = new Set<Stmt>();
    for (const loop of loops) {
      if (loop.kind !== "loop") continue;
      const counted = this.countedLoop(loop);
      const start = loop.init[loop.init.length - 1];
      if (counted?.exit && counted.counter === name && start) ignored.add(start);
    }
    return ignored.size === 0 ? overwrites : new Set([...overwrites].filter((w) => !ignored.has(w)));
  }

  /** The redefinitions (among `overwrites`) that may be the first to run after `reader`. */
  private firstOverwritesAfter(reader: Stmt, overwrites: Set<Stmt>): Set<Stmt> {
    const found = new Set<Stmt>();
    if (overwrites.size === 0) return found;
    /** Scans a block from `from`; true when it surely redefines the variable. */
    const scan = (block: Stmt[], from = 0): boolean => {
      for (let k = from; k < block.length; k++) {
        const s = block[k]!;
        if (overwrites.has(s)) {
          found.add(s);
          return true;
        }
        if (s.kind === "if") {
          const a = scan(s.then);
          const b = scan(s.else);
          if (a && b) return true;
        } else if (s.kind === "block") {
          if (scan(s.body)) return true;
        } else if (s.kind === "loop") {
          if (scan(s.init)) return true;
          scanLoop(s);
        }
      }
      return false;
    };
    const scanLoop = (loop: Extract<Stmt, { kind: "loop" }>) => {
      scan(loop.test?.prelude ?? []);
      scan(loop.body);
      scan(loop.update);
    };
    let place = this.parents.get(reader);
    // An `if` or a loop reads its condition first: its own branches and body run after the read.
    const compound = reader.kind === "if" || reader.kind === "loop" || reader.kind === "block";
    let definite = place ? scan(place.block, place.index + (compound ? 0 : 1)) : true;
    while (!definite && place) {
      const owner = place.owner;
      if (!owner) break;
      // Leaving a loop's part: the rest of this iteration and the next ones may run first.
      if (owner.kind === "loop") scanLoop(owner);
      const up = this.parents.get(owner);
      if (!up) break;
      definite = scan(up.block, up.index + 1);
      place = up;
    }
    return found;
  }

  /** Each statement's block, index in it, and the statement that owns the block. */
  private readonly parents = new Map<Stmt, { block: Stmt[]; index: number; owner?: Stmt }>();

  private computeParents(): void {
    const walk = (block: Stmt[], owner?: Stmt) => {
      block.forEach((s, index) => {
        this.parents.set(s, { block, index, owner });
        if (s.kind === "if") {
          walk(s.then, s);
          walk(s.else, s);
        } else if (s.kind === "block") walk(s.body, s);
        else if (s.kind === "loop") [s.init, s.test?.prelude ?? [], s.body, s.update].forEach((b) => walk(b, s));
      });
    };
    walk(this.fn.body);
  }

  private computePositions(): void {
    let index = 0;
    const walk = (block: Stmt[], loops: Stmt[]) => {
      for (const s of block) {
        this.positions.set(s, { index: index++, loops });
        if (s.kind === "if") {
          walk(s.then, loops);
          walk(s.else, loops);
        } else if (s.kind === "block") walk(s.body, loops);
        else if (s.kind === "loop") {
          walk(s.init, loops);
          const inner = [...loops, s];
          walk(s.test?.prelude ?? [], inner);
          walk(s.body, inner);
          walk(s.update, inner);
        }
      }
    };
    walk(this.fn.body, []);
  }

  /** Records what the backward code of one statement reads (for the to-be-recorded test). */
  private noteReads(primal: Stmt, code: Stmt[]): void {
    for (const name of readsOf(code)) {
      const list = this.readers.get(name) ?? [];
      list.push(primal);
      this.readers.set(name, list);
    }
  }

  /** An inactive number: a counter, an index, a size. */
  private isControl(name: string): boolean {
    return this.b.types.get(name)?.kind === "number" && !this.activity.isActive(name) && !this.adjointNames().has(name);
  }

  private adjointNames(): Set<string> {
    return new Set(this.adjoints.values());
  }

  private overwritten(name: string): boolean {
    const sites = this.definitionSites.get(name);
    return sites !== undefined && (sites.count > 1 || sites.inLoop);
  }

  /**
   * A hoisted variable starts with an empty value of its type (0, [], { W: [], b: [] }), never
   * `undefined`: a loop saves it before its first assignment, and a tape must hold values of
   * its type (forward mode over this code reads their shape).
   */
  private hoistedDeclaration(name: string): Stmt[] {
    const type = this.b.types.get(name)!;
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
    const init = empty(type);
    return [...setup, { kind: "let", name, type, init: { kind: "operand", value: init }, mutable: true }];
  }

  /**
   * The tape for values of a type. Counters and trip counts (`control`) get their own, so that a
   * tape of active values never carries inactive ones (forward mode over this code then gives
   * counters no tangent); adjoint containers get theirs, so that no tape makes a primal
   * container look like an alias of an adjoint one.
   */
  private tapeFor(type: Type, control = false, adjoint = false): string {
    const key = `${control ? "control " : adjoint ? "adjoint " : ""}${describeType(type)}`;
    let tape = this.tapes.get(key);
    if (!tape) {
      const base = control ? "controlTape" : adjoint ? "adjointTape" : type.kind === "number" ? "tape" : type.kind === "boolean" ? "flagTape" : isReference(type) ? "containerTape" : "valueTape";
      tape = { name: this.b.names.fresh(base), type };
      this.tapes.set(key, tape);
    }
    return tape.name;
  }

  // ── forward sweep ──────────────────────────────────────────────────────

  private forwardBlock(stmts: Stmt[]): void {
    for (const s of stmts) this.forwardStmt(s);
  }

  private define(stmt: Stmt, name: string, primal: Stmt = stmt): void {
    this.definitions.set(stmt, { name, primal });
    this.allDefinitions.set(name, [...(this.allDefinitions.get(name) ?? []), primal]);
    // The first declaration outside loops overwrites nothing; every later definition does
    // (sibling loops share their counter's name).
    const first = stmt.kind === "let" && this.loopDepth === 0 && !this.definitionSites.has(name);
    if (!first) {
      const list = this.overwrites.get(name) ?? [];
      list.push(primal);
      this.overwrites.set(name, list);
    }
    // A parameter starts out defined by the call.
    const initial = this.job.fn.params.some((p) => p.name === name) ? 1 : 0;
    const sites = this.definitionSites.get(name) ?? { count: initial, inLoop: false, nested: false };
    sites.count++;
    sites.inLoop ||= this.loopDepth > 0;
    if (stmt.kind === "let") sites.nested ||= this.blockDepth > 0;
    if (first) {
      this.firstDefinitions.add(stmt);
      this.firstDefinitions.add(primal);
    }
    this.definitionSites.set(name, sites);
    this.b.emit(stmt);
  }

  private forwardStmt(s: Stmt): void {
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
        this.blockDepth++;
        this.b.emit({ ...s, then: this.b.capture(() => this.forwardBlock(s.then)), else: this.b.capture(() => this.forwardBlock(s.else)) });
        this.blockDepth--;
        return;
      case "block":
        this.blockDepth++;
        this.b.emit({ ...s, body: this.b.capture(() => this.forwardBlock(s.body)) });
        this.blockDepth--;
        return;
      case "loop":
        this.blockDepth++;
        this.forwardLoop(s);
        this.blockDepth--;
        return;
      default:
        this.b.emit(s);
    }
  }

  private emitDerivative(stmt: Stmt): void {
    const withLoc = this.b.loc && !stmt.loc ? { ...stmt, loc: this.b.loc } : stmt;
    this.derivativeCode.add(withLoc);
    this.b.block.push(withLoc);
  }

  /**
   * Before a call: a snapshot of the container arguments it writes into (to restore them from).
   * When adjoints flow back through the call, it becomes a call of the callee's forward half,
   * returned here; otherwise the primal function is called.
   */
  private forwardCall(callee: string, args: Operand[], result: string | undefined): { call: Expr; type: Type; saved: Type } | undefined {
    for (const arg of this.mutatedArguments(callee, args)) {
      const type = this.typeOf(arg);
      const snapshot = this.b.temp({ kind: "copy", source: arg, type, deep: true }, type);
      this.b.emit({ kind: "push", object: ref(this.tapeFor(type)), values: [snapshot] });
    }
    const split = this.callPullback(callee, args, result);
    if (!split) {
      this.primalCalls.add(callee);
      return undefined;
    }
    const { fn, mask, pullback } = split;
    const bars = fn.params.flatMap((p, i) => (mask[i] && isReference(p.type) ? [this.containerBar(args[i]!)] : []));
    const fields = [...(fn.returnType.kind !== "void" ? [{ name: "value", type: fn.returnType }] : []), { name: "saved", type: pullback.saved }];
    return { call: { kind: "call", callee: pullback.forward, args: [...args, ...bars] }, type: { kind: "record", fields }, saved: pullback.saved };
  }

  /** The pullback a call needs, or undefined when no adjoint flows back through it. */
  private callPullback(callee: string, args: Operand[], result: string | undefined): { fn: Function; mask: boolean[]; pullback: Pullback; writes: boolean } | undefined {
    const argsActive = args.map((a) => this.active(a));
    const summary = this.oracle.summary(callee, argsActive);
    const resultActive = result !== undefined && this.activity.isActive(result);
    if (!argsActive.some(Boolean) || (!resultActive && !summary.writtenParams.some(Boolean))) return undefined;
    const fn = this.program.functions.get(callee)!;
    return { fn, mask: summary.activeParams, pullback: this.pullbackFor(fn, summary.activeParams), writes: summary.writtenParams.some(Boolean) };
  }

  private mutatedArguments(callee: string, args: Operand[]): Operand[] {
    const fn = this.program.functions.get(callee)!;
    const written = writtenParams(fn, this.program, this.oracle);
    return args.filter((a, i) => written[i] && a.kind === "var");
  }

  /** The adjoint container that goes with a container defined by `value`. */
  private forwardAdjointContainer(name: string, value: Expr | undefined, s: Stmt): void {
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
  private readonly adjointDefinitions = new Map<Stmt, Extract<Stmt, { kind: "let" }>>();

  private adjointContainerOf(e: Expr, name: string, type: Type): Expr {
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
        // Numbers are copied (fresh adjoints); nested containers are shared (shared adjoints).
        if (!this.active(e.source) || !isReference(elementOrFields(e.type))) return zeros;
        if (e.type.kind === "record") {
          const fields = e.type.fields.filter((f) => isDifferentiable(f.type)).map((f) => ({ name: f.name, value: isReference(f.type) ? this.b.temp({ kind: "field", object: ref(this.adjointName((e.source as { name: string }).name)), name: f.name }, derivativeType(f.type)) : num(0) }));
          return { kind: "recordLiteral", fields, type: derivativeType(e.type) };
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

  /** Whether an array's length is the same all through the function (never pushed, dropped or replaced). */
  private lengthNeverChanges(array: string): boolean {
    const cls = this.activity.aliasClass(array);
    let changes = false;
    forEachStmt(this.fn.body, (s) => {
      if ((s.kind === "push" || s.kind === "drop") && s.object.kind === "var" && this.activity.aliasClass(s.object.name) === cls) changes = true;
      if (s.kind === "assign" && s.name === array) changes = true;
      const call = callOf(s);
      if (call?.args.some((a) => a.kind === "var" && this.activity.aliasClass(a.name) === cls)) changes = true;
    });
    return !changes;
  }

  private countedLoop(s: Extract<Stmt, { kind: "loop" }>): CountedLoop | undefined {
    if (s.bodyFirst || s.update.length !== 1) return undefined;
    const update = s.update[0]!;
    if (update.kind !== "assign" || update.value.kind !== "binary") return undefined;
    const { op, left, right } = update.value;
    if ((op !== "+" && op !== "-") || left.kind !== "var" || left.name !== update.name || right.kind !== "number" || right.value !== 1) return undefined;
    const counter = update.name;
    const start = s.init[s.init.length - 1];
    if (!start || (start.kind !== "let" && start.kind !== "assign") || start.name !== counter) return undefined;
    const startValue = start.kind === "let" ? start.init : start.value;
    if (startValue?.kind !== "operand") return undefined;
    if (!s.init.slice(0, -1).every((x) => x.kind === "let" && x.init && x.init.kind !== "call")) return undefined;
    const startOperand = startValue.value;
    let assigned = false;
    forEachStmt([...s.body, ...(s.test?.prelude ?? [])], (x) => {
      if ((x.kind === "let" || x.kind === "assign") && (x.name === counter || (startOperand.kind === "var" && x.name === startOperand.name))) assigned = true;
    });
    if (assigned) return undefined;
    // The test only decides when to stop: pure reads and comparisons are not reversed.
    if (s.test && !s.test.prelude.every((x) => x.kind === "let" && x.init && x.init.kind !== "call")) return undefined;
    const step = op === "+" ? 1 : -1;
    const exit = isIntegerValued(startOperand, this.fn) ? loopExit(s, counter, step, (array) => this.lengthNeverChanges(array)) : undefined;
    return { counter, start: startOperand, step, exit };
  }

  private forwardLoop(s: Extract<Stmt, { kind: "loop" }>): void {
    const counted = this.countedLoop(s);
    if (counted) this.countedCounters.set(counted.counter, [...(this.countedCounters.get(counted.counter) ?? []), s]);
    const init = this.b.capture(() => this.forwardBlock(s.init));
    this.loopDepth++;
    const prelude = s.test ? this.b.capture(() => this.forwardBlock(s.test!.prelude)) : [];
    const body = this.b.capture(() => this.forwardBlock(s.body));
    // A counted loop's update is undone by counting down: not a definition to save.
    const update = counted ? s.update : this.b.capture(() => this.forwardBlock(s.update));
    this.loopDepth--;
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

  /** Pushes before overwrites, and hoisted variables assigned instead of declared. */
  private finishForward(block: Stmt[], taped: Set<string>, hoisted: Set<string>): Stmt[] {
    const rewrite = (stmts: Stmt[]): Stmt[] =>
      stmts.flatMap((s): Stmt[] => {
        const definition = this.definitions.get(s);
        const name = definition?.name;
        let out: Stmt = s;
        switch (s.kind) {
          case "if":
            out = { ...s, then: rewrite(s.then), else: rewrite(s.else) };
            break;
          case "loop":
            out = { ...s, init: rewrite(s.init), test: s.test && { prelude: rewrite(s.test.prelude), cond: s.test.cond }, body: rewrite(s.body), update: rewrite(s.update) };
            break;
          case "block":
            out = { ...s, body: rewrite(s.body) };
            break;
        }
        if (name === undefined) return [out];
        const result: Stmt[] = [];
        if (taped.has(name) && this.savePoints(name).has(definition!.primal) && !this.firstDefinitions.has(s) && !this.inverseOf(definition!.primal)) result.push({ kind: "push", object: ref(this.tapeFor(this.b.types.get(name)!, this.isControl(name), this.adjointNames().has(name))), values: [ref(name)], loc: s.loc });
        if (hoisted.has(name) && s.kind === "let") {
          if (s.init) result.push(this.keepMark(s, { kind: "assign", name, value: s.init, loc: s.loc }));
        } else {
          result.push(out);
        }
        return result;
      });
    return rewrite(block);
  }

  private keepMark(from: Stmt, to: Stmt): Stmt {
    if (this.derivativeCode.has(from)) this.derivativeCode.add(to);
    return to;
  }

  // ── backward sweep ─────────────────────────────────────────────────────

  private backwardBlock(stmts: Stmt[]): void {
    for (let i = stmts.length - 1; i >= 0; i--) this.backwardStmt(stmts[i]!);
  }

  /** Emits adjoint code for one statement (marked, so its source line gets a comment). */
  private adjoint(loc: Stmt["loc"], build: () => void): void {
    const code = this.b.capture(build).map((s) => (loc && !s.loc ? { ...s, loc } : s));
    for (const s of code) this.derivativeCode.add(s);
    this.b.block.push(...code);
  }

  private restore(name: string, primal: Stmt): void {
    const marker: Stmt = { kind: "comment", text: `restore ${name}`, loc: primal.loc };
    this.restoreMarkers.set(marker, { name, primal });
    this.b.block.push(marker);
  }

  private backwardStmt(s: Stmt): void {
    const code = this.b.capture(() => this.backwardStmtCode(s));
    // Compound statements read only their condition here; their parts were noted on their own.
    if (s.kind === "if") this.noteReads(s, [{ kind: "if", cond: s.cond, then: [], else: [] }]);
    else if (s.kind === "loop") {
      const counted = this.countedLoop(s);
      // The backward loop starts from the counter's value after the loop: computed, or as left.
      const from = counted?.exit ? exitReads(counted.exit) : counted && ref(counted.counter);
      if (counted) this.noteReads(s, [{ kind: "return", value: counted.start }, { kind: "return", value: from }]);
    } else if (s.kind !== "block") this.noteReads(s, code);
    // Undoing `v = v ± c` reads v's value after it: that value must be there when it runs.
    if (s.kind === "assign" && this.inverseOf(s)) this.noteReads(s, [{ kind: "return", value: ref(s.name) }]);
    this.b.block.push(...code);
  }

  private backwardStmtCode(s: Stmt): void {
    this.b.loc = s.loc;
    switch (s.kind) {
      case "let":
      case "assign":
        return this.backwardDefinition(s.name, s.kind === "let" ? s.init : s.value, s);
      case "setIndex":
      case "setField": {
        const valueType = this.typeOf(s.value);
        if (this.active(s.object) && isDifferentiable(valueType) && !isReference(valueType)) {
          this.adjoint(s.loc, () => {
            const bar = ref(this.adjointName((s.object as { name: string }).name));
            const element = this.b.temp(s.kind === "setIndex" ? { kind: "index", object: bar, index: s.index } : { kind: "field", object: bar, name: s.name }, NUMBER);
            this.addTo(s.value, element);
            this.b.emit(s.kind === "setIndex" ? { kind: "setIndex", object: bar, index: s.index, value: num(0) } : { kind: "setField", object: bar, name: s.name, value: num(0) });
          });
        }
        if (this.needsRestore(s.object)) {
          const old = this.b.temp({ kind: "pop", object: ref(this.tapeFor(valueType)), type: valueType }, valueType);
          this.b.emit(s.kind === "setIndex" ? { kind: "setIndex", object: s.object, index: s.index, value: old } : { kind: "setField", object: s.object, name: s.name, value: old });
        }
        return;
      }
      case "push": {
        const active = this.active(s.object);
        for (let k = s.values.length - 1; k >= 0; k--) {
          const value = s.values[k]!;
          if (active) {
            this.adjoint(s.loc, () => {
              const bar = ref(this.adjointName((s.object as { name: string }).name));
              if (this.numberBar(value)) {
                const length = this.b.temp({ kind: "length", object: bar }, NUMBER);
                const lastIndex = this.b.temp({ kind: "binary", op: "-", left: length, right: num(1) }, NUMBER);
                const element = this.b.temp({ kind: "index", object: bar, index: lastIndex }, NUMBER);
                this.addTo(value, element);
              }
              this.b.emit({ kind: "drop", object: bar });
            });
          }
          if (this.needsRestore(s.object)) this.b.emit({ kind: "drop", object: s.object });
        }
        return;
      }
      case "fill": {
        const valueBar = this.numberBar(s.value);
        if (this.active(s.object)) {
          this.adjoint(s.loc, () => {
            const bar = ref(this.adjointName((s.object as { name: string }).name));
            if (valueBar) {
              this.declareZero(s.value);
              this.sumInto(valueBar, bar);
            }
            if (!isReference(this.typeOf(s.value))) this.b.emit({ kind: "fill", object: bar, value: num(0) });
          });
        }
        if (this.needsRestore(s.object)) {
          const type = this.typeOf(s.object);
          const snapshot = this.b.temp({ kind: "pop", object: ref(this.tapeFor(type)), type }, type);
          this.copyInto(s.object, snapshot, type);
        }
        return;
      }
      case "callStmt":
        return this.backwardCall(s.callee, s.args, undefined, s);
      case "if": {
        const then = this.b.capture(() => {
          this.recomputeHere(s.then);
          this.backwardBlock(s.then);
        });
        const otherwise = this.b.capture(() => {
          this.recomputeHere(s.else);
          this.backwardBlock(s.else);
        });
        if (then.length > 1 || otherwise.length > 1) this.b.emit({ kind: "if", cond: s.cond, then, else: otherwise, loc: s.loc });
        return;
      }
      case "block": {
        const body = this.b.capture(() => {
          this.recomputeHere(s.body);
          this.backwardBlock(s.body);
        });
        if (body.length > 1) this.b.emit({ kind: "block", body, loc: s.loc });
        return;
      }
      case "loop":
        return this.backwardLoop(s);
      default:
        return;
    }
  }

  private backwardDefinition(name: string, value: Expr | undefined, s: Stmt): void {
    const type = this.b.types.get(name)!;
    if (value?.kind === "call") {
      // The result's adjoint is kept, then the result restored (it may be an argument, `x = g(x)`,
      // and was saved after any snapshot of the arguments), then the pullback runs.
      this.backwardCall(value.callee, value.args, name, s, () => this.restoreDefinition(name, s));
      return;
    }
    if (!value || !this.activity.isActive(name)) {
      this.restoreDefinition(name, s);
      return;
    }
    if (isReference(type)) {
      this.adjoint(s.loc, () => this.backwardContainer(name, value));
      this.restoreDefinition(name, s);
      return;
    }
    if (!this.hasAdjoint(name)) {
      this.restoreDefinition(name, s);
      return;
    }
    const bar = this.numberBar(ref(name))!;
    const readsItself = exprOperands(value).some((o) => o.kind === "var" && o.name === name);
    const d = this.contributions(value);
    if (!readsItself) {
      // Contributions read the operands (unchanged) and Ω (the current value).
      this.adjoint(s.loc, () => {
        this.propagate(d, value, ref(name), ref(bar));
        this.resetBar(name);
      });
      this.restoreDefinition(name, s);
      return;
    }
    // `x = x ± e` (accumulation): x's adjoint passes through unchanged; e gets ±x̄.
    if (value.kind === "binary" && (value.op === "+" || value.op === "-")) {
      const other = value.left.kind === "var" && value.left.name === name ? value.right : value.op === "+" ? value.left : undefined;
      if (other && !(other.kind === "var" && other.name === name)) {
        this.adjoint(s.loc, () => {
          if (this.numberBar(other)) this.addTo(other, ref(bar), value.op === "-" && other === value.right);
          this.restoreDefinition(name, s);
        });
        return;
      }
    }
    // `x = f(x, …)`: keep Ω and the adjoint, restore the old x, then propagate.
    this.adjoint(s.loc, () => {
      const usesOutput = d.some((p) => p !== undefined && mentions(p.partial, OUTPUT));
      const output = usesOutput ? this.b.temp({ kind: "operand", value: ref(name) }, NUMBER) : ref(name);
      const g = this.b.temp({ kind: "operand", value: ref(bar) }, NUMBER);
      this.b.emit({ kind: "assign", name: bar, value: { kind: "operand", value: num(0) } });
      this.restoreDefinition(name, s);
      this.propagate(d, value, output, g);
    });
  }

  private restoreDefinition(name: string, s: Stmt): void {
    // A declaration outside loops had no earlier value to bring back.
    if (this.firstDefinitions.has(s)) return;
    // The adjoint container was defined (and saved) after the primal one: it comes back first.
    const type = this.b.types.get(name);
    if (type && isReference(type) && this.activity.isActive(name)) this.restore(this.adjointName(name), s);
    this.restore(name, s);
  }


  /** The partial derivative of each operand of an arithmetic or `Math` operation. */
  private contributions(e: Expr): ({ operand: Operand; partial: D } | undefined)[] {
    switch (e.kind) {
      case "operand":
        return [{ operand: e.value, partial: operandD(num(1)) }];
      case "unary":
      case "binary":
      case "math": {
        const rule = ruleFor(e);
        const args = e.kind === "math" ? e.args : e.kind === "unary" ? [e.arg] : [e.left, e.right];
        if (!rule || rule.kind === "constant") return [];
        if (rule.kind === "pick") {
          // The first argument equal to the result takes the whole adjoint.
          return args.map((a, i) => ({ operand: a, partial: pickPartial(args, i) }));
        }
        const partials = rule.partials(args.map(operandD), operandD(OUTPUT));
        return args.map((a, i) => ({ operand: a, partial: partials[i]! }));
      }
      default:
        return [];
    }
  }

  /** `operandBar += ∂·g` for every active number operand; reads, selects and literals too. */
  private propagate(d: ({ operand: Operand; partial: D } | undefined)[], value: Expr, output: Operand, g: Operand): void {
    switch (value.kind) {
      case "index":
      case "field": {
        if (!this.active(value.object)) return;
        const container = ref(this.adjointName((value.object as { name: string }).name));
        const read: Expr = value.kind === "index" ? { kind: "index", object: container, index: value.index } : { kind: "field", object: container, name: value.name };
        const current = this.b.temp(read, NUMBER);
        const sum = this.b.temp({ kind: "binary", op: "+", left: current, right: g }, NUMBER);
        this.b.emit(value.kind === "index" ? { kind: "setIndex", object: container, index: value.index, value: sum } : { kind: "setField", object: container, name: value.name, value: sum });
        return;
      }
      case "select": {
        const whenTrue = this.numberBar(value.whenTrue);
        const whenFalse = this.numberBar(value.whenFalse);
        if (!whenTrue && !whenFalse) return;
        // Both branches' adjoints are declared outside the `if` (a single-use one too).
        for (const o of [value.whenTrue, value.whenFalse]) this.declareZero(o);
        const then = this.b.capture(() => whenTrue && this.addTo(value.whenTrue, g));
        const otherwise = this.b.capture(() => whenFalse && this.addTo(value.whenFalse, g));
        this.b.emit({ kind: "if", cond: value.cond, then, else: otherwise });
        return;
      }
    }
    for (const item of d) {
      if (!item || !this.numberBar(item.operand)) continue;
      const amount = fold(mul(substitute(item.partial, OUTPUT, output), operandD(g)));
      if (isZero(amount)) {
        this.declareZero(item.operand);
        continue;
      }
      if (amount.kind === "neg") this.addTo(item.operand, this.b.materialize(amount.arg), true);
      else this.addTo(item.operand, this.b.materialize(amount));
    }
  }

  /** Adjoint code of a container definition: numbers copied or listed in it get theirs back. */
  private backwardContainer(name: string, value: Expr): void {
    const bar = ref(this.adjointName(name));
    switch (value.kind) {
      case "copy": {
        if (!this.active(value.source) || isReference(elementOrFields(value.type))) return;
        const sourceBar = ref(this.adjointName((value.source as { name: string }).name));
        if (value.type.kind === "record") {
          for (const f of value.type.fields) {
            if (f.type.kind !== "number") continue;
            const a = this.b.temp({ kind: "field", object: sourceBar, name: f.name }, NUMBER);
            const b = this.b.temp({ kind: "field", object: bar, name: f.name }, NUMBER);
            this.b.emit({ kind: "setField", object: sourceBar, name: f.name, value: this.b.temp({ kind: "binary", op: "+", left: a, right: b }, NUMBER) });
          }
          return;
        }
        const offset = value.start;
        this.loopOver(bar, (k) => {
          let target = k;
          if (offset) {
            const start = offset.kind === "number" && offset.value < 0 ? this.b.temp({ kind: "binary", op: "+", left: this.b.temp({ kind: "length", object: value.source }, NUMBER), right: offset }, NUMBER) : offset;
            target = this.b.temp({ kind: "binary", op: "+", left: start, right: k }, NUMBER);
          }
          const a = this.b.temp({ kind: "index", object: sourceBar, index: target }, NUMBER);
          const b = this.b.temp({ kind: "index", object: bar, index: k }, NUMBER);
          this.b.emit({ kind: "setIndex", object: sourceBar, index: target, value: this.b.temp({ kind: "binary", op: "+", left: a, right: b }, NUMBER) });
        });
        return;
      }
      case "arrayLiteral":
        value.elements.forEach((element, i) => {
          if (!this.numberBar(element)) return;
          this.addTo(element, this.b.temp({ kind: "index", object: bar, index: num(i) }, NUMBER));
        });
        return;
      case "recordLiteral":
        for (const field of value.fields) {
          if (!this.numberBar(field.value) || !isDifferentiable(this.typeOf(field.value))) continue;
          this.addTo(field.value, this.b.temp({ kind: "field", object: bar, name: field.name }, NUMBER));
        }
        return;
      case "newArray": {
        if (value.fill && this.numberBar(value.fill)) {
          this.declareZero(value.fill);
          this.sumInto(this.numberBar(value.fill)!, bar);
        }
        return;
      }
      default:
        return;
    }
  }

  private backwardCall(callee: string, args: Operand[], result: string | undefined, s: Stmt, restoreArguments?: () => void): void {
    const fn = this.program.functions.get(callee)!;
    // Arguments the callee wrote into are put back as they were before the call.
    const mutated = this.mutatedArguments(callee, args);
    const restoreMutated = () => {
      for (const arg of [...mutated].reverse()) {
        const type = this.typeOf(arg);
        const snapshot = this.b.temp({ kind: "pop", object: ref(this.tapeFor(type)), type }, type);
        this.copyInto(arg, snapshot, type);
      }
    };
    const resultActive = result !== undefined && this.activity.isActive(result);
    const split = this.callPullback(callee, args, result);
    if (!split) {
      // Nothing flows back through the call, but the variable it defined starts again from zero.
      if (result !== undefined && this.activity.isActive(result) && !isReference(this.b.types.get(result)!) && this.hasAdjoint(result)) {
        this.adjoint(s.loc, () => {
          this.numberBar(ref(result));
          this.resetBar(result);
        });
      }
      restoreArguments?.();
      restoreMutated();
      return;
    }
    const { mask, pullback, writes } = split;
    const name = pullback.backward;
    // A result whose adjoint stays zero (used only in a comparison, say) sends nothing back.
    if (result !== undefined && !isReference(this.b.types.get(result)!) && !this.hasAdjoint(result) && !writes) {
      restoreArguments?.();
      restoreMutated();
      this.b.emit({ kind: "drop", object: ref(this.tapeFor(pullback.saved)) });
      return;
    }
    this.adjoint(s.loc, () => {
      const callArgs: Operand[] = [...args];
      const calleeActivity = this.oracle.analyze(fn, mask);
      let resultBar: Operand | undefined;
      if (calleeActivity.resultActive && resultActive && (isReference(this.b.types.get(result!)!) || this.hasAdjoint(result!))) {
        const resultType = this.b.types.get(result!)!;
        resultBar = isReference(resultType) ? ref(this.adjointName(result!)) : ref(this.numberBar(ref(result!))!);
        if (restoreArguments) {
          // Keep the result's adjoint before the argument (the same variable) is restored.
          resultBar = this.b.temp({ kind: "operand", value: resultBar }, derivativeType(resultType));
          if (!isReference(resultType)) this.resetBar(result!);
        }
      }
      // The callee's result does not vary: the variable it defines still starts again from zero.
      if (!calleeActivity.resultActive && resultActive && !isReference(this.b.types.get(result!)!) && this.hasAdjoint(result!)) {
        this.numberBar(ref(result!));
        this.resetBar(result!);
      }
      restoreArguments?.();
      restoreMutated();
      if (calleeActivity.resultActive) {
        if (resultBar) {
          callArgs.push(resultBar);
        } else {
          callArgs.push(fn.returnType.kind === "number" || result === undefined ? num(0) : this.b.temp({ kind: "zerosLike", like: ref(result), type: fn.returnType }, derivativeType(fn.returnType)));
        }
      }
      fn.params.forEach((p, i) => {
        if (mask[i] && isReference(p.type)) callArgs.push(this.containerBar(args[i]!));
      });
      callArgs.push(this.b.temp({ kind: "pop", object: ref(this.tapeFor(pullback.saved)), type: pullback.saved }, pullback.saved, "saved"));
      const numbers = fn.params.filter((p, i) => mask[i] && !isReference(p.type));
      if (numbers.length === 0) {
        this.b.emit({ kind: "callStmt", callee: name, args: callArgs });
      } else {
        const type: Type = { kind: "record", fields: numbers.map((p) => ({ name: p.name, type: NUMBER })) };
        const out = this.b.temp({ kind: "call", callee: name, args: callArgs }, type, `${fn.name}Bars`);
        fn.params.forEach((p, i) => {
          if (!mask[i] || isReference(p.type)) return;
          if (!this.numberBar(args[i]!)) return;
          this.addTo(args[i]!, this.b.temp({ kind: "field", object: out, name: p.name }, NUMBER));
        });
      }
      if (resultActive && !restoreArguments && !isReference(this.b.types.get(result!)!)) this.resetBar(result!);
    });
  }

  private backwardLoop(s: Extract<Stmt, { kind: "loop" }>): void {
    const counted = this.countedLoop(s);
    if (counted) {
      // Count the counter back down: it left the loop one step past its last iteration.
      const { counter, start, step } = counted;
      const prelude: Stmt[] = [];
      const cond = this.b.names.fresh("t", true);
      prelude.push({ kind: "let", name: cond, type: BOOLEAN, init: { kind: "binary", op: step === 1 ? ">" : "<", left: ref(counter), right: start }, mutable: false });
      const body = this.b.capture(() => {
        this.b.emit({ kind: "assign", name: counter, value: { kind: "binary", op: step === 1 ? "-" : "+", left: ref(counter), right: num(1) } });
        this.recomputeHere(s.body);
        this.backwardBlock(s.body);
      });
      // The loop's start may be a value its initializer computed.
      this.recomputeHere(s.init);
      if (counted.exit) setCounterToExit(this.b, counter, start, step, counted.exit);
      this.b.emit({ kind: "loop", init: [], test: { prelude, cond: ref(cond) }, update: [], body, bodyFirst: false, loc: s.loc });
      this.backwardBlock(s.init);
      return;
    }
    const trips = this.b.names.fresh("trips");
    this.b.types.set(trips, NUMBER);
    this.b.emit({ kind: "let", name: trips, type: NUMBER, init: { kind: "pop", object: ref(this.tapeFor(NUMBER, true)), type: NUMBER }, mutable: true, loc: s.loc });
    const cond = this.b.names.fresh("t", true);
    const test = { prelude: [{ kind: "let", name: cond, type: BOOLEAN, init: { kind: "binary", op: ">", left: ref(trips), right: num(0) }, mutable: false } as Stmt], cond: ref(cond) };
    // Each iteration ran body, update, test (a do…while's first test also follows its body).
    const body = this.b.capture(() => {
      this.b.emit({ kind: "assign", name: trips, value: { kind: "binary", op: "-", left: ref(trips), right: num(1) } });
      this.recomputeHere(s.body);
      if (s.test) this.backwardBlock(s.test.prelude);
      this.backwardBlock(s.update);
      this.backwardBlock(s.body);
    });
    this.recomputeHere(s.init);
    this.b.emit({ kind: "loop", init: [], test, update: [], body, bodyFirst: false, loc: s.loc });
    // A `while`/`for` tested once before its first iteration.
    if (s.test && !s.bodyFirst) {
      // Reversed a second time, in another scope: its single-use adjoints are declared anew.
      forEachStmt(s.test.prelude, (x) => x.kind === "let" && this.declaredSingle.delete(x.name));
      this.recomputeHere(s.test.prelude);
      this.backwardBlock(s.test.prelude);
    }
    this.backwardBlock(s.init);
  }

  /**
   * The values to recompute rather than save: defined once by a pure expression whose operands
   * keep their values for the whole block (see the header), with what they need in turn.
   */
  private chooseRecomputed(wanted: Set<string>): Set<string> {
    /** The statements writing into each alias class of containers. */
    const writesOf = new Map<string, Stmt[]>();
    const written = (o: Operand, s: Stmt) => {
      if (o.kind !== "var") return;
      const cls = this.activity.aliasClass(o.name);
      writesOf.set(cls, [...(writesOf.get(cls) ?? []), s]);
    };
    forEachStmt(this.fn.body, (s) => {
      if (s.kind === "setIndex" || s.kind === "setField" || s.kind === "push" || s.kind === "fill") written(s.object, s);
      const call = callOf(s);
      if (call) {
        const writes = writtenParams(this.program.functions.get(call.callee)!, this.program, this.oracle);
        call.args.forEach((a, i) => writes[i] && written(a, s));
      }
    });
    // A container read keeps its value to the end of the forward sweep when every write into it
    // comes before the read and cannot run again after it (no loop holds both): `qDiag[k][j]`
    // read in the main loop after `qDiag` was filled.
    const unchangedAfter = (container: string, at: Stmt): boolean => {
      const read = this.positions.get(at);
      if (!read) return false;
      const cls = this.activity.aliasClass(container);
      // A read in a loop's test or update is recomputed at the top of the loop's body: the whole
      // loop is then the block whose later writes would not yet be undone.
      const parent = this.parents.get(at);
      const owner = parent?.owner;
      const block = owner?.kind === "loop" && (parent!.block === owner.test?.prelude || parent!.block === owner.update) ? [owner] : parent?.block;
      return (writesOf.get(cls) ?? []).every((w) => {
        const write = this.positions.get(w);
        if (write === undefined) return false;
        if (write.index < read.index && !write.loops.some((loop) => read.loops.includes(loop))) return true;
        // A restored container is back to its state at the read when the backward sweep reaches
        // the read's block, unless the write comes later in that same block (same iteration).
        return this.restoreLocal.has(cls) && (w.kind === "setIndex" || w.kind === "setField") && !(block !== undefined && write.index > read.index && this.within(w, block));
      });
    };
    this.containerWrites = writesOf;
    // Defined by one `let` and never assigned (loop counters are assigned by their update).
    const assigned = new Set<string>();
    forEachStmt(this.fn.body, (s) => s.kind === "assign" && assigned.add(s.name));
    const definitionOf = new Map<string, Extract<Stmt, { kind: "let" }>>();
    /** Where each candidate is defined, as a primal statement (for its enclosing loops). */
    const site = new Map<string, Stmt>();
    const primalOf = new Map<string, string>();
    forEachStmt(this.fn.body, (s) => {
      if (s.kind === "let" && !assigned.has(s.name) && (this.definitionSites.get(s.name)?.count ?? 0) === 1) {
        definitionOf.set(s.name, s);
        site.set(s.name, s);
        // Its adjoint container, read out of another adjoint container the same way.
        const adjoint = this.adjointDefinitions.get(s);
        if (adjoint && (this.definitionSites.get(adjoint.name)?.count ?? 0) === 1) {
          definitionOf.set(adjoint.name, adjoint);
          site.set(adjoint.name, s);
          primalOf.set(adjoint.name, s.name);
        }
      }
    });
    const memo = new Map<string, boolean>();
    const free = (o: Operand, at: Stmt): boolean => {
      if (o.kind !== "var") return true;
      const name = o.name;
      // Never redefined by the forward sweep: parameters, their adjoints, the prologue.
      if (!this.definitionSites.has(name)) return true;
      // Nothing redefines it after this point: the backward sweep still sees the same value.
      if (this.firstOverwritesAfter(at, new Set(this.overwrites.get(name) ?? [])).size === 0 && !this.definitionSites.get(name)!.nested) return true;
      const loops = this.positions.get(at)?.loops ?? [];
      if ((this.countedCounters.get(name) ?? []).some((loop) => loops.includes(loop))) return true;
      if (recomputable(name)) return true;
      // Saved itself, defined once earlier in the same block: at the top of the block's backward
      // code it still holds this iteration's value (its save is undone later, at its definition).
      if (wanted.has(name) && this.definitionSites.get(name)?.count === 1 && this.definedEarlierInBlock(name, at)) return true;
      // A running index (`index++` last in the block) is undone first in the block's backward
      // code: a value read with it is recomputed right after that.
      // Only an index that is saved anyway gets its undo emitted (at its restore point).
      const undo = wanted.has(name) ? this.undoneLast(name, at) : undefined;
      if (undo) {
        deferred.set(at, undo);
        return true;
      }
      return false;
    };
    /** The definitions whose recomputation waits for an index to be undone, by the statement reading it. */
    const deferred = new Map<Stmt, Stmt>();
    const recomputable = (name: string): boolean => {
      if (memo.has(name)) return memo.get(name)!;
      memo.set(name, false);
      const def = definitionOf.get(name);
      const e = def?.init;
      const at = site.get(name)!;
      let ok = false;
      const primal = primalOf.get(name);
      if (primal !== undefined) {
        // An adjoint container is as stable as the primal one it mirrors.
        ok = recomputable(primal) && e !== undefined && ["operand", "index", "field"].includes(e.kind) && exprOperands(e).every((o) => free(o, at));
      } else if (def && e && ["operand", "unary", "binary", "math", "select", "index", "field", "length"].includes(e.kind) && isCheap(e)) {
        ok = exprOperands(e).every((o) => free(o, at));
        if (ok && (e.kind === "index" || e.kind === "field" || e.kind === "length")) {
          ok = e.object.kind === "var" && unchangedAfter(e.object.name, at);
        }
      }
      memo.set(name, ok);
      return ok;
    };
    const chosen = new Set<string>();
    const add = (name: string) => {
      if (chosen.has(name)) return;
      chosen.add(name);
      for (const o of exprOperands(definitionOf.get(name)!.init!)) if (o.kind === "var" && memo.get(o.name) && this.definitionSites.get(o.name)?.nested) add(o.name);
    };
    for (const name of wanted) if (this.definitionSites.get(name)?.nested && recomputable(name)) add(name);
    for (const name of chosen) {
      const undo = deferred.get(site.get(name)!);
      if (undo) this.afterUndo.set(name, undo);
    }
    // What is recomputed from a value that waits for an undo waits for it too.
    for (let grew = true; grew; ) {
      grew = false;
      for (const name of chosen) {
        if (this.afterUndo.has(name)) continue;
        const waitsFor = exprOperands(definitionOf.get(name)!.init!).find((o) => o.kind === "var" && this.afterUndo.has(o.name));
        if (waitsFor?.kind === "var") {
          this.afterUndo.set(name, this.afterUndo.get(waitsFor.name)!);
          grew = true;
        }
      }
    }
    this.recomputedDefinitions = definitionOf;
    this.placeRecomputed(chosen, definitionOf, site);
    return chosen;
  }

  private recomputedDefinitions = new Map<string, Extract<Stmt, { kind: "let" }>>();
  /** Recomputed values placed right after an index is undone (by the statement that changes it). */
  private readonly afterUndo = new Map<string, Stmt>();

  /** Whether `name`'s one definition is a statement of `at`'s block that comes before `at`. */
  private definedEarlierInBlock(name: string, at: Stmt): boolean {
    const block = this.parents.get(at)?.block;
    if (!block || !block.includes(at)) return false;
    return block.slice(0, block.indexOf(at)).some((s) => (s.kind === "let" || s.kind === "assign") && s.name === name);
  }

  /**
   * The statement that changes `name` after `at` in the same iteration, when it is the only one,
   * it is the last statement of `at`'s block, and it is undone by its inverse (`index++`).
   */
  private undoneLast(name: string, at: Stmt): Stmt | undefined {
    const block = this.parents.get(at)?.block;
    const last = block?.[block.length - 1];
    if (!block || !last || last === at || !block.includes(at) || last.kind !== "assign" || last.name !== name || !this.inverseOf(last)) return undefined;
    const others = (this.overwrites.get(name) ?? []).filter((w) => w !== last && this.within(w, block));
    return others.length === 0 ? last : undefined;
  }
  private containerWrites = new Map<string, Stmt[]>();

  /** Whether `s` is in `block` (directly or nested). */
  private within(s: Stmt, block: Stmt[]): boolean {
    let found = false;
    forEachStmt(block, (x) => x === s && (found = true));
    return found;
  }

  /**
   * Loop-invariant recomputation: a value whose operands do not change inside the loops around
   * it is recomputed once before the outermost such loop, not in every iteration
   * (`layer.W[i]` before the loop over `j`).
   */
  private placeRecomputed(chosen: Set<string>, definitionOf: Map<string, Extract<Stmt, { kind: "let" }>>, site: Map<string, Stmt>): void {
    const inside = (anchor: Stmt, loop: Stmt) => anchor !== loop && (this.positions.get(anchor)?.loops.includes(loop) ?? false);
    const writesInside = (name: string, loop: Stmt): boolean => {
      const init = definitionOf.get(name)!.init!;
      if ((init.kind !== "index" && init.kind !== "field" && init.kind !== "length") || init.object.kind !== "var") return false;
      return (this.containerWrites.get(this.activity.aliasClass(init.object.name)) ?? []).some((w) => inside(w, loop));
    };
    const invariant = (name: string, loop: Extract<Stmt, { kind: "loop" }>): boolean =>
      !writesInside(name, loop) &&
      exprOperands(definitionOf.get(name)!.init!).every((o) => {
        if (o.kind !== "var") return true;
        const placed = this.placement.get(o.name);
        if (placed) return !inside(placed.anchor, loop);
        if ((this.countedCounters.get(o.name) ?? []).includes(loop)) return false;
        return !(this.allDefinitions.get(o.name) ?? []).some((d) => d === loop || inside(d, loop) || loop.init.includes(d));
      });
    const order = [...chosen].sort((a, b) => this.positions.get(site.get(a)!)!.index - this.positions.get(site.get(b)!)!.index);
    for (const name of order) {
      if (this.afterUndo.has(name)) continue;
      let anchor = site.get(name)!;
      let block = this.parents.get(anchor)!.block;
      // A loop's test and update are reversed inside its backward iteration: they share its
      // top. A test is also reversed once after the loop (the first test): recomputed there too.
      const owner = this.parents.get(anchor)!.owner;
      let alsoAt: Stmt[] | undefined;
      if (owner?.kind === "loop" && (block === owner.test?.prelude || block === owner.update)) {
        alsoAt = block;
        block = owner.body;
      }
      for (;;) {
        const up = this.parents.get(anchor);
        const owner = up?.owner;
        if (!owner || owner.kind !== "loop" || up.block !== owner.body || !invariant(name, owner)) break;
        anchor = owner;
        block = owner.init;
        alsoAt = undefined;
      }
      this.placement.set(name, { block, anchor, alsoAt });
    }
  }

  /** A recomputed definition's place in forward order (an adjoint container right after its primal). */
  private order(definition: Stmt): number {
    for (const [primal, adjoint] of this.adjointDefinitions) if (adjoint === definition) return this.positions.get(primal)!.index + 0.5;
    return this.positions.get(definition)!.index;
  }

  /** Marks the top of a block's backward code, where its recomputed values are redefined. */
  private recomputeHere(block: Stmt[]): void {
    const marker: Stmt = { kind: "comment", text: "recompute" };
    this.recomputeMarkers.set(marker, block);
    this.b.block.push(marker);
  }

  private readonly recomputeMarkers = new Map<Stmt, Stmt[]>();
  /** Every forward definition of each variable (primal statements). */
  private readonly allDefinitions = new Map<string, Stmt[]>();
  /** Where each recomputed value is defined in the backward sweep: the block whose top it goes to. */
  private readonly placement = new Map<string, { block: Stmt[]; anchor: Stmt; alsoAt?: Stmt[] }>();
  /** Counters of counted loops (restored by counting down), by the loop that counts them. */
  private readonly countedCounters = new Map<string, Stmt[]>();

  /** Replaces restore placeholders: a pop where the variable was saved, nothing elsewhere. */
  /**
   * `v = v ± c` on an integer-valued v with an integer c (a running index): the assignment that
   * undoes it exactly, or undefined for any other definition.
   */
  private inverseOf(primal: Stmt): Stmt | undefined {
    if (primal.kind !== "assign" || primal.value.kind !== "binary") return undefined;
    const { op, left, right } = primal.value;
    const self = (o: Operand) => o.kind === "var" && o.name === primal.name;
    const integer = (o: Operand) => o.kind === "number" && Number.isInteger(o.value);
    const amount = self(left) && integer(right) ? right : op === "+" && self(right) && integer(left) ? left : undefined;
    if (!amount || (op !== "+" && op !== "-") || !isIntegerValued(ref(primal.name), this.fn)) return undefined;
    return { kind: "assign", name: primal.name, value: { kind: "binary", op: op === "+" ? "-" : "+", left: ref(primal.name), right: amount } };
  }

  private finishBackward(block: Stmt[], taped: Set<string>, recomputed: Set<string>): Stmt[] {
    const rewrite = (stmts: Stmt[]): Stmt[] =>
      stmts.flatMap((s): Stmt[] => {
        const forBlock = this.recomputeMarkers.get(s);
        if (forBlock) {
          return [...recomputed]
            .filter((name) => this.placement.get(name)?.block === forBlock || this.placement.get(name)?.alsoAt === forBlock)
            .map((name) => this.recomputedDefinitions.get(name)!)
            .sort((a, b) => this.order(a) - this.order(b))
            .map((x) => ({ ...x, mutable: false }));
        }
        const marker = this.restoreMarkers.get(s);
        if (marker !== undefined) {
          const { name } = marker;
          if (!taped.has(name) || !this.savePoints(name).has(marker.primal)) return [];
          // `index++` is undone by `index--`, not by a tape.
          const inverse = this.inverseOf(marker.primal);
          if (inverse) {
            const waiting = [...recomputed].filter((n) => this.afterUndo.get(n) === marker.primal).map((n) => this.recomputedDefinitions.get(n)!);
            return [{ ...inverse, loc: s.loc }, ...waiting.sort((a, b) => this.order(a) - this.order(b)).map((x) => ({ ...x, mutable: false }))];
          }
          const type = this.b.types.get(name)!;
          return [{ kind: "assign", name, value: { kind: "pop", object: ref(this.tapeFor(type, this.isControl(name), this.adjointNames().has(name))), type }, loc: s.loc }];
        }
        switch (s.kind) {
          case "if":
            return [{ ...s, then: rewrite(s.then), else: rewrite(s.else) }];
          case "loop":
            return [{ ...s, init: rewrite(s.init), test: s.test && { prelude: rewrite(s.test.prelude), cond: s.test.cond }, body: rewrite(s.body), update: rewrite(s.update) }];
          case "block":
            return [{ ...s, body: rewrite(s.body) }];
          default:
            return [s];
        }
      });
    return rewrite(block);
  }

  // ── element-wise helpers ───────────────────────────────────────────────

  /** `for (let k = 0; k < array.length; k++) body(k)`. */
  private loopOver(array: Operand, body: (index: Operand) => void): void {
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
  private sumInto(target: string, source: Operand): void {
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
  private accumulate(target: Operand, source: Operand, type: Type): void {
    this.elementwise(target, source, type, (read, write, from) => write(this.b.temp({ kind: "binary", op: "+", left: read(), right: from() }, NUMBER)));
  }

  /** Overwrites the numbers of `target` with those of `source` (same shape), keeping its containers. */
  private copyInto(target: Operand, source: Operand, type: Type): void {
    this.elementwise(target, source, type, (_read, write, from) => write(from()));
  }

  private elementwise(target: Operand, source: Operand, type: Type, leaf: (read: () => Operand, write: (v: Operand) => void, from: () => Operand) => void): void {
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

/**
 * ∂ max/min / ∂ argᵢ: 1 for the first argument equal to the result, 0 for the others (the
 * last argument needs no test of its own: it is the result when no earlier one is).
 */
function pickPartial(args: Operand[], i: number): D {
  const equal = (o: Operand): D => ({ kind: "binary", op: "===", left: operandD(o), right: operandD(OUTPUT) });
  let d: D = i === args.length - 1 ? operandD(num(1)) : { kind: "select", cond: equal(args[i]!), whenTrue: operandD(num(1)), whenFalse: operandD(num(0)) };
  for (let j = i - 1; j >= 0; j--) d = { kind: "select", cond: equal(args[j]!), whenTrue: operandD(num(0)), whenFalse: d };
  return d;
}

function elementOrFields(type: Type): Type {
  if (type.kind === "array") return type.element;
  if (type.kind === "record") return type.fields.some((f) => isReference(f.type)) ? { kind: "array", element: NUMBER } : NUMBER;
  if (type.kind === "tuple") return type.elements.some(isReference) ? { kind: "array", element: NUMBER } : NUMBER;
  return NUMBER;
}

/** Operations cheap enough to recompute rather than save (a tape push and pop cost about as much). */
const CHEAP_MATH = new Set(["abs", "min", "max", "sign", "floor", "ceil", "round", "trunc", "sqrt", "fround"]);
function isCheap(e: Expr): boolean {
  if (e.kind === "math") return CHEAP_MATH.has(e.fn);
  if (e.kind === "binary") return e.op !== "**";
  return true;
}

function callOf(s: Stmt): { callee: string; args: Operand[] } | undefined {
  if (s.kind === "callStmt") return s;
  const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
  return value?.kind === "call" ? value : undefined;
}

/** Every variable a block reads (operands, conditions, loop tests). */
function readsOf(block: Stmt[]): Set<string> {
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
