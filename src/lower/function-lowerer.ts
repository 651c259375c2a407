/**
 * The state of lowering one function, and the primitives every lowering module builds on: the
 * block being written (`emit`, `captureBlock`, `temp`), scopes and names (`declare`, `lookup`,
 * local functions, renaming what shadows), the types of IR values, and where jumps go. What each
 * construct lowers to lives in its own module (statements.ts, loops.ts, expressions.ts, …): they
 * receive the lowerer as `l` and recurse through `l.expr` and `l.statement`.
 */
import { Node, type ArrowFunction, type Expression, type FunctionExpression, type Statement } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import type { SourceFunction } from "../load/functions.ts";
import type { ModuleConstants } from "../fence/module-constants.ts";
import type { Expr, Operand, SourceLoc, Stmt, Type } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, ref } from "../ir/ir.ts";
import { elementType } from "../ir/types.ts";
import { NameManager } from "../ir/names.ts";
import type { UserRules } from "../rules/user-rules.ts";
import type { NestedCalls } from "../nested/recognize.ts";
import { toIRType } from "./types.ts";
import { lowerExpression } from "./expressions.ts";
import { lowerStatement } from "./statements.ts";
import { fenceFunctionKind } from "./unsupported.ts";

export interface Scope {
  names: Map<string, string>;
  /** Functions stored in a local `const`: inlined where they are called. */
  functions?: Map<string, LocalFunction>;
}

/** `const f = (…) => …` inside a function: its node and the scopes it sees (closures read them by reference). */
export interface LocalFunction {
  name: string;
  node: ArrowFunction | FunctionExpression;
  scopes: Scope[];
}

/** Where `break`/`continue` go, innermost last. */
export interface JumpTarget {
  kind: "loop" | "switch";
  label?: string;
  /** Set when a jump had to name this target's label. */
  labelUsed: boolean;
  /** The user's label on the statement, if any. */
  sourceLabel?: string;
}

/** An inlined callback: what its `return` does. */
export interface CallbackFrame {
  onReturn: (value: Operand | undefined) => void;
  /** Jump targets that existed when the callback started. */
  targetDepth: number;
  loop: JumpTarget;
  /** How a `return` leaves the body: to the next iteration of `loop`, or out of the labelled block `loop`. */
  exit: "continue" | "break";
}

export class FunctionLowerer {
  block: Stmt[] = [];
  readonly scopes: Scope[] = [];
  readonly names: NameManager;
  loc!: SourceLoc;
  readonly targets: JumpTarget[] = [];
  readonly callbacks: CallbackFrame[] = [];
  readonly types = new Map<string, Type>();
  /** Statements that create the module-level constants the function reads, run first. */
  readonly prologue: Stmt[] = [];
  /** The variable holding each module-level constant (array or object) the function reads. */
  readonly constantValues = new Map<Node, Operand>();
  /** In a constructor: the instance it builds (`this`), which every `return` returns. */
  constructed: string | undefined;
  /** Above zero while a module-level initializer is lowered: the function's locals are out of sight. */
  moduleLevel = 0;

  constructor(
    readonly fn: SourceFunction,
    readonly irName: string,
    readonly functionName: (fn: SourceFunction) => string,
    readonly constants: ModuleConstants,
    readonly rules: UserRules,
    readonly nested?: NestedCalls,
  ) {
    const reserved = new Set<string>();
    fn.node.forEachDescendant((node) => {
      if (Node.isIdentifier(node)) reserved.add(node.getText());
    });
    this.names = new NameManager(reserved);
  }

  /** Lowers an expression; returns the operand holding its value (`discarded`: only its effects matter). */
  expr(node: Expression, discarded = false): Operand {
    return lowerExpression(this, node, discarded);
  }

  statement(node: Statement): void {
    lowerStatement(this, node);
  }

  locOf(node: Node): SourceLoc {
    const position = positionOfNode(node);
    const text = node.getText().split("\n")[0]!.trim();
    return { ...position, text };
  }

  emit(stmt: Stmt): void {
    this.block.push({ ...stmt, loc: this.loc });
  }

  captureBlock(build: () => void): Stmt[] {
    const outer = this.block;
    this.block = [];
    try {
      build();
      return this.block;
    } finally {
      this.block = outer;
    }
  }

