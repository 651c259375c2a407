/**
 * Counting without running: walks a function's IR once, with loops weighted by their trip
 * counts (polynomials in the size symbols), and counts
 *
 * - operations: arithmetic (`+ - * / % **`, unary minus) and `Math` calls, the primal's own;
 * - what one JVP adds: for every active operation, the rule table's partials (after the same
 *   constant folding the generator does), one multiplication per partial that is not ±1 and
 *   the additions that sum the terms;
 * - what one VJP adds: the same partials and multiplications, and one accumulation per active
 *   operand;
 * - tape entries: the values a reverse-mode function pushes (run on tsad's own reverse IR).
 *
 * Branches count as the larger of the two (coefficient-wise, an upper bound); a loop whose trip
 * count is not a counter running between sizes gets a symbol of its own, reported as such.
 */
import { forEachStmt, type Activity, type ActivityOracle } from "../analysis/activity.ts";
import { fold } from "../ir/builder.ts";
import type { Expr, Function, Operand, Program, Stmt, Type } from "../ir/ir.ts";
import { isDifferentiable } from "../ir/types.ts";
import type { D } from "../rules/rules.ts";
import { ruleFor } from "../rules/rules.ts";
import { counterStep, loopTest, mirror } from "../analysis/loops.ts";
import { add, constant, isConstant, mul, scale, sub, symbol, upperBound, ZERO, type Poly } from "./poly.ts";
import { countValues, typeShape, type Shape } from "./shapes.ts";

export interface Counts {
  primal: Poly;
  /** Extra operations of one JVP (tangents). */
  tangent: Poly;
  /** Extra operations of one VJP (adjoints). */
  adjoint: Poly;
  /** Values pushed on tapes. */
  tape: Poly;
}

export const NO_COUNTS: Counts = { primal: ZERO, tangent: ZERO, adjoint: ZERO, tape: ZERO };

export interface UnknownLoop {
  symbol: string;
  line: number;
}

export interface CountResult {
  counts: Counts;
  result: Shape;
  /** What is known of each variable at the end (top-level stages of a chain, say). */
  shapes: ReadonlyMap<string, Shape>;
}

/** Counts one call of `fn` with arguments of the given shapes, `active` marking the active parameters. */
export function countFunction(program: Program, oracle: ActivityOracle | undefined, fn: Function, args: Shape[], active: boolean[], unknownLoops: UnknownLoop[]): CountResult {
  counting.add(fn.name);
  try {
    return new Counter(program, oracle, fn, active, unknownLoops).run(args);
  } finally {
    counting.delete(fn.name);
  }
}

/** The functions being counted (callers of the current one included): a call back into one is recursion. */
const counting = new Set<string>();

const PLACEHOLDER = (name: string): D => ({ kind: "operand", value: { kind: "var", name } });
/** The loop counter's value while a loop test is examined. */
const COUNTER = "#counter";

class Counter {
  private readonly env = new Map<string, Shape>();
  private readonly activity: Activity | undefined;
  /** Trip counts of the loops around the current statement, outermost first. */
  private readonly trips: Poly[] = [];
  private counts: Counts = NO_COUNTS;
  private result: Shape | undefined;

  constructor(
    private readonly program: Program,
    private readonly oracle: ActivityOracle | undefined,
    private readonly fn: Function,
    active: boolean[],
    private readonly unknownLoops: UnknownLoop[],
  ) {
    this.activity = oracle?.analyze(fn, active);
  }

  run(args: Shape[]): CountResult {
    this.fn.params.forEach((p, i) => this.env.set(p.name, args[i] ?? typeShape(p.type, 0)));
    this.block(this.fn.body);
    return { counts: this.counts, result: this.result ?? typeShape(this.fn.returnType, 0), shapes: this.env };
  }

  private get multiplicity(): Poly {
    return this.trips.reduce((m, t) => mul(m, t), constant(1));
  }

  private count(part: keyof Counts, amount: Poly | number): void {
    const poly = typeof amount === "number" ? constant(amount) : amount;
    this.counts = { ...this.counts, [part]: add(this.counts[part], mul(poly, this.multiplicity)) };
  }

  private addCounts(inner: Counts): void {
    for (const part of ["primal", "tangent", "adjoint", "tape"] as const) this.count(part, inner[part]);
  }

