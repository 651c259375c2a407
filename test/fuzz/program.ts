/**
 * The random programs' syntax tree and its printer. Every node the generator builds is valid in
 * tsad's supported language by construction: divisions, logarithms, square roots, `exp` and
 * powers are single nodes (`guard`) whose printed form keeps the operation inside its domain, so
 * the shrinker can replace their operands freely without leaving the domain; array indices are
 * their own small language (`Idx`) that only prints in-bounds indices.
 */

export type Ty = "num" | "arr" | "obj" | "bool" | "mat";

/** An array place: a variable (`x`), an object's array field (`o.v`) or a matrix row (`m[i]`). */
export interface ArrRef {
  name: string;
  field?: "v";
  row?: Idx;
}

/** In-bounds index expressions (integers; no derivative). */
export type Idx =
  | { k: "ilit"; v: number }
  /** A loop counter. */
  | { k: "iref"; name: string }
  /** `(i + add) % a.length` */
  | { k: "imod"; name: string; add: number; arr: ArrRef }
  /** `a.length - 1` */
  | { k: "ilast"; arr: ArrRef }
  /** `a.length - 1 - i` (i counts over `a`) */
  | { k: "irev"; name: string; arr: ArrRef };

export type Guard =
  /** l / (1 + r * r) */
  | "div1"
  /** l / (2 + Math.cos(r)) */
  | "div2"
  /** Math.exp(Math.sin(a)) */
  | "expSin"
  /** Math.exp(-(a * a)) */
  | "expGauss"
  /** Math.exp(Math.tanh(a) * 2) */
  | "expTanh"
  /** Math.log(1 + a * a) */
  | "log1"
  /** Math.log1p(Math.exp(a)) with a squashed: Math.log1p(Math.exp(Math.tanh(a) * 3)) */
  | "softplus"
  /** Math.sqrt(1 + a * a) */
  | "sqrt1"
  /** Math.sqrt(Math.abs(a) + 0.25) */
  | "sqrtAbs"
  /** (1.5 + Math.sin(a)) ** (Math.tanh(b) * 2) */
  | "powActive"
  /** Math.sinh(Math.tanh(a)) */
  | "sinhT"
  /** Math.cosh(Math.sin(a)) */
  | "coshS"
  /** Math.expm1(Math.cos(a)) */
  | "expm1C"
  /** Math.log2(2 + Math.sin(a)) */
  | "log2S"
  /** Math.asin(Math.tanh(a) * 0.9) */
  | "asinT"
  /** Math.acos(Math.sin(a) * 0.9) */
  | "acosS"
  /** Math.atan2(a, 2 + Math.cos(b)) */
  | "atan2";

export const GUARD_ARITY: Record<Guard, number> = {
  div1: 2,
  div2: 2,
  expSin: 1,
  expGauss: 1,
  expTanh: 1,
  log1: 1,
  softplus: 1,
  sqrt1: 1,
  sqrtAbs: 1,
  powActive: 2,
  sinhT: 1,
  coshS: 1,
  expm1C: 1,
  log2S: 1,
  asinT: 1,
  acosS: 1,
  atan2: 2,
};

/** Math functions defined everywhere (some with kinks: abs, max, min, hypot, floor, sign). */
export type MathFn = "sin" | "cos" | "tanh" | "atan" | "abs" | "max" | "min" | "hypot" | "cbrt" | "floor" | "sign" | "round" | "asinh";

