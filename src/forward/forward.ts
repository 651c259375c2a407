/**
 * Forward mode (JVP): IR → IR. Every active variable `x` gets a tangent `dx` of its derivative
 * type, computed next to it from the rule table (`dΩ = Σᵢ ∂ᵢ·dxᵢ`). Inactive values get no
 * tangent code and zero tangents are never built.
 *
 * Each function is differentiated once per activity pattern of its parameters: the exported
 * `fJvp(…, tangent)` takes the tangents of the `wrt` parameters as one object (SPEC §3); a
 * callee `g` gets `gTangent(…, dp, dq)` with positional tangents of its active parameters,
 * returning `{ value, tangent }` when its result is active and its plain value otherwise.
 */
import { forEachStmt, type Activity, type ActivityOracle } from "../analysis/activity.ts";
import { IRBuilder, operandD } from "../ir/builder.ts";
import type { DerivativeFunction, Expr, Function, Operand, Param, Program, SourceLoc, Stmt, Type } from "../ir/ir.ts";
import { NUMBER, num, ref } from "../ir/ir.ts";
import { NameManager, capitalize } from "../ir/names.ts";
import { derivativeType, isDifferentiable, isReference, literalType } from "../ir/types.ts";
import { add, mul, ruleFor, type D } from "../rules/rules.ts";
import { mentions, substitute } from "../rules/d.ts";
import { exprOperands } from "../emit/inline.ts";
import { writtenParams } from "../analysis/writes.ts";
import { hasSameTypedContainers, literalContainers, type ContainerLiteral } from "./literal-containers.ts";
import { recordZeros, shareZeros, type ZeroedContainer } from "./zeros.ts";

export interface ForwardTarget {
  fn: string;
  /** Whether each parameter is differentiated with respect to. */
  wrt: boolean[];
  /** The exported name (`fJvp`). */
  exportName: string;
}

export interface ForwardResult {
  /** Generated functions, exported ones first, in a deterministic order. */
  functions: DerivativeFunction[];
  /** Primal functions the generated code calls without tangents. */
  primalCalls: Set<string>;
  /** Which names of each generated function hold tangents (what vector mode lifts to lanes). */
  tangents: Map<string, TangentNames>;
}

/** The names of one generated function that hold tangents, as the pass made them. */
export interface TangentNames {
  /** Tangent variables and zero tangents (what reads them holds a tangent too). */
  seeds: Set<string>;
  /** `{ value, tangent }` records: a callee's result, or what the function returns. */
  pairs: Set<string>;
  /** Parameters that are tangents (the exported function's `tangent` record, a callee's `dx`…). */
  params: string[];
  /** Whether the function returns a `{ value, tangent }` record. */
  returnsPair: boolean;
}

/** The placeholder for Ω while a rule's derivative is built, replaced by where Ω ends up. */
const OUTPUT: Operand = { kind: "var", name: "\u0000output" };

/** `taken`: names the module already uses (another pass's functions), never given again. */
export function differentiateForward(program: Program, oracle: ActivityOracle, targets: ForwardTarget[], taken: ReadonlySet<string> = new Set()): ForwardResult {
  const variants = new Map<string, string>();
  const queue: { fn: Function; mask: boolean[]; name: string; exported: boolean }[] = [];
  const generated: DerivativeFunction[] = [];
  const primalCalls = new Set<string>();
  const tangents = new Map<string, TangentNames>();
  const names = new Set<string>([...program.functions.keys(), ...taken]);

  const variantName = (fn: Function, mask: boolean[]): string => {
    const key = `${fn.name}:${mask.map(Number).join("")}`;
    let name = variants.get(key);
    if (name) return name;
    const all = fn.params.every((p, i) => mask[i] || !isDifferentiable(p.type));
    const base = all ? `${fn.name}Tangent` : `${fn.name}TangentWrt${fn.params.filter((_, i) => mask[i]).map((p) => capitalize(p.name)).join("")}`;
    name = base;
    for (let n = 2; names.has(name); n++) name = `${base}${n}`;
    names.add(name);
    variants.set(key, name);
    queue.push({ fn, mask, name, exported: false });
    return name;
  };

  for (const target of targets) {
    const fn = program.functions.get(target.fn)!;
    names.add(target.exportName);
    queue.push({ fn, mask: target.wrt, name: target.exportName, exported: true });
  }
  while (queue.length > 0) {
    const job = queue.shift()!;
    const activity = oracle.analyze(job.fn, job.mask);
    const transformer = new ForwardFunction(job.fn, activity, job, program, oracle, variantName, primalCalls);
    generated.push(transformer.run());
    tangents.set(job.name, transformer.tangents);
  }
  return { functions: generated, primalCalls, tangents };
}

