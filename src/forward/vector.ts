/**
 * Vector forward mode: k directions in one sweep. IR → IR, applied to what forward mode made.
 *
 * A JVP is linear in its tangents, so the code for k directions is the code for one with every
 * tangent replaced by k of them ("lanes"): the primal and every partial derivative are computed
 * once, and only the statements that compute tangents run once per lane. This pass lifts forward
 * mode's output accordingly:
 *
 * - A tangent variable of derivative type T becomes a container of k values of T (its lanes):
 *   a `Float64Array` for numbers, an array of k values otherwise. Each lane container belongs to
 *   one variable: `let dw = dv` copies lanes, and an assignment writes into the container.
 * - Consecutive tangent statements share one loop over the lanes; primal statements between
 *   them move ahead when they write nothing those read. A number tangent used only inside one
 *   such loop stays a plain number there (one per lane, never stored).
 * - Calls of tangent functions call their lifted versions, with the lane count as a last
 *   argument; `{ value, tangent }` results carry lanes in `tangent`.
 * - The exported `fJvp(…, tangent)` becomes `fJvpN(…, tangents)`: an array of k direction
 *   records in, `{ value, tangents }` out.
 */
import { forEachStmt } from "../analysis/activity.ts";
import type { Expr, Function, Operand, Param, Stmt, Type } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../ir/ir.ts";
import { NameManager } from "../ir/names.ts";
import { mapNestedBlocks, renameExpr, renameStmts } from "../ir/rename.ts";
import { isReference } from "../ir/types.ts";
import { directOperands, exprOperands } from "../emit/inline.ts";
import type { TangentNames } from "./forward.ts";

/** How a number's lanes are stored: `number[]` (measured faster, docs/vector.md) or `Float64Array`. */
export type NumberLanes = "Float64Array" | "array";

/**
 * The representation chosen by measurement (bench/vector-choices.ts): `number[]` lanes beat a
 * `Float64Array` per tangent on every benchmark (allocating typed arrays costs more than their
 * arithmetic saves at these widths). `TSAD_VECTOR_LANES=Float64Array` makes the other, to measure again.
 */
function measuredLanes(): NumberLanes {
  return process.env.TSAD_VECTOR_LANES === "Float64Array" ? "Float64Array" : "array";
}

export interface VectorOptions {
  numberLanes?: NumberLanes;
}

/** The lifted version of each function, by the name of the scalar one. */
export interface VectorResult {
  functions: Function[];
  names: Map<string, string>;
}

/**
 * Lifts `roots` (exported forward-mode functions, e.g. `fJvp`) and every forward-mode function they
 * call. `exportNames` gives each root's lifted name (`fJvp` → `fJvpN`); callees get an `N` suffix.
 */
export function vectorize(functions: readonly Function[], tangents: ReadonlyMap<string, TangentNames>, exportNames: ReadonlyMap<string, string>, taken: ReadonlySet<string>, options: VectorOptions = {}): VectorResult {
  const byName = new Map(functions.map((fn) => [fn.name, fn]));
  const used = new Set([...taken, ...functions.map((fn) => fn.name)]);
  const names = new Map<string, string>();
  const order: string[] = [];
  const visit = (name: string) => {
    if (names.has(name) || !byName.has(name) || !tangents.has(name)) return;
    let lifted = exportNames.get(name) ?? `${name}N`;
    for (let n = 2; used.has(lifted) && !exportNames.has(name); n++) lifted = `${name}N${n}`;
    used.add(lifted);
    names.set(name, lifted);
    order.push(name);
    forEachStmt(byName.get(name)!.body, (s) => {
      const callee = s.kind === "callStmt" ? s.callee : (s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined)?.kind === "call" ? ((s.kind === "let" ? s.init : (s as { value: Expr }).value) as { callee: string }).callee : undefined;
      if (callee) visit(callee);
    });
  };
  for (const root of exportNames.keys()) visit(root);
  const lifted = order.map((name) => new LaneLifter(byName.get(name)!, tangents.get(name)!, names, tangents, byName, exportNames.has(name), options.numberLanes ?? measuredLanes()).run(names.get(name)!));
  return { functions: lifted, names };
}

