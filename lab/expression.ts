/**
 * Targets typed by a user, such as `sin(3x) + 0.5*abs(x)`: a small recursive-descent parser that
 * builds closures. It evaluates nothing but the arithmetic below (no `eval`, no `Function`), so a
 * typed target can never run code.
 *
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/') unary | <implicit ×> power)*      2x, 3(x + 1), x sin(x)
 *   unary   := ('-' | '+') unary | power
 *   power   := primary (('^' | '**') unary)?                         right-associative; -x^2 = -(x^2)
 *   primary := number | x | pi | e | name '(' sum (',' sum)* ')' | '(' sum ')'
 */

export type Expression = (x: number) => number;

export class ExpressionError extends Error {
  constructor(
    message: string,
    /** 0-based offset of the offending character in the text. */
    readonly at: number,
  ) {
    super(message);
  }
}

const FUNCTIONS: Record<string, { arity: number; apply: (...args: number[]) => number }> = {
  sin: { arity: 1, apply: Math.sin },
  cos: { arity: 1, apply: Math.cos },
  tan: { arity: 1, apply: Math.tan },
  asin: { arity: 1, apply: Math.asin },
  acos: { arity: 1, apply: Math.acos },
  atan: { arity: 1, apply: Math.atan },
  sinh: { arity: 1, apply: Math.sinh },
  cosh: { arity: 1, apply: Math.cosh },
  tanh: { arity: 1, apply: Math.tanh },
  exp: { arity: 1, apply: Math.exp },
  log: { arity: 1, apply: Math.log },
  sqrt: { arity: 1, apply: Math.sqrt },
  abs: { arity: 1, apply: Math.abs },
  sign: { arity: 1, apply: Math.sign },
  floor: { arity: 1, apply: Math.floor },
  ceil: { arity: 1, apply: Math.ceil },
  round: { arity: 1, apply: Math.round },
  relu: { arity: 1, apply: (v) => Math.max(0, v) },
  step: { arity: 1, apply: (v) => (v < 0 ? 0 : 1) },
  max: { arity: 2, apply: Math.max },
  min: { arity: 2, apply: Math.min },
  pow: { arity: 2, apply: Math.pow },
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

/** The names a user may call, for messages and the page's help text. */
export const FUNCTION_NAMES = Object.keys(FUNCTIONS);

interface Token {
  kind: "number" | "name" | "op" | "end";
  text: string;
  at: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: "number", text: number[0], at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z_0-9]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: "name", text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    if (text.startsWith("**", i)) {
      tokens.push({ kind: "op", text: "^", at: i });
      i += 2;
      continue;
    }
    if ("+-*/^(),".includes(c)) {
      tokens.push({ kind: "op", text: c, at: i });
      i++;
      continue;
    }
    throw new ExpressionError(`unexpected character '${c}'`, i);
  }
  tokens.push({ kind: "end", text: "", at: text.length });
  return tokens;
}

/** Parses `text` as a function of x; throws an ExpressionError saying where it went wrong. */
export function parseExpression(text: string): Expression {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position]!;
  const next = () => tokens[position++]!;
  const isOp = (op: string) => peek().kind === "op" && peek().text === op;
  const expect = (op: string) => {
    if (!isOp(op)) throw new ExpressionError(peek().kind === "end" ? `missing '${op}' at the end` : `expected '${op}' but found '${peek().text}'`, peek().at);
    next();
  };
  const startsPrimary = () => peek().kind === "number" || peek().kind === "name" || isOp("(");

  function sum(): Expression {
    let left = product();
    while (isOp("+") || isOp("-")) {
      const op = next().text;
      const l = left;
      const r = product();
      left = op === "+" ? (x) => l(x) + r(x) : (x) => l(x) - r(x);
    }
    return left;
  }

  function product(): Expression {
    let left = unary();
    for (;;) {
      if (isOp("*") || isOp("/")) {
        const op = next().text;
        const l = left;
        const r = unary();
        left = op === "*" ? (x) => l(x) * r(x) : (x) => l(x) / r(x);
      } else if (startsPrimary()) {
        const l = left;
        const r = power();
        left = (x) => l(x) * r(x);
      } else return left;
    }
  }

  function unary(): Expression {
    if (isOp("-")) {
      next();
      const operand = unary();
      return (x) => -operand(x);
    }
    if (isOp("+")) {
      next();
      return unary();
    }
    return power();
  }

  function power(): Expression {
    const base = primary();
    if (!isOp("^")) return base;
    next();
    const exponent = unary();
    return (x) => base(x) ** exponent(x);
  }

  function primary(): Expression {
    const token = next();
    if (token.kind === "number") {
      const value = Number(token.text);
      return () => value;
    }
    if (token.kind === "op" && token.text === "(") {
      const inner = sum();
      expect(")");
      return inner;
    }
    if (token.kind === "name") {
      const name = token.text.toLowerCase();
      if (name === "x") return (x) => x;
      // Own properties only: `constructor` or `__proto__` are not functions a user can call.
      if (Object.hasOwn(CONSTANTS, name)) {
        const value = CONSTANTS[name]!;
        return () => value;
      }
      const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
      if (!fn) throw new ExpressionError(`unknown name '${token.text}': use x, pi, e and ${FUNCTION_NAMES.join(", ")}`, token.at);
      if (!isOp("(")) throw new ExpressionError(`'${token.text}' is a function: write ${token.text}(…)`, token.at);
      next();
      const args = [sum()];
      while (isOp(",")) {
        next();
        args.push(sum());
      }
      expect(")");
      if (args.length !== fn.arity) throw new ExpressionError(`'${token.text}' takes ${fn.arity} argument${fn.arity === 1 ? "" : "s"}, not ${args.length}`, token.at);
      const apply = fn.apply;
      if (args.length === 1) {
        const [a] = args as [Expression];
        return (x) => apply(a(x));
      }
      const [a, b] = args as [Expression, Expression];
      return (x) => apply(a(x), b(x));
    }
    throw new ExpressionError(token.kind === "end" ? "the expression ends too early" : `unexpected '${token.text}'`, token.at);
  }

  const whole = sum();
  if (peek().kind !== "end") throw new ExpressionError(`unexpected '${peek().text}'`, peek().at);
  return whole;
}
