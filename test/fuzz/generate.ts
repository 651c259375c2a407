/**
 * A seeded generator of random programs in tsad's supported language: helper functions
 * (declarations or `const` arrows, non-recursive) called by an exported entry `f`, over numbers,
 * `number[]`, `number[][]`, `{ a: number; v: number[] }` and boolean values, module-level
 * constants, with loops (over arrays and matrix rows, counted, data-dependent `while`/`do…while`,
 * `for…of`, `forEach`, labelled), branches, `break`/`continue` (also to a label), early `return`,
 * `switch`, in-place element overwrites, pushes into fresh arrays, `.map`/`.reduce`/`Array.from`,
 * spreads and copies, destructuring, and `Math` functions kept in their domains (see `Guard` in
 * program.ts); also spreads into `Math.max/min/hypot`, `.at`, `.findIndex`, `.some`/`.every`,
 * `.includes`, `.filter`, `.concat`, `.sort` with a comparator, `.reverse`, `for…of` over
 * `.entries()`, local arrow functions, `||=`/`&&=`, `console.assert`/`debugger`, a small class
 * (`Pt`), recursive helpers and a function with optional parameters (in program.ts). The entry returns a number, sometimes `number[]` or an object; a quarter of the
 * programs differentiate with respect to a subset of the parameters (`--wrt`).
 *
 * Validity invariants the generator keeps (the shrinker relies on them too):
 * - every loop terminates: `for` counters are never assigned, `while` loops carry their own
 *   counter bound, nothing pushes into an array that is being iterated;
 * - every index is in bounds: arrays have a known minimum length (2 for parameters and literals)
 *   and other indices are loop counters over that same array or `(i + c) % a.length`;
 * - functions return fresh containers (never an argument: a documented limitation of tsad).
 */
import { rng } from "../support/numeric.ts";
import { GUARD_ARITY, type Arg, type Arr, type ArrRef, type Bool, type Fn, type Guard, type Idx, type LVal, type Const, type Mat, type MathFn, type Num, type Obj, type Param, type Program, type Stmt, type Ty } from "./program.ts";

export interface GenOptions {
  /** Number of helper functions, at most. */
  maxHelpers: number;
  /** Statements per block, at most. */
  maxStmts: number;
  /** Statements per program, about (helpers and entry together). */
  maxTotal: number;
  /** Nesting depth of statements. */
  maxDepth: number;
  /** Nesting depth of expressions. */
  maxExprDepth: number;
  /**
   * Features to leave out (to look past a known bug at length; the CI test uses none):
   * `assignParams` (assigning number parameters), `writeParams` (writing into array and object
   * parameters), `matrices` (number[][] values).
   */
  avoid: readonly string[];
  /**
   * The chance that a loop gets a `// @checkpoint` tag (with a snapshot count of 1–3, or none).
   * Drawn from a generator of its own, so tags never change the program they are added to.
   */
  checkpoint?: number;
}

/** How often recursive helpers and a function with optional parameters are called. */
const RECURSION_WEIGHT = 0.25;
const OPTIONAL_WEIGHT = 0.25;

export const DEFAULT_OPTIONS: GenOptions = { maxHelpers: 2, maxStmts: 4, maxTotal: 24, maxDepth: 2, maxExprDepth: 2, avoid: [] };

type VarKind = "num" | "int" | "arr" | "obj" | "bool" | "mat" | "fn";

interface Var {
  name: string;
  kind: VarKind;
  /** Scalars: may be assigned. Arrays and objects: elements / fields may be written. */
  mut: boolean;
  /** Arrays: the length it has at least, here. Objects: of `.v`. Matrices: rows. */
  minLen: number;
  /** Matrices: the length of every row. */
  cols?: number;
  /** Arrays: may be pushed into (declared empty, or a fresh local array). */
  pushable: boolean;
  /** Arrays and objects: a container no argument shares (may be returned). */
  fresh: boolean;
  /** A module-level constant: never written, never passed where it could be written. */
  constant?: boolean;
}

interface Loop {
  counter: string;
  /** The array it counts over (`i < a.length`), or null with a constant bound. */
  arr: ArrRef | null;
  n: number;
}

interface Ctx {
  ret: Ty;
  scopes: Var[][];
  loops: Loop[];
  /** Inside a loop (break/continue allowed) and not inside a callback. */
  inLoop: boolean;
  /** Inside a forEach callback: no return/break/continue. */
  inCallback: boolean;
  labels: string[];
  /** Arrays being iterated: no pushes into them. */
  iterating: string[];
  depth: number;
  /** Statements left for the whole program. */
  budget: { n: number };
  names: { n: number };
  helpers: Fn[];
}

export class Gen {
  readonly random: () => number;
  /** Draws the checkpoint tags, apart from the program's own draws. */
  private readonly tagRandom: () => number;
  consts: Const[] = [];
  constructor(
    seed: number,
    readonly options: GenOptions = DEFAULT_OPTIONS,
  ) {
    this.random = rng(seed);
    this.tagRandom = rng(seed ^ 0x5bd1e995);
  }

  /** A loop's `@checkpoint` tag: undefined (none), 0 (no count) or a snapshot count. */
  checkpointTag(): number | undefined {
    const p = this.options.checkpoint ?? 0;
    if (p <= 0 || this.tagRandom() >= p) return undefined;
    return Math.floor(this.tagRandom() * 4);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }
  weighted<T>(choices: [number, () => T | undefined][]): T {
    const result = this.tryWeighted(choices);
    if (result === undefined) throw new Error("fuzz generator: no applicable choice");
    return result;
  }
  /** Tries choices in weighted random order until one applies. */
  tryWeighted<T>(choices: [number, () => T | undefined][]): T | undefined {
    let pool = choices.filter(([w]) => w > 0);
    while (pool.length > 0) {
      const total = pool.reduce((s, [w]) => s + w, 0);
      let r = this.random() * total;
      let index = 0;
      for (; index < pool.length - 1; index++) {
        r -= pool[index]![0];
        if (r < 0) break;
      }
      const result = pool[index]![1]();
      if (result !== undefined) return result;
      pool = pool.filter((_, i) => i !== index);
    }
    return undefined;
  }
  /** Picks with a bias to the end of the list (variables declared most recently). */
  recent<T>(xs: readonly T[]): T {
    return xs[Math.min(xs.length - 1, Math.floor(xs.length * Math.sqrt(this.random())))]!;
  }
  literal(): number {
    return this.pick([0.5, 2, 1, 0.25, 1.5, 3, 0.1, 0.75, -1, -0.5, -2, 0.3, 1.25]);
  }
  sample(): number {
    return Math.round((this.random() * 3 - 1.5) * 1000) / 1000 || 0.123;
  }