export type Num =
  | { k: "lit"; v: number }
  | { k: "ref"; name: string }
  | { k: "elem"; arr: ArrRef; idx: Idx }
  | { k: "field"; obj: string }
  | { k: "bin"; op: "+" | "-" | "*"; l: Num; r: Num }
  | { k: "neg"; e: Num }
  | { k: "math"; fn: MathFn; args: Num[] }
  | { k: "guard"; g: Guard; args: Num[] }
  | { k: "powi"; e: Num; n: 2 | 3 }
  | { k: "mod"; e: Num; m: number }
  | { k: "cond"; c: Bool; t: Num; f: Num }
  | { k: "call"; fn: string; args: Arg[] }
  /** Helper call returning an object, read at `.a`. */
  | { k: "ocallA"; fn: string; args: Arg[] }
  /** Helper call returning an array, read at an index. */
  | { k: "acallI"; fn: string; args: Arg[]; i: number }
  | { k: "len"; arr: ArrRef }
  /** `arr.reduce((acc, el, j) => body, init)` */
  | { k: "reduce"; arr: ArrRef; acc: string; el: string; idx: string; body: Num; init: Num }
  /** `Math.max(...arr, extra)` */
  | { k: "spreadMath"; fn: "max" | "min" | "hypot"; arr: ArrRef; extra: Num | null }
  /** `arr.at(-back)!` */
  | { k: "at"; arr: ArrRef; back: number }
  /** `arr.findIndex((el) => c)` (an integer, no derivative) */
  | { k: "findIdx"; arr: ArrRef; el: string; c: Bool }
  /** `arr.indexOf(v)` (an integer, no derivative) */
  | { k: "indexOf"; arr: ArrRef; v: Num }
  /** `arr.find((el) => c) ?? fallback` */
  | { k: "find"; arr: ArrRef; el: string; c: Bool; fallback: Num }
  /** `f(arg)` of a local arrow `const f = (p: number) => …` */
  | { k: "lcall"; fn: string; arg: Num }
  /** `new Pt(a, b).prod` or `new Pt(a, b).scaled(by)` (the class in PT_CLASS) */
  | { k: "pt"; a: Num; b: Num; by: Num | null }
  /** `rsum(x, n)` or `rsq(arr, 0)`: the recursive functions in RECURSIVE */
  | { k: "rec"; x: Num; n: number }
  | { k: "recArr"; arr: ArrRef }
  /** `scaleBy(x, k?, shift?)`: optional and default parameters (OPTIONAL) */
  | { k: "opt"; x: Num; by: Num | null; shift: Num | null };

export type Bool =
  | { k: "cmp"; op: "<" | ">" | "<=" | ">="; l: Num; r: Num }
  | { k: "and" | "or"; l: Bool; r: Bool }
  | { k: "not"; e: Bool }
  | { k: "bref"; name: string }
  /** Only the shrinker makes these. */
  | { k: "blit"; v: boolean }
  /** `arr.some((el) => c)`, `arr.every((el) => c)` */
  | { k: "some" | "every"; arr: ArrRef; el: string; c: Bool }
  /** `arr.includes(v)` */
  | { k: "includes"; arr: ArrRef; v: Num }
  /** `Number.isFinite(v)` */
  | { k: "finite"; v: Num };

export type Arr =
  /** An existing array passed by reference (only as a call argument or an alias). */
  | { k: "aref"; arr: ArrRef }
  | { k: "alit"; elems: Num[] }
  | { k: "fill"; n: number; v: Num }
  | { k: "copy"; arr: ArrRef; how: "spread" | "slice" | "from" }
  | { k: "spreadPre"; arr: ArrRef; pre: Num }
  | { k: "map"; arr: ArrRef; el: string; idx: string; body: Num }
  | { k: "fromLen"; n: number; idx: string; body: Num }
  | { k: "acall"; fn: string; args: Arg[] }
  | { k: "empty" }
  /** `arr.filter((el) => c)` (no known length) */
  | { k: "filter"; arr: ArrRef; el: string; c: Bool }
  /** `arr.concat(other)` */
  | { k: "concat"; arr: ArrRef; other: ArrRef }
  /** `[...arr].sort((p, q) => p - q)` (or `q - p`) */
  | { k: "sorted"; arr: ArrRef; p: string; q: string; desc: boolean }
  /** `[...arr].reverse()` */
  | { k: "reversed"; arr: ArrRef };

export type Obj =
  | { k: "oref"; name: string }
  | { k: "olit"; a: Num; v: Arr }
  | { k: "ospread"; obj: string; a: Num }
  | { k: "ocall"; fn: string; args: Arg[] };

/** `number[][]` values (rectangular). */
export type Mat =
  | { k: "mref"; name: string }
  | { k: "mlit"; rows: Num[][] }
  /** `Array.from({ length: n }, () => new Array<number>(m).fill(v))` */
  | { k: "mfill"; n: number; m: number; v: Num }
  /** `M.map((el) => [...el])` */
  | { k: "mcopy"; name: string; el: string };

export type Arg = { t: "num"; e: Num } | { t: "arr"; e: Arr } | { t: "obj"; e: Obj } | { t: "bool"; e: Bool } | { t: "mat"; e: Mat };