class LaneLifter {
  private readonly names: NameManager;
  private readonly types = new Map<string, Type>();
  /** Names holding tangents: lane containers, except inside a lane loop where they are local. */
  private readonly tangent = new Set<string>();
  /** How many statements mention each name (a tangent mentioned only in one lane loop stays a number). */
  private readonly mentions = new Map<string, number>();
  private readonly lanes: string;
  private readonly lane: string;
  /** Lane containers allocated once, at the top, for tangents declared once (inside loops too). */
  private readonly hoisted: Stmt[] = [];
  /** Tangents whose declarations never overlap in scope (one container can serve them all). */
  private readonly hoistable = new Set<string>();
  /**
   * Tapes of number tangents, used only by push and pop: one stack serves every lane, each push
   * statement's lanes one after another, taken back by its pop in the opposite lane order (the
   * backward sweep pops what the forward sweep pushed, statement by statement). By name, the name
   * of its top-of-stack counter.
   */
  private readonly laneStacks = new Map<string, string>();
  private temporaries: Set<string>;

  constructor(
    private readonly fn: Function,
    private readonly info: TangentNames,
    private readonly liftedNames: ReadonlyMap<string, string>,
    private readonly allTangents: ReadonlyMap<string, TangentNames>,
    private readonly functions: ReadonlyMap<string, Function>,
    private readonly exported: boolean,
    private readonly numberLanes: NumberLanes,
  ) {
    this.names = new NameManager(fn.reservedNames);
    for (const name of fn.reservedNames) this.names.claim(name);
    this.temporaries = new Set(fn.temporaries);
    for (const p of fn.params) this.types.set(p.name, p.type);
    forEachStmt(fn.body, (s) => {
      if (s.kind === "let") this.types.set(s.name, s.type);
    });
    this.findHoistable();
    this.findTangents();
    this.findLaneStacks();
    this.countMentions(fn.body);
    this.lanes = this.names.fresh("lanes");
    this.lane = this.names.fresh("lane");
  }

  run(name: string): Function {
    const fn = this.fn;
    const tangentParams = new Set(this.info.params);
    const rename = new Map<string, string>();
    const prologue: Stmt[] = [];
    let params: Param[];
    if (this.exported) {
      // `tangent` (one record) becomes `tangents` (one record per direction).
      const given = this.info.params[0]!;
      const tangents = this.names.isClaimed("tangents") ? this.names.fresh("tangents") : this.names.claim("tangents");
      rename.set(given, tangents);
      this.tangent.add(tangents);
      this.types.set(tangents, this.lanesOf(this.types.get(given)!));
      params = fn.params.map((p) => (p.name === given ? { name: tangents, type: this.types.get(tangents)! } : p));
      prologue.push({ kind: "let", name: this.lanes, type: NUMBER, init: { kind: "length", object: ref(tangents) }, mutable: false });
    } else {
      params = [...fn.params.map((p) => (tangentParams.has(p.name) ? { ...p, type: this.lanesOf(p.type) } : p)), { name: this.lanes, type: NUMBER }];
      for (const p of params) this.types.set(p.name, p.type);
      // A callee that reassigns a tangent parameter writes into its own lanes, not the caller's.
      const assigned = new Set<string>();
      forEachStmt(fn.body, (s) => s.kind === "assign" && assigned.add(s.name));
      for (const p of fn.params) {
        if (tangentParams.has(p.name) && assigned.has(p.name)) prologue.push({ kind: "assign", name: p.name, value: { kind: "copy", source: ref(p.name), type: this.lanesOf(p.type) } });
      }
    }
    const body = this.block(rename.size > 0 ? renameStmts(fn.body, { variables: rename, labels: new Map() }) : fn.body);
    return {
      name,
      sourceName: fn.sourceName,
      params,
      returnType: this.info.returnsPair ? this.pairType(fn.returnType) : fn.returnType,
      body: [...prologue, ...this.hoisted, ...body],
      exported: this.exported,
      loc: fn.loc,
      reservedNames: this.names.all(),
      temporaries: this.temporaries,
    };
  }

