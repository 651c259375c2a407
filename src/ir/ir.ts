/**
 * tsad's intermediate representation: a small, typed, structured language in A-normal form.
 *
 * The normal form (what the lowering pass produces and every later pass preserves):
 * - Every operation has simple operands: a variable name or a literal (`Operand`). Nested source
 *   expressions become `let` statements of compiler temporaries, in evaluation order.
 * - Control flow stays structured: `if`, `loop` (a general `for (init; test; update)`), `break`,
 *   `continue`, `return` and labelled `block`s (what `switch` lowers to). `for…of`, `while`,
 *   `do…while`, `.map`/`.reduce`/`.forEach` and `Array.from` all lower to `loop`.
 * - Values are typed (`Type`): numbers, booleans, strings, arrays (plain or typed), tuples and
 *   records. Writes into containers are statements (`setIndex`, `setField`, `push`, `fill`);
 *   reading never mutates.
 * - Every statement keeps the source location of the statement it came from, so diagnostics
 *   and "tangent of: <line>" comments point at the user's code.
 *
 * Forward and reverse mode map IR to IR, so their output can be differentiated again.
 */

export type Type =
  | { kind: "number" }
  | { kind: "boolean" }
  | { kind: "string" }
  | { kind: "void" }
  /**
   * `stack`: a tape of numbers kept in a growing `Float64Array` (reverse mode's number tapes in
   * functions that keep their tapes), with `stack` naming its top-of-stack counter. Pushes and
   * pops on it print as indexed writes and reads, several times cheaper than `push`/`pop`.
   */
  | { kind: "array"; element: Type; typed?: TypedArrayName; stack?: string }
  | { kind: "tuple"; elements: Type[] }
  | { kind: "record"; fields: Field[] }
  /**
   * `T | undefined`: an optional parameter, a parameter with a default, an optional field. Never
   * differentiated: what it holds is read through `??`, `?.` or a test against `undefined`,
   * which give values of type `T`.
   */
  | { kind: "optional"; value: Type };

export type TypedArrayName = "Float64Array" | "Float32Array";

export interface Field {
  name: string;
  type: Type;
}

export type Operand =
  | { kind: "var"; name: string }
  | { kind: "number"; value: number; /** printed form, e.g. `Math.PI` */ text?: string }
  | { kind: "boolean"; value: boolean }
  | { kind: "string"; value: string }
  | { kind: "undefined" };

export type BinaryOperator =
  | "+" | "-" | "*" | "/" | "%" | "**"
  | "<" | "<=" | ">" | ">=" | "===" | "!==" | "&&" | "||";

export type UnaryOperator = "-" | "+" | "!";

export type Expr =
  | { kind: "operand"; value: Operand }
  | { kind: "unary"; op: UnaryOperator; arg: Operand }
  | { kind: "binary"; op: BinaryOperator; left: Operand; right: Operand }
  /** A conditional value `cond ? a : b` (only produced with simple operands on both sides). */
  | { kind: "select"; cond: Operand; whenTrue: Operand; whenFalse: Operand }
  /**
   * `Math.<fn>(args)`; with `external`, a call of the user's function `fn`, which is not
   * differentiated from its source: a user rule gives its partials (src/rules/user-rules.ts).
   */
  | { kind: "math"; fn: string; args: Operand[]; external?: ExternalFunction }
  /** A call to a function of the program (by its IR name). */
  | { kind: "call"; callee: string; args: Operand[] }
  /** `object[index]` on arrays, typed arrays and tuples. */
  | { kind: "index"; object: Operand; index: Operand }
  /** `object.name` on records. */
  | { kind: "field"; object: Operand; name: string }
  | { kind: "length"; object: Operand }
  /** `[a, b, c]` as an array or a tuple (by `type`); typed arrays via `new T([...])`. */
  | { kind: "arrayLiteral"; elements: Operand[]; type: Type }
  | { kind: "recordLiteral"; fields: { name: string; value: Operand }[]; type: Type }
  /** A new array of `length` elements, each `fill` (`new Array(n).fill(v)`, `new Float64Array(n)`). */
  | { kind: "newArray"; length: Operand; fill?: Operand; type: Type }
  /**
   * A shallow copy: `[...a]`, `a.slice(start, end)`, `{ ...o }`, `Float64Array.from(a)`; with
   * `deep`, nested containers are copied too (reverse mode's snapshots).
   */
  | { kind: "copy"; source: Operand; start?: Operand; end?: Operand; type: Type; deep?: boolean }
  /**
   * A container of `type`'s derivative type, shaped like `like`, filled with zeros. `sparse`:
   * `like` is a tape, whose first entries may be saved before a value existed (left as they are).
   */
  | { kind: "zerosLike"; like: Operand; type: Type; sparse?: boolean }
  /** `stack.pop()`: the last value pushed on a tape (reverse mode), of `type`. */
  | { kind: "pop"; object: Operand; type: Type };