export type LVal = { k: "lvar"; name: string } | { k: "lelem"; arr: ArrRef; idx: Idx } | { k: "lfield"; obj: string };

export type Stmt =
  | { k: "decl"; name: string; mut: boolean; init: Num }
  | { k: "adecl"; name: string; init: Arr }
  | { k: "odecl"; name: string; init: Obj }
  | { k: "mdecl"; name: string; init: Mat }
  /** `const { a: n1, v: n2 } = o;` */
  | { k: "odestr"; obj: string; a: string; v: string }
  /** `const [n1, n2] = arr;` */
  | { k: "adestr"; arr: ArrRef; names: string[] }
  | { k: "assign"; target: LVal; op: "=" | "+=" | "-=" | "*="; value: Num }
  /** `target /= 1 + value * value` */
  | { k: "divassign"; target: LVal; value: Num }
  | { k: "incr"; target: LVal; op: "++" | "--" }
  | { k: "push"; arr: string; values: Num[] }
  | { k: "if"; c: Bool; then: Stmt[]; else: Stmt[] | null }
  /** `for (let v = 0; v < arr.length; v++)` or `v < n` */
  | { k: "for"; v: string; arr: ArrRef | null; n: number; body: Stmt[]; label?: string; checkpoint?: number }
  | { k: "forof"; v: string; arr: ArrRef; body: Stmt[]; checkpoint?: number }
  /** `let counter = 0; while (c && counter < max) { counter++; ... }` (or do … while) */
  | { k: "while"; counter: string; c: Bool; max: number; body: Stmt[]; doWhile: boolean; checkpoint?: number }
  | { k: "forEach"; arr: ArrRef; el: string; idx: string; body: Stmt[] }
  /** `switch (sel % m) { case 0: …; break; … default: … }` */
  | { k: "switch"; sel: string; m: number; cases: Stmt[][] }
  | { k: "break"; label?: string }
  | { k: "continue"; label?: string }
  | { k: "return"; value: Arg }
  | { k: "block"; body: Stmt[] }
  /** `for (const [i, v] of arr.entries())` */
  | { k: "forEntries"; i: string; v: string; arr: ArrRef; body: Stmt[] }
  /** `const name = (param: number) => body;` */
  | { k: "larrow"; name: string; param: string; body: Num }
  /** `name ||= value`, `name &&= value` */
  | { k: "logassign"; name: string; op: "||=" | "&&="; value: Num }
  /** `console.assert(value >= -Infinity, …)` (silent unless NaN) or `debugger` */
  | { k: "trace"; value: Num | null };

export interface Param {
  name: string;
  t: Ty;
}

export interface Fn {
  name: string;
  params: Param[];
  ret: Ty;
  body: Stmt[];
  exported: boolean;
  /** Written `const name = (…): R => { … };` */
  arrow?: boolean;
  /** Writes into its array or object parameters, itself or through a callee (generator bookkeeping). */
  writesParams?: boolean;
}

/** A module-level constant (nothing writes into it). */
export interface Const {
  name: string;
  value: number | number[];
}

export interface Program {
  consts?: Const[];
  fns: Fn[];
  /** Sample arguments of the entry function (the last of `fns`), as JSON-able values. */
  args: unknown[];
  /** The parameters to differentiate with respect to (`--wrt`); all differentiable ones when absent. */
  wrt?: string[];
}

// ---------------------------------------------------------------------------------------------
// Printing

const TYPE_TEXT: Record<Ty, string> = { num: "number", arr: "number[]", obj: "Obj", bool: "boolean", mat: "number[][]" };

function lit(v: number): string {
  return String(v);
}

export function arrRef(a: ArrRef): string {
  return a.field ? `${a.name}.${a.field}` : a.row ? `${a.name}[${printIdx(a.row)}]` : a.name;
}

export function printIdx(i: Idx): string {
  switch (i.k) {
    case "ilit":
      return String(i.v);
    case "iref":
      return i.name;
    case "imod":
      return `(${i.name} + ${i.add}) % ${arrRef(i.arr)}.length`;
    case "ilast":
      return `${arrRef(i.arr)}.length - 1`;
    case "irev":
      return `${arrRef(i.arr)}.length - 1 - ${i.name}`;
  }
}