  // ── what holds tangents ───────────────────────────────────────────────

  private findTangents(): void {
    for (const name of [...this.info.seeds, ...this.info.params]) this.tangent.add(name);
    // What is computed from a tangent is a tangent (a pair's `value` is not; calls make pairs or primal values).
    for (let changed = true; changed; ) {
      changed = false;
      forEachStmt(this.fn.body, (s) => {
        if (s.kind !== "let" && s.kind !== "assign") return;
        const e = s.kind === "let" ? s.init : s.value;
        if (!e || this.tangent.has(s.name) || this.info.pairs.has(s.name) || e.kind === "call") return;
        const fromPair = e.kind === "field" && e.object.kind === "var" && this.info.pairs.has(e.object.name) && e.name === "tangent";
        if (fromPair || exprOperands(e).some((o) => o.kind === "var" && this.tangent.has(o.name))) {
          this.tangent.add(s.name);
          changed = true;
        }
      });
    }
  }

  /**
   * A name declared in sibling blocks (the forward and backward sweeps both recompute `t4`) is
   * never live twice at once: its declarations can share one container, if they agree on its type.
   */
  private findHoistable(): void {
    const types = new Map<string, string>();
    const clash = new Set<string>();
    const walk = (block: Stmt[], inScope: ReadonlySet<string>) => {
      const scope = new Set(inScope);
      for (const s of block) {
        if (s.kind === "let") {
          const type = JSON.stringify(s.type);
          if (scope.has(s.name) || (types.has(s.name) && types.get(s.name) !== type)) clash.add(s.name);
          types.set(s.name, type);
          scope.add(s.name);
        }
        if (s.kind === "if") {
          walk(s.then, scope);
          walk(s.else, scope);
        } else if (s.kind === "block") walk(s.body, scope);
        else if (s.kind === "loop") {
          // `init` declares into the loop's scope, which the test, body and update see.
          const loopScope = new Set(scope);
          walk(s.init, loopScope);
          for (const st of s.init) if (st.kind === "let") loopScope.add(st.name);
          if (s.test) walk(s.test.prelude, loopScope);
          walk(s.body, loopScope);
          walk(s.update, loopScope);
        }
      }
    };
    walk(this.fn.body, new Set(this.fn.params.map((p) => p.name)));
    for (const name of types.keys()) if (!clash.has(name)) this.hoistable.add(name);
  }

  private findLaneStacks(): void {
    const candidates = new Map<string, Stmt>();
    for (const st of this.fn.body) {
      if (st.kind === "let" && this.tangent.has(st.name) && st.type.kind === "array" && st.type.element.kind === "number" && st.init?.kind === "arrayLiteral" && st.init.elements.length === 0) candidates.set(st.name, st);
    }
    const declared = new Map<string, number>();
    const misused = new Set<string>();
    forEachStmt(this.fn.body, (st) => {
      if (st.kind === "let") declared.set(st.name, (declared.get(st.name) ?? 0) + 1);
      if (st.kind === "assign") misused.add(st.name);
      const value = st.kind === "let" ? st.init : st.kind === "assign" ? st.value : undefined;
      // Mentions other than as the object of a push, pop or drop rule a tape out.
      const allowed = (st.kind === "push" || st.kind === "drop" ? [st.object] : []).concat(value?.kind === "pop" ? [value.object] : []);
      const operands = [...directOperands(st), ...(value ? exprOperands(value) : [])];
      for (const o of operands) if (o.kind === "var" && candidates.has(o.name) && !allowed.includes(o)) misused.add(o.name);
      if (st.kind === "push") for (const v of st.values) if (v.kind === "var" && candidates.has(v.name)) misused.add(v.name);
      // One value per push: a pop takes back one push's lanes.
      if (st.kind === "push" && st.values.length !== 1 && st.object.kind === "var") misused.add(st.object.name);
    });
    for (const name of candidates.keys()) {
      if (misused.has(name) || declared.get(name) !== 1) continue;
      this.laneStacks.set(name, this.names.fresh(`${name}Top`));
    }
  }

