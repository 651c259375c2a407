/**
 * The rule table: every differentiable operation's partial derivatives, declared once in terms
 * of its inputs and its output Ω (as ChainRules.jl's `@scalar_rule`). Forward mode emits
 * `dΩ = Σᵢ ∂ᵢ·dxᵢ`, reverse mode `x̄ᵢ += ∂ᵢ·Ω̄`; both read this table and nothing else.
 *
 * Conventions at kinks (listed in docs/kinks.md): `Math.abs'(0) = 0`; `Math.max`/`Math.min` send
 * the whole derivative to the first argument equal to the result (so `Math.max(0, x)` has
 * derivative 0 at x = 0, the ReLU convention); `Math.sqrt'(0) = 0`, `Math.cbrt'(0) = 0` and
 * `Math.hypot` at the origin has zero derivative (the minimal-norm subgradient);
 * `floor`/`ceil`/`round`/`trunc`/`sign` have zero derivative everywhere; `x ** y` (and
 * `Math.pow`) has ∂/∂x = 0 where y = 0 and ∂/∂y = 0 where the result is 0.
 */
import type { BinaryOperator, ExternalFunction, Operand } from "../ir/ir.ts";

/** A derivative expression: built by the rules, turned into IR by `materialize`. */
export type D =
  | { kind: "operand"; value: Operand }
  | { kind: "binary"; op: BinaryOperator; left: D; right: D }
  | { kind: "neg"; arg: D }
  | { kind: "math"; fn: string; args: D[] }
  | { kind: "select"; cond: D; whenTrue: D; whenFalse: D }
  /**
   * A call of a program function returning a number, or (with `element`) entry `element` of the
   * tuple of `arity` numbers it returns. Entries with the same `call` token are one call: it is
   * made once where they are materialized in the same block.
   */
  | { kind: "call"; callee: string; args: D[]; element?: number; arity?: number; call?: object };

export type Rule =
  /** Ω is differentiable in its inputs; `partials` gives ∂Ω/∂xᵢ for each input. */
  | { kind: "partials"; partials: (x: D[], out: D) => D[] }
  /** Ω equals one of its inputs (max, min): the first one equal to Ω receives the whole derivative. */
  | { kind: "pick" }
  /** Ω is piecewise constant (or not a number): its derivative is zero, it is never active. */
  | { kind: "constant" };

// ── builders ─────────────────────────────────────────────────────────────────
export const c = (value: number, text?: string): D => ({ kind: "operand", value: { kind: "number", value, text } });
const bin = (op: BinaryOperator) => (left: D, right: D): D => ({ kind: "binary", op, left, right });
export const add = bin("+");
export const sub = bin("-");
export const mul = bin("*");
export const div = bin("/");
export const pow = bin("**");
const gt = bin(">");
const ne = bin("!==");
export const neg = (arg: D): D => ({ kind: "neg", arg });
export const math = (fn: string, ...args: D[]): D => ({ kind: "math", fn, args });
const select = (cond: D, whenTrue: D, whenFalse: D): D => ({ kind: "select", cond, whenTrue, whenFalse });
const square = (x: D) => mul(x, x);
const constantOf = (d: D): number | undefined => (d.kind === "operand" && d.value.kind === "number" ? d.value.value : undefined);
const ZERO = c(0);
const ONE = c(1);

const unary = (partial: (x: D, out: D) => D): Rule => ({ kind: "partials", partials: ([x], out) => [partial(x!, out)] });
const binary = (partials: (x: D, y: D, out: D) => [D, D]): Rule => ({ kind: "partials", partials: ([x, y], out) => partials(x!, y!, out) });
const constant: Rule = { kind: "constant" };

/**
 * d/dx x^y and d/dy x^y. At x = 0 the textbook formulas give 0·∞: d/dx is 0 where y = 0 (x^0 is
 * the constant 1), d/dy is 0 where x^y = 0 (0^y is the constant 0 for y > 0).
 */