export function printGuard(g: Guard, a: string[], w: string[]): string {
  const [x, y] = a as [string, string];
  const [wx, wy] = w as [string, string];
  switch (g) {
    case "div1":
      return `${wx} / (1 + ${wy} * ${wy})`;
    case "div2":
      return `${wx} / (2 + Math.cos(${y}))`;
    case "expSin":
      return `Math.exp(Math.sin(${x}))`;
    case "expGauss":
      return `Math.exp(-(${wx} * ${wx}))`;
    case "expTanh":
      return `Math.exp(Math.tanh(${x}) * 2)`;
    case "log1":
      return `Math.log(1 + ${wx} * ${wx})`;
    case "softplus":
      return `Math.log1p(Math.exp(Math.tanh(${x}) * 3))`;
    case "sqrt1":
      return `Math.sqrt(1 + ${wx} * ${wx})`;
    case "sqrtAbs":
      return `Math.sqrt(Math.abs(${x}) + 0.25)`;
    case "powActive":
      return `(1.5 + Math.sin(${x})) ** (Math.tanh(${y}) * 2)`;
    case "sinhT":
      return `Math.sinh(Math.tanh(${x}))`;
    case "coshS":
      return `Math.cosh(Math.sin(${x}))`;
    case "expm1C":
      return `Math.expm1(Math.cos(${x}))`;
    case "log2S":
      return `Math.log2(2 + Math.sin(${x}))`;
    case "asinT":
      return `Math.asin(Math.tanh(${x}) * 0.9)`;
    case "acosS":
      return `Math.acos(Math.sin(${x}) * 0.9)`;
    case "atan2":
      return `Math.atan2(${x}, 2 + Math.cos(${y}))`;
  }
}

function paren(s: string): string {
  return `(${s})`;
}

const ATOMS = new Set<Num["k"]>(["ref", "elem", "field", "math", "call", "ocallA", "acallI", "len", "reduce", "spreadMath", "at", "findIdx", "indexOf", "find", "lcall", "pt", "rec", "recArr", "opt"]);

/** An operand: parenthesized unless it is an atom. */
function wrap(e: Num): string {
  return ATOMS.has(e.k) || (e.k === "lit" && e.v >= 0) ? printNum(e) : paren(printNum(e));
}

export function printNum(e: Num): string {
  switch (e.k) {
    case "lit":
      return lit(e.v);
    case "ref":
      return e.name;
    case "elem":
      return `${arrRef(e.arr)}[${printIdx(e.idx)}]`;
    case "field":
      return `${e.obj}.a`;
    case "bin":
      return `${wrap(e.l)} ${e.op} ${wrap(e.r)}`;
    case "neg":
      return `-${wrap(e.e)}`;
    case "math":
      return `Math.${e.fn}(${e.args.map(printNum).join(", ")})`;
    case "guard":
      return printGuard(e.g, e.args.map(printNum), e.args.map(wrap));
    case "powi":
      return `${wrap(e.e)} ** ${e.n}`;
    case "mod":
      return `${wrap(e.e)} % ${e.m}`;
    case "cond":
      return `${printBool(e.c)} ? ${wrap(e.t)} : ${wrap(e.f)}`;
    case "call":
      return `${e.fn}(${e.args.map(printArg).join(", ")})`;
    case "ocallA":
      return `${e.fn}(${e.args.map(printArg).join(", ")}).a`;
    case "acallI":
      return `${e.fn}(${e.args.map(printArg).join(", ")})[${e.i}]`;
    case "len":
      return `${arrRef(e.arr)}.length`;
    case "reduce":
      return `${arrRef(e.arr)}.reduce((${e.acc}, ${e.el}, ${e.idx}) => ${printNum(e.body)}, ${printNum(e.init)})`;
    case "spreadMath":
      return `Math.${e.fn}(...${arrRef(e.arr)}${e.extra ? `, ${printNum(e.extra)}` : ""})`;
    case "at":
      return `${arrRef(e.arr)}.at(-${e.back})!`;
    case "findIdx":
      return `${arrRef(e.arr)}.findIndex((${e.el}) => ${printBool(e.c)})`;
    case "indexOf":
      return `${arrRef(e.arr)}.indexOf(${printNum(e.v)})`;
    case "find":
      return `(${arrRef(e.arr)}.find((${e.el}) => ${printBool(e.c)}) ?? ${wrap(e.fallback)})`;
    case "lcall":
      return `${e.fn}(${printNum(e.arg)})`;
    case "pt":
      return `new Pt(${printNum(e.a)}, ${printNum(e.b)})${e.by ? `.scaled(${printNum(e.by)})` : ".prod"}`;
    case "rec":
      return `rsum(${printNum(e.x)}, ${e.n})`;
    case "recArr":
      return `rsq(${arrRef(e.arr)}, 0)`;
    case "opt":
      return `scaleBy(${[e.x, ...(e.by || e.shift ? [e.by] : []), ...(e.shift ? [e.shift] : [])].map((a) => (a ? printNum(a) : "undefined")).join(", ")})`;
  }
}