/** A function of numbers the generated code imports and calls, with its derivative rule. */
export interface ExternalFunction {
  /** A package specifier, or the absolute path of the local file that exports `fn`. */
  from: string;
  /** The program function (IR name) computing the partials: ∂/∂x₁ itself, or a tuple of them. */
  partials: string;
  tuple: boolean;
}

export interface SourceLoc {
  file: string;
  line: number;
  column: number;
  /** The source statement's text, first line only, for comments in the generated code. */
  text: string;
}

export interface StmtBase {
  loc?: SourceLoc;
}

export type Stmt = StmtBase &
  (
    /** `definite`: declared without a value that is assigned before use on every path (`let x!: T`). */
    | { kind: "let"; name: string; type: Type; init?: Expr; mutable: boolean; definite?: boolean }
    | { kind: "assign"; name: string; value: Expr }
    | { kind: "setIndex"; object: Operand; index: Operand; value: Operand }
    | { kind: "setField"; object: Operand; name: string; value: Operand }
    | { kind: "push"; object: Operand; values: Operand[] }
    | { kind: "fill"; object: Operand; value: Operand }
    /** `object.pop()` with the value dropped (reverse mode shrinking what a `push` grew). */
    | { kind: "drop"; object: Operand }
    /** A call whose value is not used (a function returning void, or one called for its writes). */
    | { kind: "callStmt"; callee: string; args: Operand[] }
    | { kind: "if"; cond: Operand; then: Stmt[]; else: Stmt[] }
    /**
     * `label: for (init; test; update) body`. `test` is evaluated before each iteration: its
     * statements run, then the loop stops unless `test.cond` is true; no `test` loops until a
     * `break`/`return`. `bodyFirst` runs the body once before the first test (`do…while`).
     */
    | {
        kind: "loop";
        label?: string;
        init: Stmt[];
        test?: { prelude: Stmt[]; cond: Operand };
        update: Stmt[];
        body: Stmt[];
        bodyFirst: boolean;
        /** Reverse mode bounds this loop's tape by checkpointing (`@checkpoint`, `--tape-limit`). */
        checkpoint?: CheckpointRequest;
      }
    | { kind: "block"; label?: string; body: Stmt[] }
    | { kind: "break"; label?: string }
    | { kind: "continue"; label?: string }
    | { kind: "return"; value?: Operand }
    /** A comment line in the generated code (e.g. which source line a block differentiates). */
    | { kind: "comment"; text: string }
    /**
     * `console.log(…)` (or `.info/.warn/.error/.debug/.assert`) and `debugger` (`method`
     * undefined): effects with no numeric value, kept where the primal computation runs (forward
     * mode's code, reverse mode's forward sweep) and nowhere else.
     */
    | { kind: "trace"; method?: string; args: Operand[] }
  );

/** A request to checkpoint a loop: at most `snapshots` snapshots of its state (default: tsad chooses). */
export interface CheckpointRequest {
  snapshots?: number;
}

export interface Param {
  name: string;
  type: Type;
  loc?: SourceLoc;
}

export interface Function {
  /** The IR name: unique in the program (source name, suffixed if two files share it). */
  name: string;
  /** The name in the source file. */
  sourceName: string;
  params: Param[];
  returnType: Type;
  body: Stmt[];
  exported: boolean;
  loc: SourceLoc;
  /** Every identifier the function uses, so fresh names never clash with the user's. */
  reservedNames: Set<string>;
  /** Compiler temporaries: single-use ones are folded back into expressions when printed. */
  temporaries: Set<string>;
}

export interface Program {
  functions: Map<string, Function>;
}

export const num = (value: number, text?: string): Operand => ({ kind: "number", value, text });
export const ref = (name: string): Operand => ({ kind: "var", name });
export const NUMBER: Type = { kind: "number" };
export const BOOLEAN: Type = { kind: "boolean" };
export const VOID: Type = { kind: "void" };

/** A function made by a differentiation pass, with what the later passes need to know. */
export interface DerivativeFunction extends Function {
  /** The statements that compute derivatives (their source lines get a comment). */
  derivativeCode: WeakSet<Stmt>;
  /** Names the pass made up: dead-code removal may drop those nobody reads. */
  derivedNames: Set<string>;
  /** How the comments start: "tangent of", "adjoint of". */
  commentLabel: string;
  /** Reverse mode's tapes (forward mode over this code treats them as such). */
  tapeNames?: Set<string>;
}