  private stackOf(st: Stmt): string | undefined {
    const value = st.kind === "let" ? st.init : st.kind === "assign" ? st.value : undefined;
    const object = st.kind === "push" || st.kind === "drop" ? st.object : value?.kind === "pop" ? value.object : undefined;
    return object?.kind === "var" ? object.name : undefined;
  }

  /** The lane stack a statement pushes to or pops from, and which. */
  private stackUse(st: Stmt): "push" | "pop" | undefined {
    if (st.kind === "push" && st.object.kind === "var" && this.laneStacks.has(st.object.name)) return "push";
    if (st.kind === "drop" && st.object.kind === "var" && this.laneStacks.has(st.object.name)) return "pop";
    const value = st.kind === "let" ? st.init : st.kind === "assign" ? st.value : undefined;
    if (value?.kind === "pop" && value.object.kind === "var" && this.laneStacks.has(value.object.name)) return "pop";
    return undefined;
  }

  private countMentions(body: Stmt[]): void {
    forEachStmt(body, (s) => {
      const mentioned = new Set<string>();
      if (s.kind === "let" || s.kind === "assign") mentioned.add(s.name);
      for (const o of directOperands(s)) if (o.kind === "var") mentioned.add(o.name);
      if (s.kind === "loop" && s.test?.cond.kind === "var") mentioned.add(s.test.cond.name);
      for (const name of mentioned) this.mentions.set(name, (this.mentions.get(name) ?? 0) + 1);
    });
  }

  private isTangentOperand(o: Operand): o is { kind: "var"; name: string } {
    return o.kind === "var" && this.tangent.has(o.name);
  }

  /** A statement that computes tangents and nothing else. */
  private isTangentStmt(s: Stmt): boolean {
    switch (s.kind) {
      case "let":
        return this.tangent.has(s.name) && s.init?.kind !== "call";
      case "assign":
        return this.tangent.has(s.name) && s.value.kind !== "call";
      case "setIndex":
      case "setField":
      case "push":
      case "fill":
      case "drop":
        return this.isTangentOperand(s.object);
      default:
        return false;
    }
  }

  private isLiftedCall(callee: string): boolean {
    return this.liftedNames.has(callee);
  }

  // ── types ─────────────────────────────────────────────────────────────

  private lanesOf(type: Type): Type {
    if (type.kind === "number") return this.numberLanes === "Float64Array" ? { kind: "array", element: NUMBER, typed: "Float64Array" } : { kind: "array", element: NUMBER };
    return { kind: "array", element: type };
  }

  private pairType(returnType: Type): Type {
    const fields = (returnType as Extract<Type, { kind: "record" }>).fields;
    const value = fields.find((f) => f.name === "value")!.type;
    const tangent = fields.find((f) => f.name === "tangent")!.type;
    return { kind: "record", fields: [{ name: "value", type: value }, { name: this.exported ? "tangents" : "tangent", type: this.lanesOf(tangent) }] };
  }

  private newLanes(type: Type): Expr {
    const lanes = this.lanesOf(type);
    return { kind: "newArray", length: ref(this.lanes), type: lanes, fill: type.kind === "number" && this.numberLanes === "array" ? num(0) : undefined };
  }

  private temp(out: Stmt[], init: Expr, type: Type, base = "t"): Operand {
    const name = this.names.fresh(base, true);
    this.temporaries.add(name);
    this.types.set(name, type);
    out.push({ kind: "let", name, type, init, mutable: false });
    return ref(name);
  }