export function printBool(b: Bool): string {
  switch (b.k) {
    case "cmp":
      // `a < (b > (c) ? …` parses as a call with type arguments in TypeScript: print `<` flipped.
      if (b.op === "<" || b.op === "<=") return `${wrap(b.r)} ${b.op === "<" ? ">" : ">="} ${wrap(b.l)}`;
      return `${wrap(b.l)} ${b.op} ${wrap(b.r)}`;
    case "and":
      return `${paren(printBool(b.l))} && ${paren(printBool(b.r))}`;
    case "or":
      return `${paren(printBool(b.l))} || ${paren(printBool(b.r))}`;
    case "not":
      return `!${paren(printBool(b.e))}`;
    case "bref":
      return b.name;
    case "blit":
      return String(b.v);
    case "some":
    case "every":
      return `${arrRef(b.arr)}.${b.k}((${b.el}) => ${printBool(b.c)})`;
    case "includes":
      return `${arrRef(b.arr)}.includes(${printNum(b.v)})`;
    case "finite":
      return `Number.isFinite(${printNum(b.v)})`;
  }
}

export function printArr(a: Arr): string {
  switch (a.k) {
    case "aref":
      return arrRef(a.arr);
    case "alit":
      return `[${a.elems.map(printNum).join(", ")}]`;
    case "fill":
      return `new Array<number>(${a.n}).fill(${printNum(a.v)})`;
    case "copy":
      return a.how === "spread" ? `[...${arrRef(a.arr)}]` : a.how === "slice" ? `${arrRef(a.arr)}.slice()` : `Array.from(${arrRef(a.arr)})`;
    case "spreadPre":
      return `[${printNum(a.pre)}, ...${arrRef(a.arr)}]`;
    case "map":
      return `${arrRef(a.arr)}.map((${a.el}, ${a.idx}) => ${printNum(a.body)})`;
    case "fromLen":
      return `Array.from({ length: ${a.n} }, (_, ${a.idx}) => ${printNum(a.body)})`;
    case "acall":
      return `${a.fn}(${a.args.map(printArg).join(", ")})`;
    case "empty":
      return "[]";
    case "filter":
      return `${arrRef(a.arr)}.filter((${a.el}) => ${printBool(a.c)})`;
    case "concat":
      return `${arrRef(a.arr)}.concat(${arrRef(a.other)})`;
    case "sorted":
      return `[...${arrRef(a.arr)}].sort((${a.p}, ${a.q}) => ${a.desc ? `${a.q} - ${a.p}` : `${a.p} - ${a.q}`})`;
    case "reversed":
      return `[...${arrRef(a.arr)}].reverse()`;
  }
}

export function printObj(o: Obj): string {
  switch (o.k) {
    case "oref":
      return o.name;
    case "olit":
      return `{ a: ${printNum(o.a)}, v: ${printArr(o.v)} }`;
    case "ospread":
      return `{ ...${o.obj}, a: ${printNum(o.a)} }`;
    case "ocall":
      return `${o.fn}(${o.args.map(printArg).join(", ")})`;
  }
}

export function printMat(m: Mat): string {
  switch (m.k) {
    case "mref":
      return m.name;
    case "mlit":
      return `[${m.rows.map((r) => `[${r.map(printNum).join(", ")}]`).join(", ")}]`;
    case "mfill":
      return `Array.from({ length: ${m.n} }, () => new Array<number>(${m.m}).fill(${printNum(m.v)}))`;
    case "mcopy":
      return `${m.name}.map((${m.el}) => [...${m.el}])`;
  }
}

