/**
 * Activity analysis: which variables carry a derivative. A variable is active when it may hold
 * a value that varies with the active parameters (forward dependence, to a fixpoint over loops).
 *
 * Containers are shared by reference: writing an active number into `row` where `row = M[i]`
 * makes `M` active as well. So a container variable is active when it is assigned an active
 * container, or when anything in its alias class has had active content written into it. Classes are built with
 * union–find over every way a reference can flow (assignment, element and field reads of
 * containers, literals holding containers, pushes and stores of containers, shallow copies of
 * arrays of containers).
 *
 * Calls are summarised per callee and activity pattern: whether the result is active and which
 * container arguments the callee makes active by writing active values into them.
 */
import type { Expr, Function, Operand, Program, Stmt, Type } from "../ir/ir.ts";
import { isDifferentiable, isReference } from "../ir/types.ts";
import { ruleFor } from "../rules/rules.ts";

export interface Activity {
  /** Whether the variable has a derivative. */
  isActive(name: string): boolean;
  isActiveOperand(operand: Operand): boolean;
  isActiveExpr(expr: Expr): boolean;
  /** Whether the function's result is active. */
  resultActive: boolean;
  /** The parameters that are active, in order (the given ones plus those written with active values). */
  activeParams: boolean[];
  /** The container parameters into which the function writes active values. */
  writtenParams: boolean[];
  /** The container parameters the result may share containers with (it returns them or parts of them). */
  returnedParams: boolean[];
  types: Map<string, Type>;
  /** A representative of the alias class of a container variable (itself for numbers). */
  aliasClass(name: string): string;
}

export interface CallSummary {
  resultActive: boolean;
  /** The callee's parameters that are active: the active arguments and those it writes active values into. */
  activeParams: boolean[];
  writtenParams: boolean[];
}

/** Summaries of callees by activity pattern, shared across one compilation. */
export class ActivityOracle {
  private readonly cache = new Map<string, Activity>();
  /**
   * Analyses under way, outermost first. A recursive call reads its callee's provisional result
   * (at first: nothing active, nothing written); the callee is analysed again until its result
   * stops changing (the least fixpoint). Results that read a provisional result of an analysis
   * still under way (`tainted`) are not cached: they are redone in its next round.
   */
  private readonly stack: { key: string; recursive: boolean; tainted: boolean }[] = [];
  private readonly provisional = new Map<string, Activity>();

  constructor(readonly program: Program) {}