class ForwardFunction {
  private readonly b: IRBuilder;
  private readonly tangentNames = new Map<string, string>();
  /** Statements that compute tangents: their source lines get a "tangent of" comment. */
  private readonly tangentCode = new WeakSet<Stmt>();
  /** Names this pass made (tangents): dead-code removal may drop them. */
  private readonly derivedNames = new Set<string>();
  readonly tangents: TangentNames = { seeds: new Set(), pairs: new Set(), params: [], returnsPair: false };

  constructor(
    private readonly fn: Function,
    private readonly activity: Activity,
    private readonly job: { mask: boolean[]; name: string; exported: boolean },
    private readonly program: Program,
    private readonly oracle: ActivityOracle,
    private readonly variantName: (fn: Function, mask: boolean[]) => string,
    private readonly primalCalls: Set<string>,
  ) {
    const names = new NameManager(fn.reservedNames);
    for (const t of fn.temporaries) names.temporaries.add(t);
    this.b = new IRBuilder(names, new Map(activity.types));
  }

  run(): DerivativeFunction {
    const { fn, activity, job } = this;
    const params: Param[] = [...fn.params];
    const prologue: Stmt[] = [];
    const activeParams = fn.params.filter((p) => activity.isActive(p.name));
    if (job.exported) {
      const wrtParams = fn.params.filter((_, i) => job.mask[i]);
      const tangentType: Type = { kind: "record", fields: wrtParams.map((p) => ({ name: p.name, type: derivativeType(p.type) })) };
      const tangentParam = this.b.names.fresh("tangent");
      params.push({ name: tangentParam, type: tangentType });
      this.tangents.params.push(tangentParam);
      // A function that writes into its arguments works on copies: the caller's stay as they are.
      const written = writtenParams(fn, this.program, this.oracle);
      fn.params.forEach((p, i) => {
        if (written[i]) prologue.push({ kind: "assign", name: p.name, value: { kind: "copy", source: ref(p.name), type: p.type, deep: true } });
      });
      for (const p of activeParams) {
        const index = fn.params.indexOf(p);
        let init: Expr = { kind: "field", object: ref(tangentParam), name: p.name };
        if (!job.mask[index]) init = { kind: "zerosLike", like: ref(p.name), type: p.type };
        else if (written[index]) {
          const given = this.b.names.fresh("t", true);
          prologue.push({ kind: "let", name: given, type: derivativeType(p.type), init, mutable: false });
          init = { kind: "copy", source: ref(given), type: derivativeType(p.type), deep: true };
        }
        prologue.push({ kind: "let", name: this.tangentName(p.name), type: derivativeType(p.type), init, mutable: assignedNames(fn.body).has(p.name) });
      }
    } else {
      for (const p of activeParams) params.push({ name: this.tangentName(p.name), type: derivativeType(p.type) });
      this.tangents.params.push(...activeParams.map((p) => this.tangentName(p.name)));
    }
    this.tangents.returnsPair = activity.resultActive || job.exported;
    const body = this.b.capture(() => fn.body.forEach((s) => this.stmt(s)));
    const resultActive = activity.resultActive || job.exported;
    const returnType: Type = resultActive
      ? { kind: "record", fields: [{ name: "value", type: fn.returnType }, { name: "tangent", type: derivativeType(fn.returnType) }] }
      : fn.returnType;
    return {
      name: job.name,
      sourceName: fn.sourceName,
      params,
      returnType,
      body: [...prologue, ...body],
      exported: job.exported,
      loc: fn.loc,
      reservedNames: this.b.names.all(),
      temporaries: this.b.names.temporaries,
      derivativeCode: this.tangentCode,
      derivedNames: new Set([...this.derivedNames, ...this.b.names.temporaries]),
      commentLabel: "tangent of",
    };
  }