  program(): Program {
    const names = { n: 0 };
    const consts: Const[] = [];
    if (this.chance(0.3)) {
      for (let i = 0, n = this.int(1, 2); i < n; i++) {
        const name = `C${names.n++}`;
        consts.push({ name, value: this.chance(0.5) ? this.literal() : Array.from({ length: this.int(2, 3) }, () => this.sample()) });
      }
    }
    this.consts = consts;
    const helpers: Fn[] = [];
    const count = this.int(0, this.options.maxHelpers);
    const budget = { n: this.int(Math.ceil(this.options.maxTotal / 3), this.options.maxTotal) };
    // Helpers get a share of the budget each; the entry what is left (at least a few).
    for (let h = 0; h < count; h++) helpers.push(this.fn(`h${h}`, false, helpers, names, { n: Math.ceil(budget.n / (count + 2)) }));
    const f = this.fn("f", true, helpers, names, { n: Math.max(4, budget.n - Math.ceil(budget.n / (count + 2)) * count) });
    const program: Program = { fns: [...helpers, f], args: f.params.map((p) => this.argument(p.t)) };
    if (consts.length > 0) program.consts = consts;
    const differentiable = f.params.filter((p) => p.t !== "bool").map((p) => p.name);
    if (differentiable.length > 1 && this.chance(0.25)) {
      const wrt = differentiable.filter(() => this.chance(0.5));
      program.wrt = wrt.length > 0 ? wrt : [this.pick(differentiable)];
    }
    return program;
  }

  argument(t: Ty): unknown {
    switch (t) {
      case "num":
        return this.sample();
      case "arr":
        return Array.from({ length: this.int(2, 4) }, () => this.sample());
      case "obj":
        return { a: this.sample(), v: Array.from({ length: this.int(2, 3) }, () => this.sample()) };
      case "bool":
        return this.chance(0.5);
      case "mat": {
        const cols = this.int(2, 3);
        return Array.from({ length: this.int(2, 3) }, () => Array.from({ length: cols }, () => this.sample()));
      }
    }
  }

  fn(name: string, exported: boolean, helpers: Fn[], names: { n: number }, budget: { n: number }): Fn {
    const params: Param[] = [];
    const nParams = this.int(1, exported ? 4 : 3);
    for (let i = 0; i < nParams; i++) {
      const t: Ty = this.weighted<Ty>([
        [5, () => "num"],
        [3, () => "arr"],
        [1, () => "obj"],
        [exported ? 0.4 : 0.2, () => "bool"],
        [this.options.avoid.includes("matrices") ? 0 : 0.7, () => "mat"],
      ]);
      params.push({ name: `${name === "f" ? "" : name + "_"}${{ num: "x", arr: "v", obj: "o", bool: "b", mat: "m" }[t]}${i}`, t });
    }
    if (!params.some((p) => p.t !== "bool")) params.push({ name: `${name === "f" ? "" : name + "_"}x${nParams}`, t: "num" });
    const ret: Ty = exported ? this.weighted<Ty>([[15, () => "num"], [4, () => "arr"], [1, () => "obj"]]) : this.weighted<Ty>([[7, () => "num"], [2, () => "arr"], [1, () => "obj"]]);
    const paramWrites = this.chance(0.15) && !this.options.avoid.includes("writeParams");
    const assignParams = !this.options.avoid.includes("assignParams");
    const constants: Var[] = this.consts.map((c) =>
      typeof c.value === "number"
        ? { name: c.name, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false, constant: true }
        : { name: c.name, kind: "arr", mut: false, minLen: c.value.length, pushable: false, fresh: false, constant: true },
    );
    const scope: Var[] = params.map((p) => ({
      name: p.name,
      kind: p.t,
      mut: p.t === "num" ? this.chance(0.3) && assignParams : paramWrites,
      minLen: 2,
      ...(p.t === "mat" ? { cols: 2 } : {}),
      pushable: false,
      fresh: false,
    }));
    const ctx: Ctx = { ret, scopes: [constants, scope], loops: [], inLoop: false, inCallback: false, labels: [], iterating: [], depth: 0, budget, names, helpers: [...helpers] };
    const body = this.block(ctx, this.int(2, this.options.maxStmts + 1), false);
    body.push({ k: "return", value: this.returnValue(ctx) });
    const writesParams = paramWrites || JSON.stringify(body).match(/"fn":"(h\d+)"/g)?.some((m) => helpers.find((h) => `"fn":"${h.name}"` === m)?.writesParams) === true;
    return { name, params, ret, body, exported, ...(!exported && this.chance(0.25) ? { arrow: true } : {}), writesParams };
  }

  // -------------------------------------------------------------------------------------------
  // Scope