  private block(stmts: Stmt[]): void {
    for (const s of stmts) this.stmt(s);
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case "let":
        this.env.set(s.name, s.init ? this.expr(s.init, s.type) : typeShape(s.type, this.trips.length));
        return;
      case "assign": {
        this.env.set(s.name, this.expr(s.value, this.typeOf({ kind: "var", name: s.name }) ?? { kind: "number" }));
        return;
      }
      case "push": {
        const target = this.shapeOf(s.object);
        if (!target.element && s.values[0]) target.element = this.shapeOf(s.values[0]);
        // Each execution adds its values; an array made inside the loops grows only by the deeper ones.
        const inner = this.trips.slice(target.depth ?? 0).reduce((m, t) => mul(m, t), constant(1));
        if (target.length) target.length = add(target.length, scale(inner, s.values.length));
        const type = this.typeOf(s.object);
        if (type?.kind === "array") {
          for (const v of s.values) this.count("tape", countValues(this.shapeOf(v), type.element) ?? constant(1));
        }
        return;
      }
      case "drop": {
        const target = this.shapeOf(s.object);
        if (target.length) target.length = sub(target.length, constant(1));
        return;
      }
      case "callStmt":
        this.call(s.callee, s.args);
        return;
      case "if": {
        const before = this.counts;
        this.counts = NO_COUNTS;
        this.block(s.then);
        const whenTrue = this.counts;
        this.counts = NO_COUNTS;
        this.block(s.else);
        const whenFalse = this.counts;
        this.counts = before;
        for (const part of ["primal", "tangent", "adjoint", "tape"] as const) {
          this.counts = { ...this.counts, [part]: add(this.counts[part], upperBound(whenTrue[part], whenFalse[part])) };
        }
        return;
      }
      case "loop":
        this.loop(s);
        return;
      case "block":
        this.block(s.body);
        return;
      case "return":
        if (!this.result && s.value) this.result = this.shapeOf(s.value);
        return;
      default:
        return;
    }
  }

  private loop(s: Extract<Stmt, { kind: "loop" }>): void {
    this.block(s.init);
    const counted = this.tripCount(s);
    const trips = counted?.trips ?? this.unknownTrips(s);
    this.trips.push(trips);
    // Inside the body a counter stands for its mean value: exact for triangular loops (`j = i; j < n`).
    if (counted) this.env.set(counted.counter, { value: counted.mean });
    if (s.test) this.block(s.test.prelude);
    this.block(s.body);
    this.block(s.update);
    this.trips.pop();
    // After the loop, numbers it changed are no longer known.
    for (const name of assignedIn([...s.body, ...s.update, ...(s.test?.prelude ?? [])])) {
      const shape = this.env.get(name);
      if (shape?.value) this.env.set(name, { ...shape, value: undefined });
    }
  }

  private unknownTrips(s: Extract<Stmt, { kind: "loop" }>): Poly {
    const line = s.loc?.line ?? this.fn.loc.line;
    const name = `iterations@${line}`;
    if (!this.unknownLoops.some((u) => u.symbol === name)) this.unknownLoops.push({ symbol: name, line });
    return symbol(name);
  }

  /** `for (i = a; i + c < b; i++)` and the like, with a and b polynomials in the sizes. */
  private tripCount(s: Extract<Stmt, { kind: "loop" }>): { trips: Poly; counter: string; mean: Poly } | undefined {
    const shape = counterStep(s);
    if (!s.test || !shape) return undefined;
    const { counter, step } = shape;
    const start = this.env.get(counter)?.value;
    if (!start) return undefined;
    // Evaluate the test with the counter as a symbol; the comparison is affine in it.
    const saved = this.env.get(counter)!;
    const savedCounts = this.counts;
    this.env.set(counter, { value: symbol(COUNTER) });
    const shapes = new Map<string, Shape>();
    for (const p of s.test.prelude) {
      if (p.kind !== "let" || !p.init) continue;
      shapes.set(p.name, this.expr(p.init, p.type));
      this.env.set(p.name, shapes.get(p.name)!);
    }
    this.counts = savedCounts;
    const condition = loopTest(s);
    const valueOf = (o: Operand): Poly | undefined => (o.kind === "number" ? constant(o.value) : o.kind === "var" ? (shapes.get(o.name) ?? this.env.get(o.name))?.value : undefined);
    let result: Poly | undefined;
    if (condition) {
      const l = valueOf(condition.left);
      const r = valueOf(condition.right);
      if (l && r) {
        // Bring it to `counter + c ⋈ bound` (or the mirrored form).
        const counterFirst = (l.get(COUNTER) ?? 0) === 1 && !r.has(COUNTER);
        const counterSecond = (r.get(COUNTER) ?? 0) === 1 && !l.has(COUNTER);
        const rel = counterFirst ? condition.op : counterSecond ? mirror(condition.op) : undefined;
        const side = counterFirst ? l : r;
        const bound = counterFirst ? r : l;
        if (rel) {
          const offset = sub(side, symbol(COUNTER));
          const limit = sub(bound, offset);
          if (step === 1 && (rel === "<" || rel === "<=")) result = add(sub(limit, start), constant(rel === "<=" ? 1 : 0));
          if (step === -1 && (rel === ">" || rel === ">=")) result = add(sub(start, limit), constant(rel === ">=" ? 1 : 0));
        }
      }
    }
    this.env.set(counter, saved);
    if (!result) return undefined;
    const known = isConstant(result);
    if (known !== undefined && known < 0) result = ZERO;
    const half = scale(sub(result, constant(1)), 0.5);
    return { trips: result, counter, mean: step === 1 ? add(start, half) : sub(start, half) };
  }

  private call(callee: string, args: Operand[]): Shape {
    const fn = this.program.functions.get(callee)!;
    // A recursive call: its depth is no size tsad can name; the levels below are not counted.
    if (counting.has(callee)) {
      const symbol = `depth of ${fn.sourceName}`;
      if (!this.unknownLoops.some((u) => u.symbol === symbol)) this.unknownLoops.push({ symbol, line: fn.loc.line });
      return {};
    }
    const active = args.map((a, i) => (this.activity?.isActiveOperand(a) ?? false) && isDifferentiable(fn.params[i]!.type));
    const inner = countFunction(this.program, this.oracle, fn, args.map((a) => this.shapeOf(a)), active, this.unknownLoops);
    this.addCounts(inner.counts);
    return inner.result;
  }

  private shapeOf(o: Operand): Shape {
    if (o.kind === "number") return { value: constant(o.value) };
    if (o.kind !== "var") return {};
    let shape = this.env.get(o.name);
    if (!shape) {
      shape = {};
      this.env.set(o.name, shape);
    }
    return shape;
  }

  private typeOf(o: Operand): Type | undefined {
    return o.kind === "var" ? this.activity?.types.get(o.name) ?? this.declaredTypes().get(o.name) : undefined;
  }

  private declared: Map<string, Type> | undefined;
  private declaredTypes(): Map<string, Type> {
    if (!this.declared) {
      const declared = new Map(this.fn.params.map((p) => [p.name, p.type]));
      forEachStmt(this.fn.body, (s) => s.kind === "let" && declared.set(s.name, s.type));
      this.declared = declared;
    }
    return this.declared;
  }

  private expr(e: Expr, type: Type): Shape {
    switch (e.kind) {
      case "operand":
        return this.shapeOf(e.value);
      case "unary": {
        if (e.op === "!") return {};
        this.arithmetic(e, [e.arg]);
        const v = this.shapeOf(e.arg).value;
        return { value: v && (e.op === "-" ? scale(v, -1) : v) };
      }
      case "binary": {
        if (!["+", "-", "*", "/", "%", "**"].includes(e.op)) return {};
        this.arithmetic(e, [e.left, e.right]);
        const a = this.shapeOf(e.left).value;
        const b = this.shapeOf(e.right).value;
        if (!a || !b) return {};
        if (e.op === "+") return { value: add(a, b) };
        if (e.op === "-") return { value: sub(a, b) };
        if (e.op === "*") return { value: mul(a, b) };
        const divisor = isConstant(b);
        if (e.op === "/" && divisor) return { value: scale(a, 1 / divisor) };
        return {};
      }
      case "math":
        this.arithmetic(e, e.args);
        return {};
      case "select": {
        const a = this.shapeOf(e.whenTrue);
        return a;
      }
      case "call":
        return this.call(e.callee, e.args);
      case "index": {
        const container = this.shapeOf(e.object);
        const position = e.index.kind === "number" ? e.index.value : undefined;
        if (container.elements && position !== undefined) return container.elements[position] ?? {};
        return container.element ?? typeShape(type, this.trips.length);
      }
      case "field":
        return this.shapeOf(e.object).fields?.get(e.name) ?? typeShape(type, this.trips.length);
      case "length":
        return { value: this.shapeOf(e.object).length };
      case "arrayLiteral": {
        const shapes = e.elements.map((o) => this.shapeOf(o));
        return { length: constant(e.elements.length), element: shapes[0] ?? typeShape(type.kind === "array" ? type.element : type, this.trips.length), elements: type.kind === "tuple" ? shapes : undefined, depth: this.trips.length };
      }
      case "recordLiteral":
        return { fields: new Map(e.fields.map((f) => [f.name, this.shapeOf(f.value)])) };
      case "newArray":
        return { length: this.shapeOf(e.length).value, element: e.fill ? this.shapeOf(e.fill) : typeShape(type.kind === "array" ? type.element : type, this.trips.length), depth: this.trips.length };
      case "copy": {
        const source = this.shapeOf(e.source);
        const start = e.start ? this.shapeOf(e.start).value : constant(0);
        const end = e.end ? this.shapeOf(e.end).value : source.length;
        const length = start && end ? sub(end, start) : undefined;
        return { ...source, length: source.elements ? source.length : length, depth: this.trips.length };
      }
      case "zerosLike":
        return { ...this.shapeOf(e.like), depth: this.trips.length };
      case "pop":
        return this.shapeOf(e.object).element ?? typeShape(type, this.trips.length);
    }
  }

  /** One primal operation, and what its tangent and adjoint add when its result is active. */
  private arithmetic(e: Extract<Expr, { kind: "unary" | "binary" | "math" }>, args: Operand[]): void {
    this.count("primal", 1);
    const rule = ruleFor(e.kind === "math" ? { kind: "math", fn: e.fn, external: e.external } : e.kind === "unary" ? { kind: "unary", op: e.op } : { kind: "binary", op: e.op });
    const active = args.map((a) => this.activity?.isActiveOperand(a) ?? false);
    const activeCount = active.filter(Boolean).length;
    if (!rule || rule.kind === "constant" || activeCount === 0) return;
    if (rule.kind === "pick") {
      // The derivative goes to one argument: a selection forward, one accumulation back.
      this.count("adjoint", 1);
      return;
    }
    const partials = rule.partials(args.map((_, i) => PLACEHOLDER(`x${i}`)), PLACEHOLDER("out"));
    let tangent = activeCount - 1;
    let adjoint = 0;
    partials.forEach((partial, i) => {
      if (!active[i]) return;
      const folded = fold(partial);
      const factor = operations(folded) + (isUnit(folded) ? 0 : 1);
      tangent += factor;
      adjoint += factor + 1;
    });
    this.count("tangent", tangent);
    this.count("adjoint", adjoint);
  }
}

function operations(d: D): number {
  switch (d.kind) {
    case "operand":
      return 0;
    case "neg":
      return d.arg.kind === "operand" && d.arg.value.kind === "number" ? 0 : 1 + operations(d.arg);
    case "binary":
      return (["+", "-", "*", "/", "%", "**"].includes(d.op) ? 1 : 0) + operations(d.left) + operations(d.right);
    case "math":
    case "call":
      return 1 + d.args.reduce((s, a) => s + operations(a), 0);
    case "select":
      return Math.max(operations(d.whenTrue), operations(d.whenFalse));
  }
}

/** ±1: the partial needs no multiplication (an addition or a subtraction does). */
function isUnit(d: D): boolean {
  if (d.kind === "operand" && d.value.kind === "number") return Math.abs(d.value.value) === 1;
  return d.kind === "neg" && isUnit(d.arg);
}

function assignedIn(stmts: Stmt[]): string[] {
  const names: string[] = [];
  forEachStmt(stmts, (s) => s.kind === "assign" && names.push(s.name));
  return names;
}