  private tangentName(name: string): string {
    let tangent = this.tangentNames.get(name);
    if (!tangent) {
      tangent = this.b.names.fresh(`d${name}`, false);
      this.derivedNames.add(tangent);
      this.tangents.seeds.add(tangent);
      if (this.fn.temporaries.has(name)) this.b.names.temporaries.add(tangent);
      this.tangentNames.set(name, tangent);
      const type = this.activity.types.get(name);
      if (type) this.b.types.set(tangent, derivativeType(type));
    }
    return tangent;
  }

  private active(operand: Operand): boolean {
    return this.activity.isActiveOperand(operand);
  }

  /** The tangent of an operand, or undefined when it is zero. */
  private tangentOf(operand: Operand): Operand | undefined {
    return operand.kind === "var" && this.active(operand) ? ref(this.tangentName(operand.name)) : undefined;
  }

  private typeOf(operand: Operand): Type {
    return operand.kind === "var" ? this.b.types.get(operand.name)! : literalType(operand);
  }

  /**
   * The tangent of an operand where a value is needed: zeros are built here, with the right
   * shape. `shared` makes aliases get one zero container between them (a literal holding two
   * names of one array must hold two names of one tangent array).
   */
  private tangentOrZero(operand: Operand, shared?: Map<string, ZeroedContainer[]>): Operand {
    const tangent = this.tangentOf(operand);
    if (tangent) return tangent;
    const type = this.typeOf(operand);
    if (!isReference(type)) return num(0);
    const sparse = operand.kind === "var" && ((this.fn as { tapeNames?: Set<string> }).tapeNames?.has(operand.name) ?? false);
    const structured = this.structuredZeros(operand, shared);
    if (!structured && !sparse && operand.kind === "var" && type.kind === "record" && hasSameTypedContainers(type)) {
      const fieldwise = recordZeros(this.b, operand, type);
      this.tangents.seeds.add((fieldwise as { name: string }).name);
      return fieldwise;
    }
    const fresh = structured ?? this.b.temp({ kind: "zerosLike", like: operand, type, sparse }, derivativeType(type));
    this.tangents.seeds.add((fresh as { name: string }).name);
    if (operand.kind !== "var" || !shared) return fresh;
    // In one literal, a container that is the same object as an earlier one (`q7Bar[1]` and
    // `t13Bar`) gets the same zeros, so that what one side adds to its tangent the other sees.
    const cls = this.activity.aliasClass(operand.name);
    const earlier = shared.get(cls) ?? [];
    for (let k = earlier.length - 1; k >= 0; k--) {
      const e = earlier[k]!;
      if (e.value.kind === "var" && e.value.name === operand.name) return e.zeros;
    }
    const zeros = shareZeros(this.b, operand, type, fresh, earlier);
    shared.set(cls, [...earlier, { value: operand, type, zeros }]);
    return zeros;
  }