  fresh(ctx: Ctx, prefix: string): string {
    return `${prefix}${ctx.names.n++}`;
  }
  vars(ctx: Ctx, kind: VarKind): Var[] {
    return ctx.scopes.flat().filter((v) => v.kind === kind);
  }
  declare(ctx: Ctx, v: Var): void {
    ctx.scopes[ctx.scopes.length - 1]!.push(v);
  }
  lookup(ctx: Ctx, name: string): Var | undefined {
    return ctx.scopes.flat().find((v) => v.name === name);
  }
  /** The length `a` has at least here: its known minimum, or 1 inside a loop over it. */
  minLen(ctx: Ctx, a: ArrRef): number {
    const v = this.lookup(ctx, a.name);
    const known = v ? (a.row ? (v.cols ?? 0) : v.minLen) : 0;
    const iterated = ctx.loops.some((l) => l.arr && sameRef(l.arr, a));
    return Math.max(known, iterated ? 1 : 0);
  }
  /** Array places readable here with at least `min` elements. */
  arrays(ctx: Ctx, min: number): ArrRef[] {
    const refs: ArrRef[] = [];
    for (const v of ctx.scopes.flat()) {
      if (v.kind === "arr") refs.push({ name: v.name });
      if (v.kind === "obj") refs.push({ name: v.name, field: "v" });
      if (v.kind === "mat") {
        // One fixed row, and the row of each loop over the matrix.
        refs.push({ name: v.name, row: { k: "ilit", v: this.int(0, Math.max(0, v.minLen - 1)) } });
        for (const loop of ctx.loops) if (loop.arr && !loop.arr.row && !loop.arr.field && loop.arr.name === v.name) refs.push({ name: v.name, row: { k: "iref", name: loop.counter } });
      }
    }
    return refs.filter((r) => this.minLen(ctx, r) >= min);
  }
  /** Matrices (as places whose elements are rows). */
  mats(ctx: Ctx): ArrRef[] {
    return this.vars(ctx, "mat").map((v) => ({ name: v.name }));
  }
  mat(ctx: Ctx, depth: number): { e: Mat; rows: number; cols: number } {
    return this.weighted<{ e: Mat; rows: number; cols: number }>([
      [2, () => {
        const rows = this.int(2, 3);
        const cols = this.int(2, 3);
        return { e: { k: "mlit", rows: Array.from({ length: rows }, () => Array.from({ length: cols }, () => this.num(ctx, Math.min(depth, 1)))) }, rows, cols };
      }],
      [1, () => {
        const rows = this.int(2, 3);
        const cols = this.int(2, 3);
        return { e: { k: "mfill", n: rows, m: cols, v: this.chance(0.6) ? { k: "lit", v: 0 } : this.num(ctx, 1) }, rows, cols };
      }],
      [1.5, () => {
        const mats = this.vars(ctx, "mat");
        if (mats.length === 0) return undefined;
        const m = this.pick(mats);
        return { e: { k: "mcopy", name: m.name, el: this.fresh(ctx, "r") }, rows: m.minLen, cols: m.cols ?? 0 };
      }],
    ]);
  }
  writableArrays(ctx: Ctx): ArrRef[] {
    return this.arrays(ctx, 1).filter((r) => this.lookup(ctx, r.name)!.mut);
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  idx(ctx: Ctx, a: ArrRef): Idx {
    const m = this.minLen(ctx, a);
    const choices: [number, () => Idx | undefined][] = [];
    for (const loop of ctx.loops) {
      const over = loop.arr ? sameRef(loop.arr, a) : loop.n <= m;
      if (over) choices.push([4, () => ({ k: "iref", name: loop.counter })]);
      if (loop.arr && sameRef(loop.arr, a)) choices.push([1, () => ({ k: "irev", name: loop.counter, arr: a })]);
      if (m >= 1) choices.push([1.5, () => ({ k: "imod", name: loop.counter, add: this.int(0, 2), arr: a })]);
    }
    if (m >= 1) {
      choices.push([3, () => ({ k: "ilit", v: this.int(0, m - 1) })]);
      choices.push([0.7, () => ({ k: "ilast", arr: a })]);
    }
    return this.weighted(choices);
  }

  num(ctx: Ctx, depth: number): Num {
    const leaf = depth <= 0;
    return this.weighted<Num>([
      [leaf ? 3 : 1, () => ({ k: "lit", v: this.literal() })],
      [leaf ? 6 : 2, () => this.numRef(ctx)],
      [leaf ? 4 : 1.5, () => this.elem(ctx)],
      [leaf ? 1 : 0.3, () => (this.vars(ctx, "obj").length > 0 ? { k: "field", obj: this.pick(this.vars(ctx, "obj")).name } : undefined)],
      [leaf ? 0.6 : 0.2, () => (this.vars(ctx, "int").length > 0 ? { k: "ref", name: this.pick(this.vars(ctx, "int")).name } : undefined)],
      [leaf ? 0.2 : 0.1, () => (this.arrays(ctx, 0).length > 0 ? { k: "len", arr: this.pick(this.arrays(ctx, 0)) } : undefined)],
      [leaf ? 0 : 6, () => ({ k: "bin", op: this.pick(["+", "-", "*", "*", "+"] as const), l: this.num(ctx, depth - 1), r: this.num(ctx, depth - 1) })],
      [leaf ? 0 : 0.6, () => ({ k: "neg", e: this.num(ctx, depth - 1) })],
      [leaf ? 0 : 3, () => this.math(ctx, depth)],
      [leaf ? 0 : 3, () => this.guard(ctx, depth)],
      [leaf ? 0 : 0.8, () => ({ k: "powi", e: this.num(ctx, depth - 1), n: this.pick([2, 2, 3] as const) })],
      [leaf ? 0 : 0.15, () => ({ k: "mod", e: this.num(ctx, depth - 1), m: this.pick([1.5, 2, 0.7]) })],
      [leaf ? 0 : 0.8, () => ({ k: "cond", c: this.bool(ctx, 1), t: this.num(ctx, depth - 1), f: this.num(ctx, depth - 1) })],
      [leaf ? 0 : 2, () => this.call(ctx, depth, "num")],
      [leaf ? 0 : 0.4, () => this.call(ctx, depth, "obj")],
      [leaf ? 0 : 0.4, () => this.call(ctx, depth, "arr")],
      [leaf ? 0 : 0.6, () => this.reduce(ctx, depth)],
      [leaf ? 0 : 0.4, () => {
        const fn = this.pick(["max", "min", "hypot"] as const);
        const arrays = this.arrays(ctx, fn === "hypot" ? 0 : 1);
        if (arrays.length === 0) return undefined;
        return { k: "spreadMath", fn, arr: this.pick(arrays), extra: this.chance(0.4) ? this.num(ctx, depth - 1) : null };
      }],
      [leaf ? 0.2 : 0.3, () => {
        const arrays = this.arrays(ctx, 1).filter((a) => !ctx.loops.some((l) => l.arr && sameRef(l.arr, a)) || this.lookup(ctx, a.name)!.minLen >= 1);
        if (arrays.length === 0) return undefined;
        const arr = this.pick(arrays);
        return { k: "at", arr, back: this.int(1, Math.max(1, this.minLen(ctx, arr))) };
      }],
      [leaf ? 0 : 0.2, () => {
        const arrays = this.arrays(ctx, 0);
        if (arrays.length === 0) return undefined;
        const arr = this.pick(arrays);
        const el = this.fresh(ctx, "e");
        ctx.scopes.push([{ name: el, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false }]);
        const c = this.bool(ctx, 0);
        ctx.scopes.pop();
        return { k: "findIdx", arr, el, c };
      }],
      [leaf ? 0 : 0.2, () => {
        const arrays = this.arrays(ctx, 0);
        return arrays.length > 0 ? { k: "indexOf", arr: this.pick(arrays), v: this.chance(0.5) ? { k: "lit", v: this.literal() } : this.num(ctx, 0) } : undefined;
      }],
      [leaf ? 0 : 0.3, () => {
        const arrays = this.arrays(ctx, 0);
        if (arrays.length === 0) return undefined;
        const arr = this.pick(arrays);
        const el = this.fresh(ctx, "e");
        ctx.scopes.push([{ name: el, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false }]);
        const c = this.bool(ctx, 0);
        ctx.scopes.pop();
        return { k: "find", arr, el, c, fallback: this.num(ctx, depth - 1) };
      }],
      [leaf ? 0.5 : 1, () => {
        const fns = this.vars(ctx, "fn");
        return fns.length > 0 ? { k: "lcall", fn: this.pick(fns).name, arg: this.num(ctx, Math.max(depth - 1, 0)) } : undefined;
      }],
      [leaf ? 0 : 0.3, () => ({ k: "pt", a: this.num(ctx, depth - 1), b: this.num(ctx, depth - 1), by: this.chance(0.5) ? this.num(ctx, depth - 1) : null })],
      [leaf ? 0 : RECURSION_WEIGHT, () => ({ k: "rec", x: this.num(ctx, depth - 1), n: this.int(1, 4) })],
      [leaf ? 0 : RECURSION_WEIGHT, () => {
        const arrays = this.arrays(ctx, 0);
        return arrays.length > 0 ? { k: "recArr", arr: this.pick(arrays) } : undefined;
      }],
      [leaf ? 0 : OPTIONAL_WEIGHT, () => ({ k: "opt", x: this.num(ctx, depth - 1), by: this.chance(0.5) ? this.num(ctx, depth - 1) : null, shift: this.chance(0.4) ? this.num(ctx, depth - 1) : null })],
    ]);
  }

  numRef(ctx: Ctx): Num | undefined {
    const vs = this.vars(ctx, "num");
    return vs.length > 0 ? { k: "ref", name: this.recent(vs).name } : undefined;
  }

  elem(ctx: Ctx): Num | undefined {
    const arrays = this.arrays(ctx, 0).filter((a) => this.minLen(ctx, a) >= 1 || ctx.loops.some((l) => l.arr && sameRef(l.arr, a)));
    if (arrays.length === 0) return undefined;
    const a = this.recent(arrays);
    return { k: "elem", arr: a, idx: this.idx(ctx, a) };
  }

  math(ctx: Ctx, depth: number): Num {
    const fn: MathFn = this.weighted<MathFn>([
      [3, () => "sin"],
      [3, () => "cos"],
      [3, () => "tanh"],
      [1.5, () => "atan"],
      [1, () => "asinh"],
      [1.5, () => "abs"],
      [2, () => "max"],
      [1.5, () => "min"],
      [0.8, () => "hypot"],
      [0.3, () => "cbrt"],
      [0.3, () => "floor"],
      [0.2, () => "sign"],
      [0.2, () => "round"],
    ]);
    const arity = fn === "max" || fn === "min" || fn === "hypot" ? this.pick([2, 2, 2, 3]) : 1;
    return { k: "math", fn, args: Array.from({ length: arity }, () => this.num(ctx, depth - 1)) };
  }

  guard(ctx: Ctx, depth: number): Num {
    const g = this.pick(Object.keys(GUARD_ARITY) as Guard[]);
    return { k: "guard", g, args: Array.from({ length: GUARD_ARITY[g] }, () => this.num(ctx, depth - 1)) };
  }

  reduce(ctx: Ctx, depth: number): Num | undefined {
    const arrays = this.arrays(ctx, 0);
    if (arrays.length === 0) return undefined;
    const arr = this.pick(arrays);
    const acc = this.fresh(ctx, "acc");
    const el = this.fresh(ctx, "e");
    const idx = this.fresh(ctx, "j");
    ctx.scopes.push([
      { name: acc, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false },
      { name: el, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false },
    ]);
    ctx.loops.push({ counter: idx, arr, n: 0 });
    const term = this.num(ctx, Math.min(depth - 1, 2));
    ctx.loops.pop();
    ctx.scopes.pop();
    const body: Num = this.chance(0.8) ? { k: "bin", op: "+", l: { k: "ref", name: acc }, r: term } : { k: "bin", op: "+", l: { k: "bin", op: "*", l: { k: "lit", v: 0.5 }, r: { k: "ref", name: acc } }, r: term };
    return { k: "reduce", arr, acc, el, idx, body, init: this.chance(0.7) ? { k: "lit", v: 0 } : this.num(ctx, 0) };
  }

  call(ctx: Ctx, depth: number, ret: Ty): Num | undefined {
    const candidates = ctx.helpers.filter((h) => h.ret === ret);
    if (candidates.length === 0) return undefined;
    const h = this.pick(candidates);
    const args: Arg[] = [];
    for (const p of h.params) {
      const arg = this.arg(ctx, p.t, depth - 1, h.writesParams);
      if (!arg) return undefined;
      args.push(arg);
    }
    if (ret === "num") return { k: "call", fn: h.name, args };
    if (ret === "obj") return { k: "ocallA", fn: h.name, args };
    return { k: "acallI", fn: h.name, args, i: 0 };
  }

  arg(ctx: Ctx, t: Ty, depth: number, written = false): Arg | undefined {
    switch (t) {
      case "num":
        return { t, e: this.num(ctx, Math.max(depth, 0)) };
      case "bool":
        return { t, e: this.bool(ctx, 1) };
      case "arr": {
        const arrays = this.arrays(ctx, 2).filter((a) => !(written && this.lookup(ctx, a.name)?.constant));
        if (arrays.length > 0 && this.chance(0.75)) return { t, e: { k: "aref", arr: this.pick(arrays) } };
        return { t, e: { k: "alit", elems: Array.from({ length: this.int(2, 3) }, () => this.num(ctx, Math.min(depth, 1))) } };
      }
      case "mat": {
        const mats = this.vars(ctx, "mat");
        if (mats.length > 0 && this.chance(0.75)) return { t, e: { k: "mref", name: this.pick(mats).name } };
        const rows = this.int(2, 3);
        return { t, e: { k: "mlit", rows: Array.from({ length: rows }, () => [this.num(ctx, 0), this.num(ctx, 0)]) } };
      }
      case "obj": {
        const objs = this.vars(ctx, "obj");
        if (objs.length > 0 && this.chance(0.7)) return { t, e: { k: "oref", name: this.pick(objs).name } };
        return { t, e: { k: "olit", a: this.num(ctx, Math.min(depth, 1)), v: { k: "alit", elems: [this.num(ctx, 0), this.num(ctx, 0)] } } };
      }
    }
  }

  bool(ctx: Ctx, depth: number): Bool {
    return this.weighted<Bool>([
      [8, () => ({ k: "cmp", op: this.pick(["<", ">", "<=", ">="] as const), l: this.num(ctx, this.int(0, 1)), r: this.chance(0.5) ? { k: "lit", v: this.literal() } : this.num(ctx, this.int(0, 1)) })],
      [depth > 0 ? 1 : 0, () => ({ k: this.pick(["and", "or"] as const), l: this.bool(ctx, depth - 1), r: this.bool(ctx, depth - 1) })],
      [depth > 0 ? 0.4 : 0, () => ({ k: "not", e: this.bool(ctx, depth - 1) })],
      [1, () => (this.vars(ctx, "bool").length > 0 ? { k: "bref", name: this.pick(this.vars(ctx, "bool")).name } : undefined)],
      [depth > 0 ? 0.5 : 0, () => {
        const arrays = this.arrays(ctx, 0);
        if (arrays.length === 0) return undefined;
        const arr = this.pick(arrays);
        const el = this.fresh(ctx, "e");
        ctx.scopes.push([{ name: el, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false }]);
        const c = this.bool(ctx, depth - 1);
        ctx.scopes.pop();
        return { k: this.pick(["some", "every"] as const), arr, el, c };
      }],
      [0.2, () => {
        const arrays = this.arrays(ctx, 0);
        return arrays.length > 0 ? { k: "includes", arr: this.pick(arrays), v: this.chance(0.5) ? { k: "lit", v: this.literal() } : this.num(ctx, 0) } : undefined;
      }],
      [0.15, () => ({ k: "finite", v: this.num(ctx, 1) })],
    ]);
  }

  /** A fresh array value (never an alias of an existing one). */
  arr(ctx: Ctx, depth: number): { e: Arr; minLen: number } {
    return this.weighted<{ e: Arr; minLen: number }>([
      [3, () => {
        const n = this.int(2, 4);
        return { e: { k: "alit", elems: Array.from({ length: n }, () => this.num(ctx, depth - 1)) }, minLen: n };
      }],
      [2, () => {
        const n = this.int(2, 4);
        return { e: { k: "fill", n, v: this.chance(0.5) ? { k: "lit", v: this.pick([0, 0, 1, 0.5]) } : this.num(ctx, depth - 1) }, minLen: n };
      }],
      [2, () => {
        const src = this.arrays(ctx, 2);
        if (src.length === 0) return undefined;
        const arr = this.pick(src);
        return { e: { k: "copy", arr, how: this.pick(["spread", "slice", "from"] as const) }, minLen: 2 };
      }],
      [0.7, () => {
        const src = this.arrays(ctx, 2);
        if (src.length === 0) return undefined;
        return { e: { k: "spreadPre", arr: this.pick(src), pre: this.num(ctx, depth - 1) }, minLen: 3 };
      }],
      [2, () => {
        const src = this.arrays(ctx, 2);
        if (src.length === 0) return undefined;
        const arr = this.pick(src);
        const el = this.fresh(ctx, "e");
        const idx = this.fresh(ctx, "j");
        ctx.scopes.push([{ name: el, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false }]);
        ctx.loops.push({ counter: idx, arr, n: 0 });
        const body = this.num(ctx, Math.min(depth, 2));
        ctx.loops.pop();
        ctx.scopes.pop();
        return { e: { k: "map", arr, el, idx, body }, minLen: 2 };
      }],
      [1, () => {
        const n = this.int(2, 4);
        const idx = this.fresh(ctx, "j");
        ctx.scopes.push([{ name: idx, kind: "int", mut: false, minLen: 0, pushable: false, fresh: false }]);
        ctx.loops.push({ counter: idx, arr: null, n });
        const body = this.num(ctx, Math.min(depth, 2));
        ctx.loops.pop();
        ctx.scopes.pop();
        return { e: { k: "fromLen", n, idx, body }, minLen: n };
      }],
      [0.5, () => {
        const src = this.arrays(ctx, 0);
        if (src.length === 0) return undefined;
        const arr = this.pick(src);
        const el = this.fresh(ctx, "e");
        ctx.scopes.push([{ name: el, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false }]);
        const c = this.bool(ctx, 1);
        ctx.scopes.pop();
        return { e: { k: "filter", arr, el, c }, minLen: 0 };
      }],
      [0.5, () => {
        const src = this.arrays(ctx, 0);
        if (src.length === 0) return undefined;
        const arr = this.pick(src);
        const other = this.pick(src);
        return { e: { k: "concat", arr, other }, minLen: this.minLen(ctx, arr) + this.minLen(ctx, other) };
      }],
      [0.5, () => {
        const src = this.arrays(ctx, 0);
        if (src.length === 0) return undefined;
        const arr = this.pick(src);
        return { e: { k: "sorted", arr, p: this.fresh(ctx, "e"), q: this.fresh(ctx, "e"), desc: this.chance(0.5) }, minLen: this.minLen(ctx, arr) };
      }],
      [0.4, () => {
        const src = this.arrays(ctx, 0);
        if (src.length === 0) return undefined;
        const arr = this.pick(src);
        return { e: { k: "reversed", arr }, minLen: this.minLen(ctx, arr) };
      }],
      [1.5, () => {
        const candidates = ctx.helpers.filter((h) => h.ret === "arr");
        if (candidates.length === 0) return undefined;
        const h = this.pick(candidates);
        const args: Arg[] = [];
        for (const p of h.params) {
          const a = this.arg(ctx, p.t, depth - 1, h.writesParams);
          if (!a) return undefined;
          args.push(a);
        }
        return { e: { k: "acall", fn: h.name, args }, minLen: 1 };
      }],
    ]);
  }

  /** A sum of several values computed so far (so that most of the function is live), and one more expression. */
  live(ctx: Ctx): Num {
    const terms: Num[] = [];
    const nums = this.vars(ctx, "num");
    const arrays = this.arrays(ctx, 1);
    const objs = this.vars(ctx, "obj");
    for (let i = 0; i < 3; i++) {
      const term = this.tryWeighted<Num>([
        [3, () => (nums.length > 0 ? { k: "ref", name: this.recent(nums).name } : undefined)],
        [2, () => {
          if (arrays.length === 0) return undefined;
          const arr = this.recent(arrays);
          return { k: "elem", arr, idx: this.idx(ctx, arr) };
        }],
        [0.7, () => (objs.length > 0 ? { k: "field", obj: this.recent(objs).name } : undefined)],
      ]);
      if (term) terms.push(this.chance(0.3) ? { k: "math", fn: this.pick(["sin", "tanh", "cos"] as const), args: [term] } : term);
    }
    terms.push(this.num(ctx, this.options.maxExprDepth));
    return terms.reduce((l, r) => ({ k: "bin", op: this.pick(["+", "+", "-", "*"] as const), l, r }));
  }

  returnValue(ctx: Ctx): Arg {
    if (ctx.ret === "num") return { t: "num", e: this.live(ctx) };
    if (ctx.ret === "arr") {
      const locals = ctx.scopes.flat().filter((v) => v.kind === "arr" && v.fresh && v.minLen >= 1);
      if (locals.length > 0 && this.chance(0.7)) return { t: "arr", e: { k: "aref", arr: { name: this.pick(locals).name } } };
      if (this.chance(0.5)) return { t: "arr", e: { k: "alit", elems: [this.live(ctx), this.live(ctx)] } };
      return { t: "arr", e: this.arr(ctx, 2).e };
    }
    const objs = ctx.scopes.flat().filter((v) => v.kind === "obj" && v.fresh);
    if (objs.length > 0 && this.chance(0.5)) return { t: "obj", e: { k: "oref", name: this.pick(objs).name } };
    return { t: "obj", e: { k: "olit", a: this.live(ctx), v: this.arr(ctx, 2).e } };
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  block(ctx: Ctx, n: number, push = true): Stmt[] {
    if (push) ctx.scopes.push([]);
    const out: Stmt[] = [];
    for (let i = 0; i < n && (ctx.budget.n > 0 || out.length === 0); i++) {
      ctx.budget.n--;
      out.push(...this.stmt(ctx));
    }
    if (push) ctx.scopes.pop();
    return out;
  }

  /** A nested block: one more level of depth, fewer statements. */
  sub(ctx: Ctx, extra?: (inner: Ctx) => void): Stmt[] {
    ctx.depth++;
    const n = this.int(1, Math.max(1, this.options.maxStmts - ctx.depth));
    ctx.scopes.push([]);
    extra?.(ctx);
    const body = this.block(ctx, n, false);
    ctx.scopes.pop();
    ctx.depth--;
    return body;
  }

  stmt(ctx: Ctx): Stmt[] {
    const e = this.options.maxExprDepth;
    const nested = ctx.depth < this.options.maxDepth && ctx.budget.n > 1;
    return this.weighted<Stmt[]>([
      [5, () => {
        const name = this.fresh(ctx, "s");
        const mut = this.chance(0.75);
        const init = this.num(ctx, this.int(1, e));
        this.declare(ctx, { name, kind: "num", mut, minLen: 0, pushable: false, fresh: false });
        return [{ k: "decl", name, mut, init }];
      }],
      [2.5, () => {
        const name = this.fresh(ctx, "w");
        if (this.chance(0.25)) {
          this.declare(ctx, { name, kind: "arr", mut: true, minLen: 0, pushable: true, fresh: true });
          const out: Stmt[] = [{ k: "adecl", name, init: { k: "empty" } }];
          if (this.chance(0.6)) {
            out.push({ k: "push", arr: name, values: [this.num(ctx, 1)] });
            this.lookup(ctx, name)!.minLen = 1;
          }
          return out;
        }
        const { e: init, minLen } = this.arr(ctx, e - 1);
        this.declare(ctx, { name, kind: "arr", mut: true, minLen, pushable: this.chance(0.3), fresh: true });
        return [{ k: "adecl", name, init }];
      }],
      [0.8, () => {
        const name = this.fresh(ctx, "p");
        const objs = this.vars(ctx, "obj");
        const helpers = ctx.helpers.filter((h) => h.ret === "obj");
        return this.weighted<Stmt[]>([
          [2, () => {
            const n = this.int(2, 3);
            const init: Obj = { k: "olit", a: this.num(ctx, e - 1), v: { k: "alit", elems: Array.from({ length: n }, () => this.num(ctx, 1)) } };
            this.declare(ctx, { name, kind: "obj", mut: true, minLen: n, pushable: false, fresh: true });
            return [{ k: "odecl", name, init }];
          }],
          [objs.length > 0 ? 1 : 0, () => {
            const src = this.pick(objs);
            // The copy shares `.v` with its source: writable only if the source is.
            const init: Obj = { k: "ospread", obj: src.name, a: this.num(ctx, e - 1) };
            this.declare(ctx, { name, kind: "obj", mut: src.mut, minLen: src.minLen, pushable: false, fresh: false });
            return [{ k: "odecl", name, init }];
          }],
          [helpers.length > 0 ? 1 : 0, () => {
            const h = this.pick(helpers);
            const args: Arg[] = [];
            for (const p of h.params) {
              const a = this.arg(ctx, p.t, e - 1, h.writesParams);
              if (!a) return undefined;
              args.push(a);
            }
            this.declare(ctx, { name, kind: "obj", mut: true, minLen: 1, pushable: false, fresh: true });
            return [{ k: "odecl", name, init: { k: "ocall", fn: h.name, args } }];
          }],
        ]);
      }],
      [this.options.avoid.includes("matrices") ? 0 : 0.8, () => {
        const name = this.fresh(ctx, "q");
        const { e: init, rows, cols } = this.mat(ctx, e - 1);
        this.declare(ctx, { name, kind: "mat", mut: true, minLen: rows, cols, pushable: false, fresh: true });
        return [{ k: "mdecl", name, init }];
      }],
      [0.5, () => {
        const objs = this.vars(ctx, "obj");
        if (objs.length === 0) return undefined;
        const src = this.pick(objs);
        const a = this.fresh(ctx, "s");
        const v = this.fresh(ctx, "w");
        this.declare(ctx, { name: a, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false });
        this.declare(ctx, { name: v, kind: "arr", mut: src.mut, minLen: src.minLen, pushable: false, fresh: false });
        return [{ k: "odestr", obj: src.name, a, v }];
      }],
      [0.5, () => {
        const arrays = this.arrays(ctx, 2);
        if (arrays.length === 0) return undefined;
        const arr = this.pick(arrays);
        const names = Array.from({ length: this.int(1, 2) }, () => this.fresh(ctx, "s"));
        for (const name of names) this.declare(ctx, { name, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false });
        return [{ k: "adestr", arr, names }];
      }],
      [7, () => {
        const target = this.lval(ctx);
        if (!target) return undefined;
        const op = this.pick(["=", "=", "+=", "-=", "*=", "+="] as const);
        let value = this.num(ctx, this.int(0, e));
        // Keep repeated updates from growing without bound: s = a * s + b with |a| < 1 often.
        if (op === "=" && target.k === "lvar" && this.chance(0.4)) {
          value = { k: "bin", op: "+", l: { k: "bin", op: "*", l: { k: "lit", v: this.pick([0.5, 0.9, -0.7]) }, r: { k: "ref", name: target.name } }, r: value };
        }
        if (op === "*=") value = { k: "math", fn: this.pick(["cos", "sin", "tanh"] as const), args: [value] };
        return [{ k: "assign", target, op, value }];
      }],
      [0.5, () => {
        const target = this.lval(ctx);
        return target ? [{ k: "divassign", target, value: this.num(ctx, 1) }] : undefined;
      }],
      [0.5, () => {
        const target = this.lval(ctx);
        return target ? [{ k: "incr", target, op: this.pick(["++", "--"] as const) }] : undefined;
      }],
      [2, () => {
        const arrays = this.vars(ctx, "arr").filter((v) => v.pushable && !ctx.iterating.includes(v.name));
        if (arrays.length === 0) return undefined;
        const arr = this.pick(arrays);
        const values = Array.from({ length: this.pick([1, 1, 2]) }, () => this.num(ctx, this.int(0, e - 1)));
        // Pushes outside loops and branches (at the array's own level) raise its known length.
        if (ctx.scopes[ctx.scopes.length - 1]!.includes(arr)) arr.minLen += values.length;
        return [{ k: "push", arr: arr.name, values }];
      }],
      [nested ? 4 : 0, () => this.ifStmt(ctx)],
      [nested ? 3.5 : 0, () => this.forStmt(ctx)],
      [nested ? 1.2 : 0, () => this.forOf(ctx)],
      [nested ? 2 : 0, () => this.whileStmt(ctx)],
      [nested && !ctx.inCallback ? 1 : 0, () => this.forEachStmt(ctx)],
      [nested ? 0.6 : 0, () => this.switchStmt(ctx)],
      [nested ? 0.3 : 0, () => [{ k: "block", body: this.sub(ctx) }]],
      [nested ? 0.6 : 0, () => this.forEntries(ctx)],
      [0.8, () => {
        const name = this.fresh(ctx, "g");
        const param = this.fresh(ctx, "u");
        ctx.scopes.push([{ name: param, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false }]);
        const body = this.num(ctx, this.int(1, e));
        ctx.scopes.pop();
        this.declare(ctx, { name, kind: "fn", mut: false, minLen: 0, pushable: false, fresh: false });
        return [{ k: "larrow", name, param, body }];
      }],
      [0.3, () => [{ k: "trace", value: this.chance(0.7) ? this.num(ctx, 1) : null }]],
      [0.5, () => {
        const vs = this.vars(ctx, "num").filter((v) => v.mut);
        if (vs.length === 0) return undefined;
        return [{ k: "logassign", name: this.recent(vs).name, op: this.pick(["||=", "&&="] as const), value: this.num(ctx, this.int(0, e)) }];
      }],
    ]);
  }

  forEntries(ctx: Ctx): Stmt[] | undefined {
    const arrays = this.arrays(ctx, 0);
    if (arrays.length === 0) return undefined;
    const arr = this.pick(arrays);
    const i = this.fresh(ctx, "i");
    const v = this.fresh(ctx, "e");
    const body = this.loopBody(ctx, { counter: i, arr, n: 0 }, [
      { name: i, kind: "int", mut: false, minLen: 0, pushable: false, fresh: false },
      { name: v, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false },
    ], arr);
    return [{ k: "forEntries", i, v, arr, body }];
  }

  lval(ctx: Ctx): LVal | undefined {
    return this.tryWeighted<LVal>([
      [3, () => {
        const vs = this.vars(ctx, "num").filter((v) => v.mut);
        return vs.length > 0 ? { k: "lvar", name: this.recent(vs).name } : undefined;
      }],
      [2.5, () => {
        const arrays = this.writableArrays(ctx);
        if (arrays.length === 0) return undefined;
        const arr = this.recent(arrays);
        return { k: "lelem", arr, idx: this.idx(ctx, arr) };
      }],
      [0.7, () => {
        const objs = this.vars(ctx, "obj").filter((v) => v.mut);
        return objs.length > 0 ? { k: "lfield", obj: this.pick(objs).name } : undefined;
      }],
    ]);
  }

  /** An exit at the end of a branch: break/continue in loops, return anywhere. */
  exit(ctx: Ctx): Stmt | undefined {
    if (ctx.inCallback) return undefined;
    return this.weighted<Stmt>([
      [ctx.inLoop ? 2 : 0, () => (ctx.labels.length > 0 && this.chance(0.3) ? { k: "break", label: this.pick(ctx.labels) } : { k: "break" })],
      [ctx.inLoop ? 2 : 0, () => (ctx.labels.length > 0 && this.chance(0.3) ? { k: "continue", label: this.pick(ctx.labels) } : { k: "continue" })],
      [1.5, () => ({ k: "return", value: this.returnValue(ctx) })],
    ]);
  }

  ifStmt(ctx: Ctx): Stmt[] {
    const c = this.bool(ctx, 1);
    const then = this.sub(ctx);
    if (this.chance(ctx.inLoop ? 0.35 : 0.15)) {
      const exit = this.exit(ctx);
      if (exit) then.push(exit);
    }
    const els = this.chance(0.45) ? this.sub(ctx) : null;
    return [{ k: "if", c, then, else: els }];
  }

  loopBody(ctx: Ctx, loop: Loop | null, vars: Var[], iterated: ArrRef | null): Stmt[] {
    const saved = { inLoop: ctx.inLoop };
    ctx.inLoop = true;
    if (loop) ctx.loops.push(loop);
    if (iterated) ctx.iterating.push(iterated.name);
    const body = this.sub(ctx, () => vars.forEach((v) => this.declare(ctx, v)));
    if (iterated) ctx.iterating.pop();
    if (loop) ctx.loops.pop();
    ctx.inLoop = saved.inLoop;
    return body;
  }

  forStmt(ctx: Ctx): Stmt[] {
    const v = this.fresh(ctx, "i");
    const arrays = this.arrays(ctx, 0);
    const mats = this.mats(ctx);
    const arr = mats.length > 0 && this.chance(0.35) ? this.pick(mats) : arrays.length > 0 && this.chance(0.8) ? this.pick(arrays) : null;
    const n = arr ? 0 : this.int(1, 4);
    const label = this.chance(0.15) ? `L${ctx.names.n++}` : undefined;
    if (label) ctx.labels.push(label);
    const body = this.loopBody(ctx, { counter: v, arr, n }, [{ name: v, kind: "int", mut: false, minLen: 0, pushable: false, fresh: false }], arr);
    if (label) ctx.labels.pop();
    return [{ k: "for", v, arr, n, body, label, checkpoint: this.checkpointTag() }];
  }

  forOf(ctx: Ctx): Stmt[] | undefined {
    const mats = this.vars(ctx, "mat");
    if (mats.length > 0 && this.chance(0.3)) {
      // The rows of a matrix: each is an alias (writable if the matrix is).
      const m = this.pick(mats);
      const v = this.fresh(ctx, "r");
      const body = this.loopBody(ctx, null, [{ name: v, kind: "arr", mut: m.mut, minLen: m.cols ?? 0, pushable: false, fresh: false }], { name: m.name });
      return [{ k: "forof", v, arr: { name: m.name }, body, checkpoint: this.checkpointTag() }];
    }
    const arrays = this.arrays(ctx, 0);
    if (arrays.length === 0) return undefined;
    const arr = this.pick(arrays);
    const v = this.fresh(ctx, "e");
    const body = this.loopBody(ctx, null, [{ name: v, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false }], arr);
    return [{ k: "forof", v, arr, body, checkpoint: this.checkpointTag() }];
  }

  whileStmt(ctx: Ctx): Stmt[] {
    const counter = this.fresh(ctx, "k");
    // The counter is declared before the loop (it is visible after it, as a number).
    this.declare(ctx, { name: counter, kind: "int", mut: false, minLen: 0, pushable: false, fresh: false });
    const c = this.bool(ctx, 1);
    const body = this.loopBody(ctx, null, [], null);
    return [{ k: "while", counter, c, max: this.int(2, 10), body, doWhile: this.chance(0.3), checkpoint: this.checkpointTag() }];
  }

  forEachStmt(ctx: Ctx): Stmt[] | undefined {
    const arrays = this.arrays(ctx, 0);
    if (arrays.length === 0) return undefined;
    const arr = this.pick(arrays);
    const el = this.fresh(ctx, "e");
    const idx = this.fresh(ctx, "j");
    const saved = { inLoop: ctx.inLoop, inCallback: ctx.inCallback, labels: ctx.labels };
    ctx.inLoop = false;
    ctx.inCallback = true;
    ctx.labels = [];
    ctx.loops.push({ counter: idx, arr, n: 0 });
    ctx.iterating.push(arr.name);
    const body = this.sub(ctx, () => this.declare(ctx, { name: el, kind: "num", mut: false, minLen: 0, pushable: false, fresh: false }));
    ctx.iterating.pop();
    ctx.loops.pop();
    Object.assign(ctx, saved);
    return [{ k: "forEach", arr, el, idx, body }];
  }

  switchStmt(ctx: Ctx): Stmt[] | undefined {
    const ints = this.vars(ctx, "int");
    if (ints.length === 0) return undefined;
    const sel = this.pick(ints).name;
    const m = this.int(2, 3);
    const cases = Array.from({ length: m }, () => this.sub(ctx));
    return [{ k: "switch", sel, m, cases }];
  }
}

export function sameRef(a: ArrRef, b: ArrRef): boolean {
  return a.name === b.name && a.field === b.field && JSON.stringify(a.row) === JSON.stringify(b.row);
}

/** The seed of program `index` of a run with seed `seed`. */
export function programSeed(seed: number, index: number): number {
  let h = (seed * 0x9e3779b1) ^ (index * 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export function generateProgram(seed: number, options: GenOptions = DEFAULT_OPTIONS): Program {
  return new Gen(seed, options).program();
}