  analyze(fn: Function, activeParams: boolean[]): Activity {
    const key = `${fn.name}:${activeParams.map((a) => (a ? 1 : 0)).join("")}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const open = this.stack.findIndex((f) => f.key === key);
    if (open >= 0) {
      this.stack[open]!.recursive = true;
      for (const frame of this.stack.slice(open + 1)) frame.tainted = true;
      return this.provisional.get(key) ?? nothingActive(fn, activeParams);
    }
    const frame = { key, recursive: false, tainted: false };
    this.stack.push(frame);
    let result: Activity;
    try {
      for (;;) {
        frame.recursive = false;
        result = analyzeFunction(fn, activeParams, this);
        if (!frame.recursive) break;
        const previous = this.provisional.get(key) ?? nothingActive(fn, activeParams);
        this.provisional.set(key, result);
        if (sameSummary(previous, result)) break;
      }
    } finally {
      this.stack.pop();
      this.provisional.delete(key);
    }
    if (!frame.tainted) this.cache.set(key, result!);
    return result!;
  }

  /** Which arguments a callee's result may share containers with (alias classes do not depend on activity). */
  returnedParams(callee: string): boolean[] {
    const fn = this.program.functions.get(callee)!;
    return this.analyze(fn, fn.params.map(() => false)).returnedParams;
  }

  summary(callee: string, argsActive: boolean[]): CallSummary {
    const fn = this.program.functions.get(callee)!;
    const activity = this.analyze(fn, fn.params.map((p, i) => (argsActive[i] ?? false) && isDifferentiable(p.type)));
    return { resultActive: activity.resultActive, activeParams: activity.activeParams, writtenParams: activity.writtenParams };
  }
}

/** Where a recursive analysis starts: the bottom of the lattice (nothing flows anywhere yet). */
function nothingActive(fn: Function, activeParams: boolean[]): Activity {
  return {
    isActive: () => false,
    isActiveOperand: () => false,
    isActiveExpr: () => false,
    resultActive: false,
    activeParams,
    writtenParams: fn.params.map(() => false),
    returnedParams: fn.params.map(() => false),
    types: new Map(),
    aliasClass: (name) => name,
  };
}

function sameSummary(a: Activity, b: Activity): boolean {
  const same = (x: boolean[], y: boolean[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return a.resultActive === b.resultActive && same(a.activeParams, b.activeParams) && same(a.writtenParams, b.writtenParams) && same(a.returnedParams, b.returnedParams);
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(x, root);
    return root;
  }
  union(a: string, b: string): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    this.parent.set(ra, rb);
    return true;
  }
}

function analyzeFunction(fn: Function, initiallyActive: boolean[], oracle: ActivityOracle): Activity {
  const types = new Map<string, Type>();
  for (const p of fn.params) types.set(p.name, p.type);
  forEachStmt(fn.body, (s) => {
    if (s.kind === "let") types.set(s.name, s.type);
  });
  const classes = new UnionFind();
  /** Alias classes (by root) into which active content has been written. */
  const activeRoots = new Set<string>();
  /** Numbers, and containers assigned an active container. */
  const activeVars = new Set<string>();
  let changed = true;

  const isActive = (name: string): boolean => {
    const type = types.get(name);
    if (!type || !isDifferentiable(type)) return false;
    return activeVars.has(name) || (isReference(type) && activeRoots.has(classes.find(name)));
  };
  const markActive = (name: string): void => {
    const type = types.get(name);
    if (!type || !isDifferentiable(type) || activeVars.has(name)) return;
    activeVars.add(name);
    changed = true;
  };
  /** Active content was written into `name`'s container: every alias of it is active. */
  const markContent = (name: string): void => {
    const type = types.get(name);
    if (!type || !isDifferentiable(type)) return;
    if (!isReference(type)) return markActive(name);
    const root = classes.find(name);
    if (activeRoots.has(root)) return;
    activeRoots.add(root);
    changed = true;
  };
  const union = (a: string, b: string): void => {
    const ta = types.get(a);
    const tb = types.get(b);
    if (!ta || !tb || !isReference(ta) || !isReference(tb)) return;
    const contentActive = activeRoots.has(classes.find(a)) || activeRoots.has(classes.find(b));
    if (classes.union(a, b)) {
      changed = true;
      if (contentActive) activeRoots.add(classes.find(a));
    }
  };
  const operandActive = (o: Operand): boolean => o.kind === "var" && isActive(o.name);
  const argsActive = (args: Operand[]) => args.map(operandActive);

  const exprActive = (e: Expr): boolean => {
    switch (e.kind) {
      case "operand":
        return operandActive(e.value);
      case "unary":
      case "binary":
      case "math": {
        const rule = ruleFor(e);
        if (!rule || rule.kind === "constant") return false;
        const args = e.kind === "math" ? e.args : e.kind === "unary" ? [e.arg] : [e.left, e.right];
        return args.some(operandActive);
      }
      case "select":
        return operandActive(e.whenTrue) || operandActive(e.whenFalse);
      case "index":
      case "field":
      case "copy":
        return operandActive(e.kind === "copy" ? e.source : e.object);
      case "length":
      case "zerosLike":
        return false;
      case "pop":
        // A value taken back off a tape (reverse mode's output, differentiated again).
        return operandActive(e.object);
      case "arrayLiteral":
        return e.elements.some(operandActive);
      case "recordLiteral":
        return e.fields.some((f) => operandActive(f.value));
      case "newArray":
        return e.fill !== undefined && operandActive(e.fill);
      case "call":
        return oracle.summary(e.callee, argsActive(e.args)).resultActive;
    }
  };

  /** The containers a result may share structure with. */
  const aliases = (e: Expr): Operand[] => {
    switch (e.kind) {
      case "operand":
        return [e.value];
      case "pop":
        // What comes off a tape is what went on it.
        return [e.object];
      case "call": {
        // A result may hold containers of the arguments the callee returns parts of.
        const returned = oracle.returnedParams(e.callee);
        return e.args.filter((_, i) => returned[i]);
      }
      case "index":
      case "field":
        return [e.object];
      case "select":
        return [e.whenTrue, e.whenFalse];
      case "copy":
        // A copy shares only the containers inside what it copies.
        return holdsContainers(e.type) ? [e.source] : [];
      case "arrayLiteral":
        return e.elements;
      case "recordLiteral":
        return e.fields.map((f) => f.value);
      case "newArray":
        return e.fill ? [e.fill] : [];
      default:
        return [];
    }
  };

  const visitCall = (callee: string, args: Operand[]): void => {
    const summary = oracle.summary(callee, argsActive(args));
    summary.writtenParams.forEach((written, i) => {
      const arg = args[i];
      if (written && arg?.kind === "var") markContent(arg.name);
    });
  };

  let resultActive = false;
  const returnedVars: string[] = [];
  const visit = (s: Stmt): void => {
    switch (s.kind) {
      case "let":
      case "assign": {
        const e = s.kind === "let" ? s.init : s.value;
        if (!e) return;
        for (const a of aliases(e)) if (a.kind === "var") union(s.name, a.name);
        if (e.kind === "call") visitCall(e.callee, e.args);
        if (exprActive(e)) markActive(s.name);
        return;
      }
      case "setIndex":
      case "setField":
      case "fill":
        if (s.value.kind === "var") union(varOf(s.object), s.value.name);
        if (operandActive(s.value)) markContent(varOf(s.object));
        return;
      case "push":
        for (const v of s.values) {
          if (v.kind === "var") union(varOf(s.object), v.name);
          if (operandActive(v)) markContent(varOf(s.object));
        }
        return;
      case "callStmt":
        visitCall(s.callee, s.args);
        return;
      case "return":
        if (s.value && operandActive(s.value)) resultActive = true;
        if (s.value?.kind === "var") returnedVars.push(s.value.name);
        return;
      default:
        return;
    }
  };

  fn.params.forEach((p, i) => {
    if (initiallyActive[i]) markActive(p.name);
  });
  while (changed) {
    changed = false;
    forEachStmt(fn.body, visit);
  }
  return {
    isActive,
    isActiveOperand: operandActive,
    isActiveExpr: exprActive,
    resultActive: resultActive && isDifferentiable(fn.returnType),
    returnedParams: fn.params.map((p) => isReference(p.type) && returnedVars.some((r) => classes.find(r) === classes.find(p.name))),
    activeParams: fn.params.map((p) => isActive(p.name)),
    writtenParams: fn.params.map((p) => isReference(p.type) && activeRoots.has(classes.find(p.name))),
    types,
    aliasClass: (name) => classes.find(name),
  };
}

function varOf(operand: Operand): string {
  if (operand.kind !== "var") throw new Error("a write into a literal");
  return operand.name;
}

/** Visits every statement, nested ones included, in program order. */
export function forEachStmt(body: Stmt[], visit: (s: Stmt) => void): void {
  for (const s of body) {
    visit(s);
    switch (s.kind) {
      case "if":
        forEachStmt(s.then, visit);
        forEachStmt(s.else, visit);
        break;
      case "loop":
        forEachStmt(s.init, visit);
        if (s.test) forEachStmt(s.test.prelude, visit);
        forEachStmt(s.body, visit);
        forEachStmt(s.update, visit);
        break;
      case "block":
        forEachStmt(s.body, visit);
        break;
    }
  }
}

function holdsContainers(type: Type): boolean {
  if (type.kind === "array") return isReference(type.element);
  if (type.kind === "tuple") return type.elements.some(isReference);
  if (type.kind === "record") return type.fields.some((f) => isReference(f.type));
  return false;
}