  /**
   * Zeros for a container this function built from other containers with a literal and never
   * changes (`t7Bar = { value: 0, grad: t6Bar }`): built the same way from their zeros, so that
   * the zeros share what the values share. A callee that adds into `t7Bar.grad` adds into
   * `t6Bar` too, and its tangent must do the same (pullbacks' saved adjoints).
   */
  private structuredZeros(operand: Operand, shared?: Map<string, ZeroedContainer[]>): Operand | undefined {
    if (operand.kind !== "var") return undefined;
    const definition = (this.literals ??= literalContainers(this.fn)).get(operand.name);
    if (!definition) return undefined;
    const parts = definition.kind === "recordLiteral" ? definition.fields.map((f) => f.value) : definition.elements;
    if (!parts.some((p) => p.kind === "var" && isReference(this.typeOf(p)))) return undefined;
    const inner = shared ?? new Map<string, ZeroedContainer[]>();
    const type = derivativeType(definition.type);
    if (definition.kind === "recordLiteral") {
      const fields = (definition.type as Extract<Type, { kind: "record" }>).fields;
      const values = definition.fields.filter((f) => isDifferentiable(fields.find((t) => t.name === f.name)!.type)).map((f) => ({ name: f.name, value: this.tangentOrZero(f.value, inner) }));
      return this.b.temp({ kind: "recordLiteral", fields: values, type }, type);
    }
    const elementTypes = definition.type.kind === "tuple" ? definition.type.elements : definition.elements.map(() => (definition.type as { element: Type }).element);
    const elements = definition.elements.map((el, i) => (isDifferentiable(elementTypes[i]!) ? this.tangentOrZero(el, inner) : num(0)));
    return this.b.temp({ kind: "arrayLiteral", elements, type }, type);
  }

  private literals?: Map<string, ContainerLiteral>;

  /** Emits one tangent statement (marked, so that its source line gets a comment). */
  private emitTangent(stmt: Stmt, loc: SourceLoc | undefined): void {
    this.emitTangentCode(loc, () => this.b.emit(stmt));
  }

  private emitTangentCode(loc: SourceLoc | undefined, build: () => void): void {
    const code = this.b.capture(build).map((s) => (loc && !s.loc ? { ...s, loc } : s));
    for (const s of code) this.tangentCode.add(s);
    this.b.block.push(...code);
  }

  private block(stmts: Stmt[]): Stmt[] {
    return this.b.capture(() => stmts.forEach((s) => this.stmt(s)));
  }

  // ── statements ─────────────────────────────────────────────────────────

  private stmt(s: Stmt): void {
    this.b.loc = s.loc;
    switch (s.kind) {
      case "let":
        return this.define(s.name, s.init, s);
      case "assign":
        return this.define(s.name, s.value, s);
      case "setIndex":
      case "setField":
      case "fill": {
        this.b.emit(s);
        const object = s.object;
        if (!this.active(object)) return;
        if (s.kind === "setField" && !isDifferentiable(fieldTypeOf(this.typeOf(object), s.name))) return;
        this.emitTangentCode(s.loc, () => {
          const value = this.tangentOrZero(s.value);
          const dObject = ref(this.tangentName((object as { name: string }).name));
          this.b.emit({ ...s, object: dObject, value } as Stmt);
        });
        return;
      }
      case "push": {
        this.b.emit(s);
        if (!this.active(s.object)) return;
        this.emitTangentCode(s.loc, () => {
          const values = s.values.map((v) => this.tangentOrZero(v));
          this.b.emit({ kind: "push", object: this.tangentOf(s.object)!, values });
        });
        return;
      }
      case "drop":
        this.b.emit(s);
        if (this.active(s.object)) this.emitTangentCode(s.loc, () => this.b.emit({ kind: "drop", object: this.tangentOf(s.object)! }));
        return;
      case "callStmt": {
        const call = this.callVariant(s.callee, s.args);
        if (!call) {
          this.primalCalls.add(s.callee);
          this.b.emit(s);
          return;
        }
        this.b.emit({ kind: "callStmt", callee: call.callee, args: call.args, loc: s.loc });
        return;
      }
      case "if":
        this.b.emit({ ...s, then: this.block(s.then), else: this.block(s.else) });
        return;
      case "loop": {
        const part = (stmts: Stmt[]) => this.block(stmts);
        const init = part(s.init);
        const test = s.test ? { prelude: part(s.test.prelude), cond: s.test.cond } : undefined;
        const body = part(s.body);
        const update = part(s.update);
        this.b.loc = s.loc;
        this.b.emit({ ...s, init, test, body, update });
        return;
      }
      case "block":
        this.b.emit({ ...s, body: this.block(s.body) });
        return;
      case "return":
        return this.returnStmt(s);
      default:
        this.b.emit(s);
    }
  }