const powRule = binary((x, y, out) => {
  const exponent = constantOf(y);
  const dx = exponent === undefined ? select(ne(y, ZERO), mul(y, pow(x, sub(y, ONE))), ZERO) : exponent === 0 ? ZERO : mul(y, pow(x, sub(y, ONE)));
  const base = constantOf(x);
  const dy = base === undefined ? select(ne(out, ZERO), mul(out, math("log", x)), ZERO) : mul(out, math("log", x));
  return [dx, dy];
});

export const operatorRules: Record<string, Rule> = {
  "neg": unary(() => c(-1)),
  "plus": unary(() => ONE),
  "+": binary(() => [ONE, ONE]),
  "-": binary(() => [ONE, c(-1)]),
  "*": binary((x, y) => [y, x]),
  "/": binary((_x, y, out) => [div(ONE, y), neg(div(out, y))]),
  "%": binary((x, y) => [ONE, neg(math("trunc", div(x, y)))]),
  "**": powRule,
};

export const mathRules: Record<string, Rule> = {
  abs: unary((x) => math("sign", x)),
  acos: unary((x) => neg(div(ONE, math("sqrt", sub(ONE, square(x)))))),
  acosh: unary((x) => div(ONE, math("sqrt", sub(square(x), ONE)))),
  asin: unary((x) => div(ONE, math("sqrt", sub(ONE, square(x))))),
  asinh: unary((x) => div(ONE, math("sqrt", add(square(x), ONE)))),
  atan: unary((x) => div(ONE, add(ONE, square(x)))),
  atan2: binary((y, x) => {
    const u = add(square(x), square(y));
    return [div(x, u), neg(div(y, u))];
  }),
  atanh: unary((x) => div(ONE, sub(ONE, square(x)))),
  cbrt: unary((_x, out) => select(ne(out, ZERO), div(ONE, mul(c(3), square(out))), ZERO)),
  ceil: constant,
  clz32: constant,
  cos: unary((x) => neg(math("sin", x))),
  cosh: unary((x) => math("sinh", x)),
  exp: unary((_x, out) => out),
  expm1: unary((_x, out) => add(out, ONE)),
  floor: constant,
  fround: unary(() => ONE),
  hypot: { kind: "partials", partials: (xs, out) => xs.map((x) => select(gt(out, ZERO), div(x, out), ZERO)) },
  imul: constant,
  log: unary((x) => div(ONE, x)),
  log10: unary((x) => div(ONE, mul(x, c(Math.LN10, "Math.LN10")))),
  log1p: unary((x) => div(ONE, add(ONE, x))),
  log2: unary((x) => div(ONE, mul(x, c(Math.LN2, "Math.LN2")))),
  max: { kind: "pick" },
  min: { kind: "pick" },
  pow: powRule,
  random: constant,
  round: constant,
  sign: constant,
  sin: unary((x) => math("cos", x)),
  sinh: unary((x) => math("cosh", x)),
  sqrt: unary((_x, out) => select(gt(out, ZERO), div(c(0.5), out), ZERO)),
  tan: unary((_x, out) => add(ONE, square(out))),
  tanh: unary((_x, out) => sub(ONE, square(out))),
  trunc: constant,
};

/** The rule for an IR operation, or undefined when it is not differentiable at all (comparisons). */
export function ruleFor(operation: { kind: "unary"; op: string } | { kind: "binary"; op: string } | { kind: "math"; fn: string; external?: ExternalFunction }): Rule | undefined {
  if (operation.kind === "math") return operation.external ? userRule(operation.external) : mathRules[operation.fn];
  if (operation.kind === "unary") return operation.op === "-" ? operatorRules.neg : operation.op === "+" ? operatorRules.plus : undefined;
  return operatorRules[operation.op];
}

/** A user's rule: each partial is a call of the companion function (entry i of the tuple it returns). */
function userRule(external: ExternalFunction): Rule {
  return {
    kind: "partials",
    partials: (xs) => {
      const call = {};
      return xs.map((_, i): D => ({ kind: "call", callee: external.partials, args: xs, ...(external.tuple ? { element: i, arity: xs.length, call } : {}) }));
    },
  };
}