export function printArg(a: Arg): string {
  switch (a.t) {
    case "mat":
      return printMat(a.e);
    case "num":
      return printNum(a.e);
    case "arr":
      return printArr(a.e);
    case "obj":
      return printObj(a.e);
    case "bool":
      return printBool(a.e);
  }
}

function printLVal(l: LVal): string {
  switch (l.k) {
    case "lvar":
      return l.name;
    case "lelem":
      return `${arrRef(l.arr)}[${printIdx(l.idx)}]`;
    case "lfield":
      return `${l.obj}.a`;
  }
}

function printStmts(stmts: Stmt[], indent: string, out: string[]): void {
  for (const s of stmts) printStmt(s, indent, out);
}

function printStmt(s: Stmt, ind: string, out: string[]): void {
  const inner = ind + "  ";
  switch (s.k) {
    case "decl":
      out.push(`${ind}${s.mut ? "let" : "const"} ${s.name} = ${printNum(s.init)};`);
      return;
    case "adecl":
      out.push(`${ind}const ${s.name}: number[] = ${printArr(s.init)};`);
      return;
    case "odecl":
      out.push(`${ind}const ${s.name}: Obj = ${printObj(s.init)};`);
      return;
    case "mdecl":
      out.push(`${ind}const ${s.name}: number[][] = ${printMat(s.init)};`);
      return;
    case "odestr":
      out.push(`${ind}const { a: ${s.a}, v: ${s.v} } = ${s.obj};`);
      return;
    case "adestr":
      out.push(`${ind}const [${s.names.join(", ")}] = ${arrRef(s.arr)};`);
      return;
    case "assign":
      out.push(`${ind}${printLVal(s.target)} ${s.op} ${printNum(s.value)};`);
      return;
    case "divassign":
      out.push(`${ind}${printLVal(s.target)} /= 1 + ${wrap(s.value)} * ${wrap(s.value)};`);
      return;
    case "incr":
      out.push(`${ind}${printLVal(s.target)}${s.op};`);
      return;
    case "push":
      out.push(`${ind}${s.arr}.push(${s.values.map(printNum).join(", ")});`);
      return;
    case "if":
      out.push(`${ind}if (${printBool(s.c)}) {`);
      printStmts(s.then, inner, out);
      if (s.else) {
        out.push(`${ind}} else {`);
        printStmts(s.else, inner, out);
      }
      out.push(`${ind}}`);
      return;
    case "for": {
      printCheckpoint(s.checkpoint, ind, out);
      const bound = s.arr ? `${arrRef(s.arr)}.length` : String(s.n);
      out.push(`${ind}${s.label ? `${s.label}: ` : ""}for (let ${s.v} = 0; ${s.v} < ${bound}; ${s.v}++) {`);
      printStmts(s.body, inner, out);
      out.push(`${ind}}`);
      return;
    }
    case "forof":
      printCheckpoint(s.checkpoint, ind, out);
      out.push(`${ind}for (const ${s.v} of ${arrRef(s.arr)}) {`);
      printStmts(s.body, inner, out);
      out.push(`${ind}}`);
      return;
    case "while":
      out.push(`${ind}let ${s.counter} = 0;`);
      printCheckpoint(s.checkpoint, ind, out);
      if (s.doWhile) {
        out.push(`${ind}do {`);
        out.push(`${inner}${s.counter}++;`);
        printStmts(s.body, inner, out);
        out.push(`${ind}} while ((${printBool(s.c)}) && ${s.counter} < ${s.max});`);
      } else {
        out.push(`${ind}while ((${printBool(s.c)}) && ${s.counter} < ${s.max}) {`);
        out.push(`${inner}${s.counter}++;`);
        printStmts(s.body, inner, out);
        out.push(`${ind}}`);
      }
      return;
    case "forEach":
      out.push(`${ind}${arrRef(s.arr)}.forEach((${s.el}, ${s.idx}) => {`);
      printStmts(s.body, inner, out);
      out.push(`${ind}});`);
      return;
    case "switch":
      out.push(`${ind}switch (${s.sel} % ${s.m}) {`);
      s.cases.forEach((body, i) => {
        out.push(`${inner}${i < s.cases.length - 1 ? `case ${i}` : "default"}: {`);
        printStmts(body, inner + "  ", out);
        out.push(`${inner}  break;`);
        out.push(`${inner}}`);
      });
      out.push(`${ind}}`);
      return;
    case "break":
      out.push(`${ind}break${s.label ? ` ${s.label}` : ""};`);
      return;
    case "continue":
      out.push(`${ind}continue${s.label ? ` ${s.label}` : ""};`);
      return;
    case "return":
      out.push(`${ind}return ${printArg(s.value)};`);
      return;
    case "block":
      out.push(`${ind}{`);
      printStmts(s.body, inner, out);
      out.push(`${ind}}`);
      return;
    case "forEntries":
      out.push(`${ind}for (const [${s.i}, ${s.v}] of ${arrRef(s.arr)}.entries()) {`);
      printStmts(s.body, inner, out);
      out.push(`${ind}}`);
      return;
    case "larrow":
      out.push(`${ind}const ${s.name} = (${s.param}: number) => ${printNum(s.body)};`);
      return;
    case "logassign":
      out.push(`${ind}${s.name} ${s.op} ${printNum(s.value)};`);
      return;
    case "trace":
      out.push(s.value ? `${ind}console.assert(${wrap(s.value)} >= -Infinity, "NaN");` : `${ind}debugger;`);
      return;
  }
}