  private returnStmt(s: Extract<Stmt, { kind: "return" }>): void {
    const resultActive = this.activity.resultActive || this.job.exported;
    if (!resultActive || !s.value) {
      this.b.emit(s);
      return;
    }
    const value = s.value;
    const type: Type = { kind: "record", fields: [{ name: "value", type: this.fn.returnType }, { name: "tangent", type: derivativeType(this.fn.returnType) }] };
    const tangent = this.tangentOf(value) ?? this.zeroOfType(value, this.fn.returnType);
    const result = this.b.temp({ kind: "recordLiteral", fields: [{ name: "value", value }, { name: "tangent", value: tangent }], type }, type);
    this.tangents.pairs.add((result as { name: string }).name);
    this.b.emit({ kind: "return", value: result, loc: s.loc });
  }

  private zeroOfType(like: Operand, type: Type): Operand {
    if (!isReference(type)) return num(0);
    const zeros = this.b.temp({ kind: "zerosLike", like, type }, derivativeType(type));
    this.tangents.seeds.add((zeros as { name: string }).name);
    return zeros;
  }

  /** `let name = e` or `name = e`, with its tangent. */
  private define(name: string, e: Expr | undefined, s: Stmt): void {
    const isLet = s.kind === "let";
    const targetActive = this.activity.isActive(name);
    if (e?.kind === "call") return this.defineCall(name, e, s);
    if (!targetActive || !e) {
      this.b.emit(s);
      if (targetActive && isLet && s.kind === "let") {
        this.b.emit({ kind: "let", name: this.tangentName(name), type: derivativeType(s.type), mutable: s.mutable, definite: s.definite, loc: s.loc });
      }
      return;
    }
    const dName = this.tangentName(name);
    const type = this.b.types.get(name)!;
    const setTangent = (value: Expr): Stmt =>
      isLet ? { kind: "let", name: dName, type: derivativeType(type), init: value, mutable: (s as { mutable: boolean }).mutable } : { kind: "assign", name: dName, value };
    const d = this.ruleTangent(e);
    if (d !== undefined) {
      const usesOutput = mentions(d, OUTPUT);
      const reads = readsOf(e);
      if (!isLet && usesOutput && reads.has(name)) {
        // `x = f(x)` where f's derivative needs the new x: compute into a temporary first.
        const fresh = this.b.temp(e, type);
        this.emitTangentCode(s.loc, () => this.b.emit(setTangent(this.b.materializeExpr(substitute(d, OUTPUT, fresh)))));
        this.b.emit({ kind: "assign", name, value: { kind: "operand", value: fresh }, loc: s.loc });
        return;
      }
      if (isLet || usesOutput) {
        this.b.emit(s);
        this.emitTangentCode(s.loc, () => this.b.emit(setTangent(this.b.materializeExpr(substitute(d, OUTPUT, ref(name))))));
      } else {
        // The tangent reads the old values of what the assignment overwrites: it goes first.
        this.emitTangentCode(s.loc, () => this.b.emit(setTangent(this.b.materializeExpr(d))));
        this.b.emit(s);
      }
      return;
    }
    // Structural tangents (reads, copies, literals) read only the operands: before an
    // assignment (which may overwrite them), after a declaration.
    if (!isLet) {
      // Zeros shaped like the new value can only be built once it exists.
      const tangent = this.structuralTangent(e, name);
      if (exprOperands(tangent).some((o) => o.kind === "var" && o.name === name)) {
        this.b.emit(s);
        this.emitTangentCode(s.loc, () => this.b.emit(setTangent(tangent)));
      } else {
        this.emitTangentCode(s.loc, () => this.b.emit(setTangent(tangent)));
        this.b.emit(s);
      }
    } else {
      this.b.emit(s);
      this.emitTangentCode(s.loc, () => this.b.emit(setTangent(this.structuralTangent(e, name))));
    }
  }