  // ── blocks: tangent statements gathered into lane loops ───────────────

  private block(stmts: Stmt[]): Stmt[] {
    const out: Stmt[] = [];
    let pending: Stmt[] = [];
    const flush = () => {
      if (pending.length > 0) out.push(...this.laneLoop(pending));
      pending = [];
    };
    for (const s of stmts) {
      if (this.isTangentStmt(s)) {
        // A lane stack holds each push's lanes together, and gives them back in the opposite lane
        // order: a run pushes or pops (not both), and each stack at most once.
        const use = this.stackUse(s);
        if (use && pending.some((p) => { const other = this.stackUse(p); return other !== undefined && (other !== use || this.stackOf(p) === this.stackOf(s)); })) flush();
        pending.push(s);
        continue;
      }
      if (!this.isLifted(s)) {
        // A primal statement: ahead of the pending tangent statements, unless it changes what they read.
        if (s.kind === "comment" || !this.interferes(s, pending)) out.push(s);
        else {
          flush();
          out.push(s);
        }
        continue;
      }
      // Control flow and calls see the tangents declared before them as lanes: flush first.
      flush();
      out.push(...this.liftOther(s)!);
    }
    flush();
    return out;
  }

  /** Whether primal statement `s` may change a value the pending tangent statements read. */
  private interferes(s: Stmt, pending: Stmt[]): boolean {
    if (pending.length === 0) return false;
    if (s.kind === "break" || s.kind === "continue" || s.kind === "return") return true;
    const reads = new Set<string>();
    for (const p of pending) for (const o of directOperands(p)) if (o.kind === "var") reads.add(o.name);
    if ((s.kind === "let" || s.kind === "assign") && reads.has(s.name)) return true;
    const value = s.kind === "let" ? s.init : s.kind === "assign" ? s.value : undefined;
    const mutates = s.kind === "setIndex" || s.kind === "setField" || s.kind === "push" || s.kind === "fill" || s.kind === "drop" || s.kind === "callStmt" || value?.kind === "call" || value?.kind === "pop";
    return mutates && [...reads].some((name) => !this.tangent.has(name) && isReference(this.types.get(name) ?? NUMBER));
  }

  /** Whether `liftOther` rewrites `s` (control flow, calls of tangent functions, returned records). */
  private isLifted(s: Stmt): boolean {
    if (s.kind === "if" || s.kind === "loop" || s.kind === "block") return true;
    if (s.kind === "callStmt") return this.isLiftedCall(s.callee);
    if (s.kind !== "let" && s.kind !== "assign") return false;
    const e = s.kind === "let" ? s.init : s.value;
    return (e?.kind === "call" && this.isLiftedCall(e.callee)) || (s.kind === "let" && this.info.pairs.has(s.name) && e?.kind === "recordLiteral");
  }