  inScope<T>(build: () => T): T {
    this.scopes.push({ names: new Map() });
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  /** A new compiler temporary holding `expr`. */
  temp(expr: Expr, type: Type, base = "t"): Operand {
    const name = this.names.fresh(base, true);
    this.types.set(name, type);
    this.emit({ kind: "let", name, type, init: expr, mutable: false });
    return ref(name);
  }

  /** Declares a source variable in the current scope, renaming it if it shadows a visible one. */
  declare(sourceName: string, type: Type, init: Expr | undefined, mutable: boolean): string {
    // Rename when the name is visible (shadowing), or was used before with another type: every
    // IR name then has one type. Sibling scopes may reuse a name (`i` in consecutive loops).
    const visible = this.lookup(sourceName) !== undefined;
    const earlier = this.types.get(sourceName);
    const clash = visible || (this.names.isClaimed(sourceName) && earlier !== undefined && JSON.stringify(earlier) !== JSON.stringify(type));
    const name = clash ? this.names.fresh(sourceName) : this.names.claim(sourceName);
    this.scopes[this.scopes.length - 1]!.names.set(sourceName, name);
    this.types.set(name, type);
    this.emit({ kind: "let", name, type, init, mutable });
    return name;
  }

  defineLocalFunction(name: string, node: ArrowFunction | FunctionExpression): void {
    fenceFunctionKind(node, node);
    const scope = this.scopes[this.scopes.length - 1]!;
    scope.functions ??= new Map();
    scope.functions.set(name, { name, node, scopes: [...this.scopes] });
  }

  /** Makes `sourceName` name the IR variable `name` in the current scope (nothing is declared). */
  bind(sourceName: string, name: string): void {
    this.scopes[this.scopes.length - 1]!.names.set(sourceName, name);
  }

  lookup(sourceName: string): string | undefined {
    if (this.moduleLevel > 0) return undefined;
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const name = this.scopes[i]!.names.get(sourceName);
      if (name) return name;
    }
    return undefined;
  }

  /** Lowers a module-level initializer: the function's locals are out of sight while it runs. */
  atModuleLevel<T>(build: () => T): T {
    this.moduleLevel++;
    try {
      return build();
    } finally {
      this.moduleLevel--;
    }
  }

  /** The local function `sourceName` names here, unless a variable of that name hides it. */
  lookupFunction(sourceName: string): LocalFunction | undefined {
    if (this.moduleLevel > 0) return undefined;
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i]!;
      if (scope.names.has(sourceName)) return undefined;
      const fn = scope.functions?.get(sourceName);
      if (fn) return fn;
    }
    return undefined;
  }

  /** Inlining a local function: its body sees the scopes of its definition; it may not call itself. */
  private readonly inlining: LocalFunction[] = [];
  withLocalFunction(fn: LocalFunction, at: Node, build: () => void): void {
    if (this.inlining.includes(fn)) throw new DiagnosticError([diagnostics.localRecursion(fn.name, positionOfNode(at))]);
    const scopes = this.scopes.splice(0, this.scopes.length, ...fn.scopes);
    this.inlining.push(fn);
    try {
      build();
    } finally {
      this.inlining.pop();
      this.scopes.splice(0, this.scopes.length, ...scopes);
    }
  }

  typeOfOperand(operand: Operand): Type {
    switch (operand.kind) {
      case "var":
        return this.types.get(operand.name)!;
      case "number":
        return NUMBER;
      case "boolean":
        return BOOLEAN;
      case "string":
        return { kind: "string" };
      case "undefined":
        return { kind: "optional", value: { kind: "void" } };
    }
  }

  indexType(object: Operand, index: Operand): Type {
    return this.elementOf(this.typeOfOperand(object), index.kind === "number" ? index.value : undefined);
  }

  /** The type of `type[index]`; a tuple read at a computed index needs elements of one type. */
  elementOf(type: Type, index: number | undefined): Type {
    if (type.kind === "tuple" && index === undefined) {
      const first = type.elements[0];
      if (first && type.elements.every((e) => JSON.stringify(e) === JSON.stringify(first))) return first;
      const { file, line, column } = this.loc;
      throw new DiagnosticError([diagnostics.unsupportedSyntax("reading a tuple whose elements have different types at a computed index", { file, line, column })]);
    }
    return elementType(type, index);
  }

  /** A condition as a boolean (`!!x` for a number or string): branches test booleans only. */
  truthy(value: Operand): Operand {
    if (this.typeOfOperand(value).kind === "boolean") return value;
    if (value.kind !== "var") return { kind: "boolean", value: !!(value as { value: unknown }).value };
    const negated = this.temp({ kind: "unary", op: "!", arg: value }, BOOLEAN);
    return this.temp({ kind: "unary", op: "!", arg: negated }, BOOLEAN);
  }

  /** The checker's type, or undefined where it says `any` (e.g. `new Array(n).fill(0)`). */
  checkedType(node: Node): Type | undefined {
    const type = node.getType();
    if (type.isAny() || (type.isArray() && type.getArrayElementType()?.isAny())) return undefined;
    return toIRType(type, node);
  }

  /** A value that must stay as it is while later code runs: temporaries and literals already are. */
  asExpr(operand: Operand): Expr {
    return { kind: "operand", value: operand };
  }
}