  /** The tangent of an arithmetic or `Math` operation as a derivative expression (Ω = OUTPUT). */
  private ruleTangent(e: Expr): D | undefined {
    if (e.kind !== "unary" && e.kind !== "binary" && e.kind !== "math") return undefined;
    const rule = ruleFor(e);
    const args = e.kind === "math" ? e.args : e.kind === "unary" ? [e.arg] : [e.left, e.right];
    if (!rule || rule.kind === "constant") return operandD(num(0));
    const tangents = args.map((a) => this.tangentOf(a));
    if (rule.kind === "pick") {
      // The derivative of the first argument equal to the result.
      let d: D = operandD(tangents[args.length - 1] ?? num(0));
      for (let i = args.length - 2; i >= 0; i--) {
        d = { kind: "select", cond: { kind: "binary", op: "===", left: operandD(args[i]!), right: operandD(OUTPUT) }, whenTrue: operandD(tangents[i] ?? num(0)), whenFalse: d };
      }
      return d;
    }
    const partials = rule.partials(args.map(operandD), operandD(OUTPUT));
    let sum: D | undefined;
    args.forEach((_, i) => {
      const tangent = tangents[i];
      if (!tangent) return;
      const term = mul(partials[i]!, operandD(tangent));
      sum = sum ? add(sum, term) : term;
    });
    return sum ?? operandD(num(0));
  }

  /** Tangents of reads, copies, literals and selections: the same operation on tangents. */
  private structuralTangent(e: Expr, target: string): Expr {
    const targetType = this.b.types.get(target)!;
    switch (e.kind) {
      case "operand":
        return { kind: "operand", value: this.tangentOrZero(e.value) };
      case "select":
        return { kind: "select", cond: e.cond, whenTrue: this.tangentOrZero(e.whenTrue), whenFalse: this.tangentOrZero(e.whenFalse) };
      case "index":
        return this.active(e.object) ? { kind: "index", object: this.tangentOf(e.object)!, index: e.index } : this.zerosLikeTarget(target, targetType);
      case "field":
        return this.active(e.object) ? { kind: "field", object: this.tangentOf(e.object)!, name: e.name } : this.zerosLikeTarget(target, targetType);
      case "copy":
        return this.active(e.source)
          ? { kind: "copy", source: this.tangentOf(e.source)!, start: e.start, end: e.end, type: derivativeType(e.type), deep: e.deep }
          : this.zerosLikeTarget(target, targetType);
      case "arrayLiteral": {
        const elementTypes = e.type.kind === "tuple" ? e.type.elements : e.elements.map(() => (e.type as { element: Type }).element);
        const zeros = new Map<string, ZeroedContainer[]>();
        const elements = e.elements.map((el, i) => (isDifferentiable(elementTypes[i]!) ? this.tangentOrZero(el, zeros) : num(0)));
        return { kind: "arrayLiteral", elements, type: derivativeType(e.type) };
      }
      case "recordLiteral": {
        const type = e.type as Extract<Type, { kind: "record" }>;
        const zeros = new Map<string, ZeroedContainer[]>();
        const fields = e.fields.filter((f) => isDifferentiable(type.fields.find((t) => t.name === f.name)!.type)).map((f) => ({ name: f.name, value: this.tangentOrZero(f.value, zeros) }));
        return { kind: "recordLiteral", fields, type: derivativeType(e.type) };
      }
      case "newArray":
        return { kind: "newArray", length: e.length, fill: e.fill ? this.tangentOrZero(e.fill) : undefined, type: derivativeType(e.type) };
      case "pop":
        // Tapes are pushed and popped in step with their tangents.
        return this.active(e.object) ? { kind: "pop", object: this.tangentOf(e.object)!, type: derivativeType(e.type) } : this.zerosLikeTarget(target, targetType);
      default:
        return this.zerosLikeTarget(target, targetType);
    }
  }