  /** Control flow, calls of tangent functions and `{ value, tangent }` records; undefined for a primal statement. */
  private liftOther(s: Stmt): Stmt[] | undefined {
    switch (s.kind) {
      case "if":
      case "loop":
      case "block":
        return [mapNestedBlocks(s, (b) => this.block(b))];
      case "callStmt":
        if (!this.isLiftedCall(s.callee)) return undefined;
        return this.withPrelude((pre) => ({ ...s, callee: this.liftedNames.get(s.callee)!, args: this.callArgs(s.callee, s.args, pre) }));
      case "let":
      case "assign": {
        const e = s.kind === "let" ? s.init : s.value;
        if (e?.kind === "call" && this.isLiftedCall(e.callee)) {
          return this.withPrelude((pre) => {
            const call: Expr = { ...e, callee: this.liftedNames.get(e.callee)!, args: this.callArgs(e.callee, e.args, pre) };
            if (s.kind === "assign") return { ...s, value: call };
            const type = this.info.pairs.has(s.name) ? this.calleePairType(e.callee, s.type) : s.type;
            this.types.set(s.name, type);
            return { ...s, type, init: call };
          });
        }
        if (s.kind === "let" && this.info.pairs.has(s.name) && e?.kind === "recordLiteral") {
          // What the function returns: `{ value, tangent }` with the tangent's lanes.
          return this.withPrelude((pre) => {
            const type = this.pairType(this.fn.returnType);
            const tangentType = (e.type as Extract<Type, { kind: "record" }>).fields.find((f) => f.name === "tangent")!.type;
            const fields = e.fields.map((f) => (f.name === "tangent" ? { name: this.exported ? "tangents" : "tangent", value: this.lanesOperand(f.value, tangentType, pre) } : f));
            return { ...s, type, init: { kind: "recordLiteral", fields, type } };
          });
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private withPrelude(build: (pre: Stmt[]) => Stmt): Stmt[] {
    const pre: Stmt[] = [];
    const stmt = build(pre);
    return [...pre, stmt];
  }

  /** A tangent where lanes are passed: a lane container, or zeros for a literal 0. */
  private lanesOperand(o: Operand, type: Type, pre: Stmt[]): Operand {
    if (this.isTangentOperand(o)) return o;
    return this.temp(pre, this.newLanes(type), this.lanesOf(type), "zeros");
  }

  private callArgs(callee: string, args: Operand[], pre: Stmt[]): Operand[] {
    const fn = this.functions.get(callee)!;
    const tangentParams = new Set(this.allTangents.get(callee)!.params);
    return [...args.map((a, i) => (tangentParams.has(fn.params[i]!.name) ? this.lanesOperand(a, fn.params[i]!.type, pre) : a)), ref(this.lanes)];
  }

  private calleePairType(callee: string, type: Type): Type {
    const fields = (type as Extract<Type, { kind: "record" }>).fields;
    void callee;
    return { kind: "record", fields: fields.map((f) => (f.name === "tangent" ? { name: "tangent", type: this.lanesOf(f.type) } : f)) };
  }

  /** `for (let lane = 0; lane < lanes; lane++) { … }` over a run of tangent statements. */
  private laneLoop(run: Stmt[]): Stmt[] {
    // A number tangent every mention of which is in this run is a plain number inside the loop.
    const inRun = new Map<string, number>();
    for (const s of run) {
      const mentioned = new Set<string>();
      if (s.kind === "let" || s.kind === "assign") mentioned.add(s.name);
      for (const o of directOperands(s)) if (o.kind === "var") mentioned.add(o.name);
      for (const name of mentioned) inRun.set(name, (inRun.get(name) ?? 0) + 1);
    }
    const local = new Set<string>();
    for (const s of run) {
      if (s.kind === "let" && s.type.kind === "number" && inRun.get(s.name) === this.mentions.get(s.name)) local.add(s.name);
    }
    const before: Stmt[] = [];
    const body: Stmt[] = [];
    const laneRead = (o: Operand): Operand => {
      if (!this.isTangentOperand(o) || local.has(o.name) || this.laneStacks.has(o.name)) return o;
      return this.temp(body, { kind: "index", object: o, index: ref(this.lane) }, this.elementOf(o.name));
    };
    const laneExpr = (e: Expr): Expr => {
      if (e.kind === "field" && e.object.kind === "var" && this.info.pairs.has(e.object.name) && e.name === "tangent") {
        const lanes = this.temp(body, e, this.tangentFieldType(e.object.name), "lanes");
        return { kind: "index", object: lanes, index: ref(this.lane) };
      }
      const renaming = new Map<string, string>();
      for (const o of exprOperands(e)) {
        if (o.kind !== "var" || renaming.has(o.name)) continue;
        const read = laneRead(o);
        if (read !== o) renaming.set(o.name, (read as { name: string }).name);
      }
      return renaming.size === 0 ? e : renameExpr(e, { variables: renaming, labels: new Map() });
    };
    for (const s of run) {
      switch (s.kind) {
        case "let":
        case "assign": {
          const e = s.kind === "let" ? s.init : s.value;
          // One lane of the variable: its declared type, or the element type of its lanes.
          const type = s.kind === "let" ? s.type : local.has(s.name) ? NUMBER : this.elementOf(s.name);
          if (local.has(s.name)) {
            body.push(s.kind === "let" ? { ...s, init: e && laneExpr(e) } : { ...s, value: laneExpr(e!) });
            break;
          }
          if (s.kind === "let" && this.laneStacks.has(s.name)) {
            // `let dtape = new Float64Array(256); let dtapeTop = 0;`, grown as it fills.
            const stack: Type = { kind: "array", element: NUMBER, stack: this.laneStacks.get(s.name)! };
            this.types.set(s.name, stack);
            this.hoisted.push({ kind: "let", name: s.name, type: stack, init: { kind: "arrayLiteral", elements: [], type: stack }, mutable: true, loc: s.loc });
            break;
          }
          if (s.kind === "let") {
            this.types.set(s.name, this.lanesOf(type));
            // Every lane is written where the variable is declared, and nothing else holds its
            // container: one container serves every time the declaration runs (allocating
            // one per loop iteration costs more than the arithmetic).
            const declaration: Stmt = { kind: "let", name: s.name, type: this.lanesOf(type), init: this.newLanes(type), mutable: false, loc: s.loc };
            if (!this.hoistable.has(s.name)) before.push(declaration);
            else if (!this.hoisted.some((h) => h.kind === "let" && h.name === s.name)) this.hoisted.push(declaration);
          }
          if (!e) break;
          const value = this.temp(body, laneExpr(e), type);
          body.push({ kind: "setIndex", object: ref(s.name), index: ref(this.lane), value, loc: s.loc });
          break;
        }
        case "setIndex":
          body.push({ ...s, object: laneRead(s.object), index: s.index, value: laneRead(s.value) });
          break;
        case "setField":
        case "fill":
          body.push({ ...s, object: laneRead(s.object), value: laneRead(s.value) });
          break;
        case "push":
          body.push({ ...s, object: laneRead(s.object), values: s.values.map(laneRead) });
          break;
        case "drop":
          body.push({ ...s, object: laneRead(s.object) });
          break;
        default:
          throw new Error(`not a tangent statement: ${s.kind}`);
      }
    }
    const more = this.names.fresh("more", true);
    this.temporaries.add(more);
    // Popping lane stacks: the last lane pushed comes back first.
    const down = run.some((st) => this.stackUse(st) === "pop");
    const first: Expr = down ? { kind: "binary", op: "-", left: ref(this.lanes), right: num(1) } : { kind: "operand", value: num(0) };
    const loop: Stmt = {
      kind: "loop",
      init: [{ kind: "let", name: this.lane, type: NUMBER, init: first, mutable: true }],
      test: { prelude: [{ kind: "let", name: more, type: BOOLEAN, init: down ? { kind: "binary", op: ">=", left: ref(this.lane), right: num(0) } : { kind: "binary", op: "<", left: ref(this.lane), right: ref(this.lanes) }, mutable: false }], cond: ref(more) },
      update: [{ kind: "assign", name: this.lane, value: { kind: "binary", op: down ? "-" : "+", left: ref(this.lane), right: num(1) } }],
      body,
      bodyFirst: false,
      loc: run[0]!.loc,
    };
    return [...before, loop];
  }

  /** The type of one lane of a lane container (lifted before it is read: parameters in `run`, variables where declared). */
  private elementOf(name: string): Type {
    return (this.types.get(name) as Extract<Type, { kind: "array" }>).element;
  }

  /** The lanes type of a (lifted) pair's `tangent`. */
  private tangentFieldType(pair: string): Type {
    const type = this.types.get(pair)! as Extract<Type, { kind: "record" }>;
    return type.fields.find((f) => f.name === "tangent")!.type;
  }
}