export function printFn(fn: Fn): string {
  const out: string[] = [];
  const params = fn.params.map((p) => `${p.name}: ${TYPE_TEXT[p.t]}`).join(", ");
  out.push(fn.arrow ? `const ${fn.name} = (${params}): ${TYPE_TEXT[fn.ret]} => {` : `${fn.exported ? "export " : ""}function ${fn.name}(${params}): ${TYPE_TEXT[fn.ret]} {`);
  printStmts(fn.body, "  ", out);
  out.push(fn.arrow ? "};" : "}");
  return out.join("\n");
}

export const OBJ_DECL = "interface Obj {\n  a: number;\n  v: number[];\n}";

/** The class `pt` expressions construct: a value type with a getter and a method writing `this`. */
export const PT_CLASS = `class Pt {
  constructor(public a: number, public b: number) {}
  get prod(): number {
    return this.a * Math.sin(this.b);
  }
  scaled(by: number): number {
    this.a *= by;
    return this.a + this.b * by;
  }
}`;

/** Recursive helpers `rec`/`recArr` call: one on numbers (with a depth), one down an array. */
export const RECURSIVE = `function rsum(x: number, n: number): number {
  if (n <= 0) return Math.sin(x);
  return 0.5 * x + rsum(Math.cos(x) * x, n - 1);
}

function rsq(v: number[], i: number): number {
  if (i >= v.length) return 0;
  return v[i] * v[i] + 0.5 * rsq(v, i + 1);
}`;

/** A helper with an optional and a default parameter (\`opt\`). */
export const OPTIONAL = `function scaleBy(x: number, by?: number, shift = 0.5): number {
  return x * (by ?? 2) + shift;
}`;

export function printProgram(p: Program): string {
  const usesObj = p.fns.some((f) => f.params.some((q) => q.t === "obj") || f.ret === "obj" || JSON.stringify(f.body).includes('"odecl"'));
  const uses = (kind: string) => p.fns.some((f) => JSON.stringify(f.body).includes(`"k":"${kind}"`));
  const usesPt = uses("pt");
  const preamble = [...(usesPt ? [PT_CLASS] : []), ...(uses("rec") || uses("recArr") ? [RECURSIVE] : []), ...(uses("opt") ? [OPTIONAL] : [])];
  const consts = (p.consts ?? []).map((c) => (typeof c.value === "number" ? `const ${c.name} = ${c.value};` : `const ${c.name}: number[] = [${c.value.join(", ")}];`));
  return [...(usesObj ? [OBJ_DECL] : []), ...preamble, ...(consts.length > 0 ? [consts.join("\n")] : []), ...p.fns.map(printFn)].join("\n\n") + "\n";
}

export function entry(p: Program): Fn {
  return p.fns[p.fns.length - 1]!;
}

/** `// @checkpoint` (with its snapshot count) before a loop the generator tagged. */
function printCheckpoint(tag: number | undefined, ind: string, out: string[]): void {
  if (tag !== undefined) out.push(`${ind}// @checkpoint${tag > 0 ? ` ${tag}` : ""}`);
}
