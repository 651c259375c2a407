/**
 * Building IR in the differentiation passes: a current block, fresh names, and `materialize`,
 * which turns the rule table's derivative expressions into normal-form IR, folding constants so
 * that `0 * dx`, `1 * dx` and `x ** 1` are never emitted.
 */
import type { D } from "../rules/rules.ts";
import type { Expr, Operand, SourceLoc, Stmt, Type } from "./ir.ts";
import { BOOLEAN, NUMBER, num } from "./ir.ts";
import type { NameManager } from "./names.ts";

export class IRBuilder {
  block: Stmt[] = [];
  loc: SourceLoc | undefined;
  /** Tuple-returning calls already made, by the token their entries share (see rules.ts `D`). */
  private readonly calls = new WeakMap<object, { block: Stmt[]; tuple: Operand }>();

  constructor(
    readonly names: NameManager,
    readonly types: Map<string, Type>,
  ) {}

  emit(stmt: Stmt): void {
    this.block.push(this.loc && !stmt.loc ? { ...stmt, loc: this.loc } : stmt);
  }

  capture(build: () => void): Stmt[] {
    const outer = this.block;
    this.block = [];
    try {
      build();
      return this.block;
    } finally {
      this.block = outer;
    }
  }

  temp(expr: Expr, type: Type, base = "t"): Operand {
    const name = this.names.fresh(base, true);
    this.types.set(name, type);
    this.emit({ kind: "let", name, type, init: expr, mutable: false });
    return { kind: "var", name };
  }

  /** Turns a derivative expression into an operand, emitting temporaries for its parts. */
  materialize(d: D): Operand {
    const folded = fold(d);
    if (folded.kind === "operand") return folded.value;
    // A rule's condition (`out > 0` in `sqrt`, `hypot`) is a boolean: a pullback saves it as one.
    const comparison = folded.kind === "binary" && ["<", "<=", ">", ">=", "===", "!==", "&&", "||"].includes(folded.op);
    return this.temp(this.materializeExpr(folded), comparison ? BOOLEAN : NUMBER);
  }

  /** Like `materialize`, but returns the top operation as an expression (to assign directly). */
  materializeExpr(d: D): Expr {
    const folded = fold(d);
    switch (folded.kind) {
      case "operand":
        return { kind: "operand", value: folded.value };
      case "neg":
        return { kind: "unary", op: "-", arg: this.materialize(folded.arg) };
      case "binary":
        return { kind: "binary", op: folded.op, left: this.materialize(folded.left), right: this.materialize(folded.right) };
      case "math":
        return { kind: "math", fn: folded.fn, args: folded.args.map((a) => this.materialize(a)) };
      case "call": {
        if (folded.element === undefined) return { kind: "call", callee: folded.callee, args: folded.args.map((a) => this.materialize(a)) };
        // One call per rule application: its entries reuse the tuple made earlier in this block.
        const made = folded.call && this.calls.get(folded.call);
        let tuple = made && made.block === this.block ? made.tuple : undefined;
        if (!tuple) {
          const args = folded.args.map((a) => this.materialize(a));
          tuple = this.temp({ kind: "call", callee: folded.callee, args }, { kind: "tuple", elements: Array.from({ length: folded.arity ?? folded.element + 1 }, () => NUMBER) });
          if (folded.call) this.calls.set(folded.call, { block: this.block, tuple });
        }
        return { kind: "index", object: tuple, index: num(folded.element) };
      }
      case "select":
        return { kind: "select", cond: this.materialize(folded.cond), whenTrue: this.materialize(folded.whenTrue), whenFalse: this.materialize(folded.whenFalse) };
    }
  }
}

const constantOf = (d: D): number | undefined => (d.kind === "operand" && d.value.kind === "number" ? d.value.value : undefined);
const constant = (value: number): D => ({ kind: "operand", value: num(value) });
export const isZero = (d: D): boolean => constantOf(d) === 0;

/** Constant folding and the algebraic identities that keep zeros symbolic. */
export function fold(d: D): D {
  switch (d.kind) {
    case "operand":
      return d;
    case "neg": {
      const arg = fold(d.arg);
      const value = constantOf(arg);
      if (value !== undefined && !(arg.kind === "operand" && arg.value.kind === "number" && arg.value.text?.includes("Math."))) return constant(-value);
      if (arg.kind === "neg") return arg.arg;
      return { kind: "neg", arg };
    }
    case "math": {
      const args = d.args.map(fold);
      return { kind: "math", fn: d.fn, args };
    }
    case "call":
      return { ...d, args: d.args.map(fold) };
    case "select": {
      const whenTrue = fold(d.whenTrue);
      const whenFalse = fold(d.whenFalse);
      if (isZero(whenTrue) && isZero(whenFalse)) return constant(0);
      return { kind: "select", cond: fold(d.cond), whenTrue, whenFalse };
    }
    case "binary": {
      const left = fold(d.left);
      const right = fold(d.right);
      const a = constantOf(left);
      const b = constantOf(right);
      // Named constants (`Math.PI`) stay named; literals fold.
      const plain = (x: D) => x.kind === "operand" && x.value.kind === "number" && !x.value.text?.includes("Math.");
      if (a !== undefined && b !== undefined && plain(left) && plain(right) && "+-*/**".includes(d.op)) {
        return constant(evaluate(d.op, a, b));
      }
      switch (d.op) {
        case "+":
          if (a === 0) return right;
          if (b === 0) return left;
          if (right.kind === "neg") return fold({ kind: "binary", op: "-", left, right: right.arg });
          if (left.kind === "neg") return fold({ kind: "binary", op: "-", left: right, right: left.arg });
          break;
        case "-":
          if (b === 0) return left;
          if (a === 0) return fold({ kind: "neg", arg: right });
          if (right.kind === "neg") return fold({ kind: "binary", op: "+", left, right: right.arg });
          break;
        case "*":
          if (a === 0 || b === 0) return constant(0);
          // (c ? 0 : 1) * x → c ? 0 : x
          if (left.kind === "select" && constantOf(left.whenTrue) !== undefined && constantOf(left.whenFalse) !== undefined) {
            return fold({ kind: "select", cond: left.cond, whenTrue: { kind: "binary", op: "*", left: left.whenTrue, right }, whenFalse: { kind: "binary", op: "*", left: left.whenFalse, right } });
          }
          if (a === 1) return right;
          if (b === 1) return left;
          if (a === -1) return fold({ kind: "neg", arg: right });
          if (b === -1) return fold({ kind: "neg", arg: left });
          // (1 / y) * d → d / y
          if (left.kind === "binary" && left.op === "/" && constantOf(left.left) === 1) return { kind: "binary", op: "/", left: right, right: left.right };
          if (left.kind === "neg") return fold({ kind: "neg", arg: { kind: "binary", op: "*", left: left.arg, right } });
          if (right.kind === "neg") return fold({ kind: "neg", arg: { kind: "binary", op: "*", left, right: right.arg } });
          break;
        case "/":
          if (a === 0) return constant(0);
          if (b === 1) return left;
          if (left.kind === "neg") return fold({ kind: "neg", arg: { kind: "binary", op: "/", left: left.arg, right } });
          break;
        case "**":
          if (b === 1) return left;
          if (b === 0) return constant(1);
          break;
      }
      return { kind: "binary", op: d.op, left, right };
    }
  }
}

function evaluate(op: string, a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
    default:
      return a ** b;
  }
}

export const operandD = (value: Operand): D => ({ kind: "operand", value });
