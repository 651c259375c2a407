/**
 * Lowering: TypeScript AST → IR in normal form (see src/ir/ir.ts for the normal form).
 *
 * What each source construct becomes:
 * - nested expressions → `let tN = <one operation>` temporaries in evaluation order;
 * - `a && b`, `a || b`, `c ? a : b` → a plain operation when the right-hand side is safe to
 *   evaluate eagerly (no calls, cannot throw), else an `if` that keeps the short circuit;
 * - `x += e`, `x++` → `assign`; `a[i] op= e` → read, operate, `setIndex`;
 * - destructuring → one read per name; `for…of` → an index loop; `switch` → an `if` chain,
 *   inside a labelled `block` when a `break` leaves it early;
 * - `.map`/`.reduce`/`.forEach`/`Array.from(…, cb)` → an index loop with the callback's body
 *   inlined (its `return` becomes a write of the result and a `continue`);
 * - names: a declaration that shadows a visible one is renamed (`x_2`), so that every IR name
 *   in a function means one variable; temporaries never clash with the user's identifiers.
 */
import { Node, type ArrowFunction, type Expression, type FunctionExpression, type Statement } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { localFiles, positionOfNode } from "../load/load.ts";
import type { FunctionNode, SourceFunction } from "../load/functions.ts";
import { ModuleConstants } from "../fence/module-constants.ts";
import type { Expr, Function, Operand, Program, SourceLoc, Stmt, Type } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, ref } from "../ir/ir.ts";
import { elementType, isReference } from "../ir/types.ts";
import { NameManager } from "../ir/names.ts";
import { toIRType } from "./types.ts";
import { UserRules } from "../rules/user-rules.ts";
import { NestedCalls } from "../nested/recognize.ts";
import { constructorSelf, selfParameter } from "./classes.ts";
import { defaulted } from "./optional.ts";
import { isReassigned } from "./access.ts";
import { lowerExpression } from "./expressions.ts";
import { lowerStatement } from "./statements.ts";
import { fenceFunctionKind, unsupportedAt } from "./unsupported.ts";

/**
 * Lowers the target functions and every function they call, transitively. A call of a function
 * with a user rule lowers to an operation carrying the rule; its companion is lowered instead.
 */
export function lowerProgram(targets: SourceFunction[], rules: UserRules = UserRules.none()): { program: Program; irNames: Map<FunctionNode, string>; nested: NestedCalls } {
  const functions = new Map<string, Function>();
  const irNames = new Map<FunctionNode, string>();
  const queue: SourceFunction[] = [];
  const taken = new Set<string>();
  const nameOf = (fn: SourceFunction): string => {
    let name = irNames.get(fn.node);
    if (name) return name;
    const base = fn.name.replace(".", "_");
    name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    irNames.set(fn.node, name);
    queue.push(fn);
    return name;
  };
  for (const target of targets) nameOf(target);
  const project = targets[0]?.file.getProject();
  const constants = new ModuleConstants(() => (project ? localFiles(project) : []));
  const errors: Diagnostic[] = [];
  // Calls of tsad-generated derivatives: their functions are made from the source (src/nested).
  const nested = new NestedCalls((name) => taken.has(name));
  while (queue.length > 0) {
    const fn = queue.shift()!;
    try {
      functions.set(nameOf(fn), new FunctionLowerer(fn, nameOf(fn), nameOf, constants, rules, nested).lower());
    } catch (error) {
      if (error instanceof DiagnosticError) errors.push(...error.diagnostics);
      else throw error;
    }
  }
  if (errors.length > 0) throw new DiagnosticError(errors);
  return { program: { functions }, irNames, nested };
}

interface Scope {
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

  lower(): Function {
    const node = this.fn.node;
    this.loc = this.locOf(this.fn.declaration);
    // Before the return type: an async function's is a `Promise`, a generator's a `Generator`.
    fenceFunctionKind(node, this.fn.declaration);
    const scope: Scope = { names: new Map() };
    this.scopes.push(scope);
    const owner = this.fn.owner;
    const self = owner && !Node.isConstructorDeclaration(node) ? [selfParameter(this, owner, node)] : [];
    const params = node.getParameters().map((param) => {
      const nameNode = param.getNameNode();
      if (!Node.isIdentifier(nameNode)) throw unsupportedAt("a destructuring parameter", param);
      const name = nameNode.getText();
      scope.names.set(name, name);
      this.names.claim(name);
      // A parameter with a default is optional to the caller (inside, the default fills it in).
      const declared = toIRType(param.getType(), param);
      const type: Type = param.hasInitializer() && declared.kind !== "optional" ? { kind: "optional", value: declared } : declared;
      this.types.set(name, type);
      return { name, type, loc: this.locOf(param) };
    });
    const returnType = Node.isConstructorDeclaration(node) ? toIRType(owner!.getType(), node) : toIRType(node.getSignature().getReturnType(), node);
    const body = node.getBody();
    if (!body) throw unsupportedAt("a function without a body", node);
    if (Node.isConstructorDeclaration(node)) this.constructed = constructorSelf(this, node, params);
    // `p = d`: a local that is the argument where one was passed, else the default.
    node.getParameters().forEach((param, i) => {
      const init = param.getInitializer();
      if (!init) return;
      this.loc = this.locOf(param);
      const { name, type } = params[i]!;
      const value = defaulted(this, ref(name), () => this.expr(init), (type as Extract<Type, { kind: "optional" }>).value);
      this.declare(name, this.typeOfOperand(value), this.asExpr(value), isReassigned(param, body));
    });
    // A container parameter the body reassigns (`b = a`) becomes a local that starts as the
    // argument: the parameter itself keeps naming what the caller passed (and its derivative).
    node.getParameters().forEach((param, i) => {
      if (isReference(params[i]!.type) && isReassigned(param, body)) this.declare(params[i]!.name, params[i]!.type, this.asExpr(ref(params[i]!.name)), true);
    });
    if (Node.isBlock(body)) {
      for (const statement of body.getStatements()) this.statement(statement);
      if (this.constructed && this.block[this.block.length - 1]?.kind !== "return") this.emit({ kind: "return", value: ref(this.constructed) });
    } else {
      this.loc = this.locOf(body);
      this.emit({ kind: "return", value: this.expr(body as Expression) });
    }
    return {
      name: this.irName,
      sourceName: this.fn.name.replace(".", "_"),
      params: [...self, ...params],
      returnType,
      body: [...this.prologue, ...this.block],
      exported: this.fn.exported,
      loc: this.locOf(this.fn.declaration),
      reservedNames: this.names.all(),
      temporaries: this.names.temporaries,
    };
  }

  // ── helpers ──────────────────────────────────────────────────────────────

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

  /** Lowers an expression; returns the operand holding its value (`discarded`: only its effects matter). */
  expr(node: Expression, discarded = false): Operand {
    return lowerExpression(this, node, discarded);
  }

  statement(node: Statement): void {
    lowerStatement(this, node);
  }

  atModuleLevel<T>(build: () => T): T {
    this.moduleLevel++;
    try {
      return build();
    } finally {
      this.moduleLevel--;
    }
  }


}