  private zerosLikeTarget(target: string, type: Type): Expr {
    return isReference(type) ? { kind: "zerosLike", like: ref(target), type } : { kind: "operand", value: num(0) };
  }

  // ── calls ──────────────────────────────────────────────────────────────

  /** The tangent variant to call and its arguments, or undefined when no argument is active. */
  private callVariant(callee: string, args: Operand[]): { callee: string; args: Operand[]; resultActive: boolean } | undefined {
    const argsActive = args.map((a) => this.active(a));
    if (!argsActive.some(Boolean)) return undefined;
    const fn = this.program.functions.get(callee)!;
    const summary = this.oracle.summary(callee, argsActive);
    const mask = summary.activeParams;
    const name = this.variantName(fn, mask);
    const tangents = args.filter((_, i) => mask[i]).map((a) => this.tangentOrZero(a));
    return { callee: name, args: [...args, ...tangents], resultActive: summary.resultActive };
  }

  private defineCall(name: string, e: Extract<Expr, { kind: "call" }>, s: Stmt): void {
    const call = this.callVariant(e.callee, e.args);
    const targetActive = this.activity.isActive(name);
    // The result does not vary (no active argument, or a callee whose result is constant in
    // them): the variable gets a zero tangent if it has one.
    const zeroTangent = () => {
      if (!targetActive) return;
      const type = this.b.types.get(name)!;
      const zero = this.zerosLikeTarget(name, type);
      this.emitTangent(s.kind === "let" ? { kind: "let", name: this.tangentName(name), type: derivativeType(type), init: zero, mutable: s.mutable } : { kind: "assign", name: this.tangentName(name), value: zero }, s.loc);
    };
    if (!call) {
      this.primalCalls.add(e.callee);
      this.b.emit(s);
      zeroTangent();
      return;
    }
    const variantCall: Expr = { kind: "call", callee: call.callee, args: call.args };
    if (!call.resultActive) {
      this.b.emit(s.kind === "let" ? { ...s, init: variantCall } : { ...s, value: variantCall } as Stmt);
      zeroTangent();
      return;
    }
    const type = this.b.types.get(name)!;
    const pairType: Type = { kind: "record", fields: [{ name: "value", type }, { name: "tangent", type: derivativeType(type) }] };
    const pair = this.b.temp(variantCall, pairType, `${e.callee}Out`);
    this.tangents.pairs.add((pair as { name: string }).name);
    const value: Expr = { kind: "field", object: pair, name: "value" };
    this.b.emit(s.kind === "let" ? { ...s, init: value } : { ...s, value } as Stmt);
    if (targetActive) {
      const tangent: Expr = { kind: "field", object: pair, name: "tangent" };
      this.emitTangent(s.kind === "let" ? { kind: "let", name: this.tangentName(name), type: derivativeType(type), init: tangent, mutable: s.mutable } : { kind: "assign", name: this.tangentName(name), value: tangent }, s.loc);
    }
  }
}

function fieldTypeOf(type: Type, name: string): Type {
  return type.kind === "record" ? type.fields.find((f) => f.name === name)!.type : NUMBER;
}

function readsOf(e: Expr): Set<string> {
  const names = new Set<string>();
  const visit = (o: Operand | undefined) => {
    if (o?.kind === "var") names.add(o.name);
  };
  switch (e.kind) {
    case "unary":
      visit(e.arg);
      break;
    case "binary":
      visit(e.left);
      visit(e.right);
      break;
    case "math":
      e.args.forEach(visit);
      break;
  }
  return names;
}

/** Variables the function assigns (a parameter assigned needs a reassignable tangent). */
function assignedNames(body: Stmt[]): Set<string> {
  const names = new Set<string>();
  forEachStmt(body, (s) => s.kind === "assign" && names.add(s.name));
  return names;
}
