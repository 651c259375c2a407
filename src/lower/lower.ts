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
import { Node, SyntaxKind, type ArrowFunction, type Expression, type ForOfStatement, type FunctionExpression, type Statement, type VariableDeclaration } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { localFiles, positionOfNode } from "../load/load.ts";
import { resolveFunction, type FunctionNode, type SourceFunction } from "../load/functions.ts";
import { ModuleConstants, isLiteralInitializer } from "../fence/module-constants.ts";
import type { Expr, Function, Operand, Program, SourceLoc, Stmt, Type } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../ir/ir.ts";
import { elementType, fieldType, isReference } from "../ir/types.ts";
import { NameManager } from "../ir/names.ts";
import { irTypeOf, isClassValue, toIRType } from "./types.ts";
import { MATH_CONSTANTS, MATH_FUNCTIONS } from "../rules/math.ts";
import { UserRules } from "../rules/user-rules.ts";
import { NestedCalls } from "../nested/recognize.ts";
import { functionCheckpoint, loopCheckpoint, markLastLoop } from "../checkpoint/tag.ts";
import { arrayFrom, arrayIteration, lowerMethod } from "./array-methods.ts";
import { inlineValue, ruledCall } from "./callbacks.ts";
import { constructedClass, constructorSelf, getterCall, methodCall, newInstance, selfParameter } from "./classes.ts";
import { LOGICAL_ASSIGNMENTS, defaulted, logicalAssignment, narrowValue, nullish, optionalLink } from "./optional.ts";
import { numberConstant, numberFunction, spreadArguments, spreadMath } from "./calls.ts";

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

export const unsupportedAt = (what: string, node: Node) => new DiagnosticError([diagnostics.unsupportedSyntax(what, positionOfNode(node))]);

/** Statements tsad does not lower, as the user would name them (never an AST kind name). */
const STATEMENT_NAMES: Partial<Record<SyntaxKind, string>> = {
  [SyntaxKind.ForInStatement]: "`for…in`",
  [SyntaxKind.WithStatement]: "`with`",
  [SyntaxKind.EnumDeclaration]: "an `enum` declared inside a function",
  [SyntaxKind.ModuleDeclaration]: "a namespace declared inside a function",
  [SyntaxKind.ImportEqualsDeclaration]: "`import … =` inside a function",
};

function describeStatement(node: Node): string {
  return STATEMENT_NAMES[node.getKind()] ?? `the statement \`${shorten(node.getText())}\``;
}

function isGeneratorFunction(node: Node): boolean {
  return (Node.isFunctionDeclaration(node) || Node.isFunctionExpression(node)) && node.isGenerator();
}

/** TSAD2002/2003 for a function that is async or a generator, reported at `at`. */
export function fenceFunctionKind(fn: FunctionNode, at: Node): void {
  if (Node.isAsyncable(fn) && fn.isAsync()) throw new DiagnosticError([diagnostics.asyncCode(positionOfNode(at))]);
  if (isGeneratorFunction(fn)) throw new DiagnosticError([diagnostics.generator(positionOfNode(at))]);
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
  private constructed: string | undefined;
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

  private defineLocalFunction(name: string, node: ArrowFunction | FunctionExpression): void {
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

  /**
   * A read of a value the source has narrowed to be present (`x` in `x !== undefined ? x : 0`):
   * its own type without `undefined`. Values that are never missing are returned as they are.
   */
  narrow(value: Operand, type: Type): Operand {
    return narrowValue(this, value, type);
  }

  /** A read the checker has narrowed to a present value (`x` inside `if (x !== undefined)`). */
  private narrowed(node: Node, value: Operand): Operand {
    const type = this.typeOfOperand(value);
    if (type.kind !== "optional" || value.kind !== "var") return value;
    let checked: Type;
    try {
      checked = toIRType(node.getType(), node);
    } catch {
      return value;
    }
    return checked.kind === "optional" ? value : narrowValue(this, value, checked);
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

  /** The type the context expects (`const xs: number[] = []`), if it is a usable one. */
  contextualType(node: Expression): Type | undefined {
    const contextual = node.getContextualType();
    if (!contextual) return undefined;
    try {
      return toIRType(contextual, node);
    } catch {
      return undefined;
    }
  }

  /** A value that must stay as it is while later code runs: temporaries and literals already are. */
  asExpr(operand: Operand): Expr {
    return { kind: "operand", value: operand };
  }

  // ── statements ───────────────────────────────────────────────────────────

  statement(node: Statement): void {
    this.loc = this.locOf(node);
    if (Node.isVariableStatement(node)) {
      const kind = node.getDeclarationKind();
      const mutable = kind !== "const";
      if (kind === "var") throw unsupportedAt("`var`", node);
      if (kind === "await using") throw new DiagnosticError([diagnostics.asyncCode(positionOfNode(node))]);
      if (kind === "using") throw unsupportedAt("a `using` declaration", node);
      const declarations = node.getDeclarations();
      for (const decl of declarations) {
        this.loc = this.locOf(declarations.length === 1 ? node : decl);
        const init = decl.getInitializer();
        const nameNode = decl.getNameNode();
        if (Node.isIdentifier(nameNode)) {
          if (init && isFunctionLike(init)) {
            if (mutable) throw new DiagnosticError([diagnostics.closure(positionOfNode(init))]);
            this.defineLocalFunction(nameNode.getText(), init as ArrowFunction | FunctionExpression);
            continue;
          }
          const value = init ? this.expr(init) : undefined;
          const type = this.checkedType(decl) ?? (value ? this.typeOfOperand(value) : irTypeOf(decl));
          this.declare(nameNode.getText(), type, value ? this.asExpr(value) : undefined, mutable);
        } else {
          if (!init) throw unsupportedAt("destructuring without an initializer", decl);
          this.destructure(nameNode, this.expr(init), mutable);
        }
      }
      return;
    }
    if (Node.isExpressionStatement(node)) {
      const traced = consoleCall(node.getExpression());
      if (traced) {
        // Arguments are evaluated as the source does; the call itself has no numeric effect.
        this.emit({ kind: "trace", method: traced.method, args: traced.args.map((a) => this.expr(a)) });
        return;
      }
      this.effect(node.getExpression());
      return;
    }
    if (Node.isDebuggerStatement(node)) {
      this.emit({ kind: "trace", args: [] });
      return;
    }
    if (Node.isReturnStatement(node)) {
      const e = node.getExpression();
      const value = e ? this.expr(e) : undefined;
      const callback = this.callbacks[this.callbacks.length - 1];
      if (callback) {
        callback.onReturn(value);
        if (callback.exit === "break") {
          callback.loop.labelUsed = true;
          this.emit({ kind: "break", label: callback.loop.label });
        } else {
          const innerLoops = this.targets.slice(callback.targetDepth).some((t) => t.kind === "loop");
          if (innerLoops) callback.loop.labelUsed = true;
          this.emit({ kind: "continue", label: innerLoops ? callback.loop.label : undefined });
        }
      } else {
        this.emit({ kind: "return", value: this.constructed ? ref(this.constructed) : value });
      }
      return;
    }
    if (Node.isIfStatement(node)) {
      const cond = this.truthy(this.expr(node.getExpression()));
      const thenBlock = this.captureBlock(() => this.inScope(() => this.body(node.getThenStatement())));
      const elseNode = node.getElseStatement();
      const elseBlock = elseNode ? this.captureBlock(() => this.inScope(() => this.body(elseNode))) : [];
      this.loc = this.locOf(node);
      this.emit({ kind: "if", cond, then: thenBlock, else: elseBlock });
      return;
    }
    if (Node.isBlock(node)) {
      const body = this.captureBlock(() => this.inScope(() => node.getStatements().forEach((s) => this.statement(s))));
      this.emit({ kind: "block", body });
      return;
    }
    if (Node.isEmptyStatement(node)) return;
    // Types only: nothing to run.
    if (Node.isInterfaceDeclaration(node) || Node.isTypeAliasDeclaration(node)) return;
    if (Node.isLabeledStatement(node)) {
      const inner = node.getStatement();
      const label = node.getLabel().getText();
      if (Node.isForStatement(inner) || Node.isForOfStatement(inner) || Node.isWhileStatement(inner) || Node.isDoStatement(inner)) {
        this.loop(inner, label);
        return;
      }
      if (!Node.isForInStatement(inner)) throw unsupportedAt("a label on a statement that is not a loop", node);
      this.fence(inner);
      throw unsupportedAt(describeStatement(inner), inner);
    }
    if (Node.isForStatement(node) || Node.isForOfStatement(node) || Node.isWhileStatement(node) || Node.isDoStatement(node)) {
      this.loop(node, undefined);
      return;
    }
    if (Node.isBreakStatement(node) || Node.isContinueStatement(node)) {
      const label = node.getLabel()?.getText();
      const kind = Node.isBreakStatement(node) ? "break" : "continue";
      if (label) {
        const target = [...this.targets].reverse().find((t) => t.sourceLabel === label);
        this.emit({ kind, label: target?.label ?? label });
        return;
      }
      const innermost = this.targets[this.targets.length - 1];
      if (kind === "break" && innermost?.kind === "switch") {
        innermost.labelUsed = true;
        this.emit({ kind: "break", label: innermost.label });
      } else {
        this.emit({ kind });
      }
      return;
    }
    if (Node.isSwitchStatement(node)) {
      this.switchStatement(node);
      return;
    }
    this.fence(node);
    throw unsupportedAt(describeStatement(node), node);
  }

  /** The statements of an `if` branch or a loop body, without a block of their own. */
  body(node: Statement): void {
    if (Node.isBlock(node)) node.getStatements().forEach((s) => this.statement(s));
    else this.statement(node);
  }

  /** Reports the constructs of SPEC §1's last paragraph with their own diagnostics. */
  fence(node: Node): void {
    if (Node.isTryStatement(node) || Node.isThrowStatement(node)) throw new DiagnosticError([diagnostics.tryCatch(positionOfNode(node))]);
    if (Node.isClassDeclaration(node)) throw new DiagnosticError([diagnostics.classOrThis(positionOfNode(node))]);
    if (Node.isFunctionDeclaration(node)) throw new DiagnosticError([diagnostics.closure(positionOfNode(node))]);
  }

  loop(node: Node, sourceLabel: string | undefined): void {
    const target: JumpTarget = { kind: "loop", label: sourceLabel, sourceLabel, labelUsed: sourceLabel !== undefined };
    const outermost = !this.targets.some((t) => t.kind === "loop");
    const checkpoint = loopCheckpoint(node) ?? (outermost ? functionCheckpoint(this.fn) : undefined);
    this.inScope(() => {
      if (Node.isForStatement(node)) {
        const initNode = node.getInitializer();
        const init = this.captureBlock(() => {
          if (!initNode) return;
          if (Node.isVariableDeclarationList(initNode)) {
            const mutable = initNode.getDeclarationKind() !== "const";
            for (const decl of initNode.getDeclarations()) {
              const nameNode = decl.getNameNode();
              if (!Node.isIdentifier(nameNode)) throw unsupportedAt("destructuring in a `for` initializer", decl);
              const init = decl.getInitializer();
              this.declare(nameNode.getText(), irTypeOf(decl), init ? this.exprValue(init) : undefined, mutable);
            }
          } else {
            this.effect(initNode);
          }
        });
        const condNode = node.getCondition();
        const test = condNode ? this.test(condNode) : undefined;
        const updateNode = node.getIncrementor();
        const update = updateNode ? this.captureBlock(() => this.effect(updateNode)) : [];
        const body = this.loopBody(target, () => this.body(node.getStatement()));
        this.loc = this.locOf(node);
        this.emit({ kind: "loop", label: target.label, init, test, update, body, bodyFirst: false });
      } else if (Node.isWhileStatement(node) || Node.isDoStatement(node)) {
        const test = this.test(node.getExpression());
        const body = this.loopBody(target, () => this.body(node.getStatement()));
        this.loc = this.locOf(node);
        this.emit({ kind: "loop", label: target.label, init: [], test, update: [], body, bodyFirst: Node.isDoStatement(node) });
      } else if (Node.isForOfStatement(node)) {
        if (node.isAwaited()) throw new DiagnosticError([diagnostics.asyncCode(positionOfNode(node))]);
        const iterable = node.getExpression();
        this.fenceCallee(iterable);
        const iteration = arrayIteration(iterable);
        if (iteration) {
          this.iterate(node, target, iteration);
          return;
        }
        const arrayType = irTypeOf(iterable);
        if (arrayType.kind !== "array" && arrayType.kind !== "tuple") throw unsupportedAt("`for…of` over something other than an array", iterable);
        const array = this.expr(iterable);
        this.indexLoop(array, target, (element) => {
          const initializer = node.getInitializer();
          if (!Node.isVariableDeclarationList(initializer)) throw unsupportedAt("`for…of` without a declaration", initializer);
          const decl = initializer.getDeclarations()[0]!;
          const mutable = initializer.getDeclarationKind() !== "const";
          const nameNode = decl.getNameNode();
          if (Node.isIdentifier(nameNode)) this.declare(nameNode.getText(), irTypeOf(decl), this.asExpr(element()), mutable);
          else this.destructure(nameNode, element(), mutable);
          this.body(node.getStatement());
        });
      }
    });
    markLastLoop(this.block, checkpoint);
  }

  /** `for (const [i, v] of a.entries())`, `for (const i of a.keys())`, `for (const v of a.values())`. */
  private iterate(node: ForOfStatement, target: JumpTarget, iteration: { receiver: Expression; kind: "entries" | "keys" | "values" }): void {
    const array = this.expr(iteration.receiver);
    const initializer = node.getInitializer();
    if (!Node.isVariableDeclarationList(initializer)) throw unsupportedAt("`for…of` without a declaration", initializer);
    const decl = initializer.getDeclarations()[0]!;
    const mutable = initializer.getDeclarationKind() !== "const";
    const nameNode = decl.getNameNode();
    this.indexLoop(array, target, (element, index) => {
      const parts = [() => index, element];
      if (iteration.kind !== "entries") {
        const value = iteration.kind === "keys" ? index : element();
        if (Node.isIdentifier(nameNode)) this.declare(nameNode.getText(), this.typeOfOperand(value), this.asExpr(value), mutable);
        else this.destructure(nameNode, value, mutable);
      } else if (Node.isArrayBindingPattern(nameNode)) {
        // `[i, v]` names the index and the element directly: no pair is built.
        nameNode.getElements().forEach((element, position) => {
          if (Node.isOmittedExpression(element)) return;
          const produce = parts[position];
          if (!produce || element.getDotDotDotToken() || element.hasInitializer()) throw unsupportedAt("this pattern over `.entries()`", element);
          const value = produce();
          const name = element.getNameNode();
          if (Node.isIdentifier(name)) this.declare(name.getText(), this.typeOfOperand(value), this.asExpr(value), mutable);
          else this.destructure(name, value, mutable);
        });
      } else {
        const value = element();
        const pairType: Type = { kind: "tuple", elements: [NUMBER, this.typeOfOperand(value)] };
        const pair = this.temp({ kind: "arrayLiteral", elements: [index, value], type: pairType }, pairType);
        if (Node.isIdentifier(nameNode)) this.declare(nameNode.getText(), pairType, this.asExpr(pair), mutable);
        else this.destructure(nameNode, pair, mutable);
      }
      this.body(node.getStatement());
    });
  }

  /** A call of an async function or a generator: reported at the call, before its type is read. */
  fenceCallee(node: Expression): void {
    node = skipParens(node);
    if (!Node.isCallExpression(node)) return;
    const callee = node.getExpression();
    if (!Node.isIdentifier(callee)) return;
    const target = resolveFunction(callee);
    if (target) fenceFunctionKind(target.node, node);
  }

  test(node: Expression): { prelude: Stmt[]; cond: Operand } {
    return this.test0(() => this.truthy(this.expr(node)));
  }

  loopBody(target: JumpTarget, build: () => void): Stmt[] {
    this.targets.push(target);
    try {
      return this.captureBlock(() => this.inScope(build));
    } finally {
      this.targets.pop();
    }
  }

  /**
   * `for (let i = 0; i < array.length; i++) body(() => array[i], i)`: the shape `for…of` and the
   * array methods lower to. The element read is emitted where `body` asks for it.
   */
  indexLoop(array: Operand, target: JumpTarget, body: (element: () => Operand, index: Operand) => void, start = 0, live = true): void {
    const index = this.names.fresh("i");
    this.types.set(index, NUMBER);
    const arrayType = this.typeOfOperand(array);
    // `for…of` sees elements pushed while it runs; `.map`/`.reduce`/`.forEach` and spreads stop
    // at the length the array had when they started.
    const fixedLength = live ? undefined : this.temp({ kind: "length", object: array }, NUMBER);
    const init = this.captureBlock(() => this.emit({ kind: "let", name: index, type: NUMBER, init: this.asExpr(num(start)), mutable: true }));
    const test = this.test0(() => {
      const length = fixedLength ?? this.temp({ kind: "length", object: array }, NUMBER);
      return this.temp({ kind: "binary", op: "<", left: ref(index), right: length }, BOOLEAN);
    });
    const update = this.captureBlock(() =>
      this.emit({ kind: "assign", name: index, value: { kind: "binary", op: "+", left: ref(index), right: num(1) } }),
    );
    const loc = this.loc;
    const loopBody = this.loopBody(target, () =>
      body(() => this.temp({ kind: "index", object: array, index: ref(index) }, this.elementOf(arrayType, undefined)), ref(index)),
    );
    this.loc = loc;
    this.emit({ kind: "loop", label: target.labelUsed ? target.label : undefined, init, test, update, body: loopBody, bodyFirst: false });
  }

  test0(build: () => Operand): { prelude: Stmt[]; cond: Operand } {
    let cond!: Operand;
    const prelude = this.captureBlock(() => {
      cond = build();
    });
    return { prelude, cond };
  }

  switchStatement(node: Node & { getKind(): SyntaxKind }): void {
    if (!Node.isSwitchStatement(node)) return;
    const discriminant = this.expr(node.getExpression());
    const label = this.names.fresh("cases");
    const target: JumpTarget = { kind: "switch", label, labelUsed: false };
    const clauses = node.getClauses();
    // Group empty cases with the next non-empty one; reject a non-empty case that runs on.
    const groups: { tests: Expression[]; isDefault: boolean; statements: Statement[]; node: Node }[] = [];
    let pending: Expression[] = [];
    let pendingDefault = false;
    clauses.forEach((clause, i) => {
      if (Node.isCaseClause(clause)) pending.push(clause.getExpression());
      else pendingDefault = true;
      const statements = clause.getStatements();
      if (statements.length === 0 && i < clauses.length - 1) return;
      const last = statements[statements.length - 1];
      const ends = last && (Node.isBreakStatement(last) || Node.isReturnStatement(last) || Node.isContinueStatement(last) || endsInBlockJump(last));
      if (!ends && i < clauses.length - 1) throw new DiagnosticError([diagnostics.switchFallthrough(positionOfNode(clause))]);
      groups.push({ tests: pending, isDefault: pendingDefault, statements, node: clause });
      pending = [];
      pendingDefault = false;
    });
    // `default` runs when no case matches, wherever it stands; cases grouped with it need no test.
    const fallback = groups.find((g) => g.isDefault);
    const cases = groups.filter((g) => !g.isDefault);
    this.targets.push(target);
    const lowerClause = (statements: Statement[]) =>
      this.captureBlock(() =>
        this.inScope(() => {
          const last = statements[statements.length - 1];
          const trailingBreak = last && Node.isBreakStatement(last) && !last.getLabel();
          for (const s of trailingBreak ? statements.slice(0, -1) : statements) this.statement(s);
        }),
      );
    const chain = (from: number): Stmt[] => {
      if (from >= cases.length) return fallback ? lowerClause(fallback.statements) : [];
      const group = cases[from]!;
      return this.captureBlock(() => {
        this.loc = this.locOf(group.node);
        let cond: Operand | undefined;
        for (const testNode of group.tests) {
          const value = this.expr(testNode);
          const equal = this.temp({ kind: "binary", op: "===", left: discriminant, right: value }, BOOLEAN);
          cond = cond ? this.temp({ kind: "binary", op: "||", left: cond, right: equal }, BOOLEAN) : equal;
        }
        const body = lowerClause(group.statements);
        const rest = chain(from + 1);
        this.loc = this.locOf(group.node);
        this.emit({ kind: "if", cond: cond!, then: body, else: rest });
      });
    };
    const body = chain(0);
    this.targets.pop();
    this.loc = this.locOf(node);
    if (target.labelUsed) this.emit({ kind: "block", label, body });
    else this.block.push(...body);
  }

  // ── destructuring ────────────────────────────────────────────────────────

  destructure(pattern: Node, value: Operand, mutable: boolean): void {
    const type = this.typeOfOperand(value);
    if (Node.isArrayBindingPattern(pattern)) {
      pattern.getElements().forEach((element, index) => {
        if (Node.isOmittedExpression(element)) return;
        if (element.getDotDotDotToken()) {
          const rest: Expr = { kind: "copy", source: value, start: num(index), type: type.kind === "tuple" ? { kind: "array", element: type.elements[index] ?? NUMBER } : type };
          this.bindName(element.getNameNode(), rest, irTypeOf(element), mutable);
          return;
        }
        if (element.hasInitializer()) throw unsupportedAt("a default value in destructuring", element);
        const read: Expr = { kind: "index", object: value, index: num(index) };
        this.bindName(element.getNameNode(), read, elementType(type, index), mutable);
      });
      return;
    }
    if (Node.isObjectBindingPattern(pattern)) {
      for (const element of pattern.getElements()) {
        if (element.getDotDotDotToken()) throw unsupportedAt("a rest element in object destructuring", element);
        if (element.hasInitializer()) throw unsupportedAt("a default value in destructuring", element);
        const key = element.getPropertyNameNode()?.getText() ?? element.getName();
        this.bindName(element.getNameNode(), { kind: "field", object: value, name: key }, fieldType(type, key), mutable);
      }
      return;
    }
    throw unsupportedAt("this destructuring pattern", pattern);
  }

  bindName(nameNode: Node, read: Expr, type: Type, mutable: boolean): void {
    if (Node.isIdentifier(nameNode)) {
      this.declare(nameNode.getText(), type, read, mutable);
      return;
    }
    this.destructure(nameNode, this.temp(read, type), mutable);
  }

  // ── expressions ──────────────────────────────────────────────────────────

  /** Lowers an expression evaluated for its effects only. */
  effect(node: Expression): void {
    node = skipParens(node);
    if (Node.isPostfixUnaryExpression(node) || Node.isPrefixUnaryExpression(node)) {
      const op = node.getOperatorToken();
      if (op === SyntaxKind.PlusPlusToken || op === SyntaxKind.MinusMinusToken) {
        this.increment(node.getOperand(), op === SyntaxKind.PlusPlusToken ? "+" : "-");
        return;
      }
    }
    this.expr(node, true);
  }

  /** Lowers an expression to an `Expr` (one operation) instead of an operand, when it is one. */
  exprValue(node: Expression): Expr {
    return this.asExpr(this.expr(node));
  }

  /** Lowers an expression; returns the operand holding its value. */
  expr(node: Expression, discarded = false): Operand {
    node = skipParens(node);
    if (Node.isNumericLiteral(node)) return num(node.getLiteralValue(), node.getText());
    if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return { kind: "string", value: node.getLiteralValue() };
    if (node.getKind() === SyntaxKind.TrueKeyword) return { kind: "boolean", value: true };
    if (node.getKind() === SyntaxKind.FalseKeyword) return { kind: "boolean", value: false };
    if (node.getKind() === SyntaxKind.ThisKeyword) {
      const self = this.lookup("this");
      if (!self) throw new DiagnosticError([diagnostics.classOrThis(positionOfNode(node))]);
      return ref(self);
    }
    if (Node.isAwaitExpression(node)) throw new DiagnosticError([diagnostics.asyncCode(positionOfNode(node))]);
    if (Node.isYieldExpression(node)) throw new DiagnosticError([diagnostics.generator(positionOfNode(node))]);
    if (Node.isIdentifier(node)) return this.narrowed(node, this.identifier(node));
    if (Node.isNonNullExpression(node)) return this.narrowed(node, this.expr(node.getExpression()));
    if (Node.isAsExpression(node) || Node.isSatisfiesExpression(node) || Node.isTypeAssertion(node)) {
      return this.expr(node.getExpression());
    }
    if (Node.isPrefixUnaryExpression(node)) return this.prefix(node);
    if (Node.isPostfixUnaryExpression(node)) {
      const operand = node.getOperand();
      const old = discarded ? undefined : this.temp(this.asExpr(this.expr(operand)), NUMBER);
      this.increment(operand, node.getOperatorToken() === SyntaxKind.PlusPlusToken ? "+" : "-");
      return old ?? num(0);
    }
    if (Node.isBinaryExpression(node)) return this.binary(node);
    if (Node.isConditionalExpression(node)) return this.conditional(node);
    if (Node.isCallExpression(node)) return this.call(node);
    if (Node.isNewExpression(node)) return this.newExpression(node);
    if (Node.isPropertyAccessExpression(node)) return this.narrowed(node, this.propertyAccess(node));
    if (Node.isElementAccessExpression(node)) {
      const object = this.expr(node.getExpression());
      return this.narrowed(node, optionalLink(this, node, object, (present) => {
        const index = this.expr(node.getArgumentExpressionOrThrow());
        return this.temp({ kind: "index", object: present, index }, this.indexType(present, index));
      }));
    }
    if (Node.isArrayLiteralExpression(node)) return this.arrayLiteral(node);
    if (Node.isObjectLiteralExpression(node)) return this.objectLiteral(node);
    if (isFunctionLike(node)) throw new DiagnosticError([diagnostics.closure(positionOfNode(node))]);
    if (Node.isTemplateExpression(node)) {
      // `a${x}b` → "a" + x + "b": strings are never differentiated, only passed along.
      const STRING: Type = { kind: "string" };
      let text: Operand = { kind: "string", value: node.getHead().getLiteralText() };
      for (const span of node.getTemplateSpans()) {
        text = this.temp({ kind: "binary", op: "+", left: text, right: this.expr(span.getExpression()) }, STRING);
        const tail = span.getLiteral().getLiteralText();
        if (tail) text = this.temp({ kind: "binary", op: "+", left: text, right: { kind: "string", value: tail } }, STRING);
      }
      return text;
    }
    throw unsupportedAt(`the expression \`${shorten(node.getText())}\``, node);
  }

  identifier(node: Node): Operand {
    const text = node.getText();
    const local = this.lookup(text);
    if (local) return ref(local);
    if (text === "Infinity" || text === "NaN") return num(text === "Infinity" ? Infinity : NaN, text);
    if (text === "undefined") return { kind: "undefined" };
    if (isClassValue(node)) throw new DiagnosticError([diagnostics.classOrThis(positionOfNode(node))]);
    let symbol = node.getSymbol();
    if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
    const decl = symbol?.getDeclarations()[0];
    if (decl && Node.isVariableDeclaration(decl) && decl.getVariableStatement()?.getParent() === decl.getSourceFile()) {
      if (decl.getVariableStatement()!.getDeclarationKind() !== "const") {
        throw new DiagnosticError([diagnostics.mutableModuleState(text, positionOfNode(node))]);
      }
      const init = decl.getInitializer();
      if (init && isFunctionLike(init)) throw unsupportedAt("a function used as a value", node);
      if (init && Node.isNewExpression(init) && isClassValue(init.getExpression())) {
        throw new DiagnosticError([diagnostics.classFeature(`\`${text}\`, a class instance kept at module level (state shared by every call),`, positionOfNode(node))]);
      }
      // A module-level constant: a number, boolean or string is lowered in place (it cannot
      // change); an array or object written as a literal is re-created at the function's start.
      if (init && isPrimitive(this.moduleType(decl))) return this.atModuleLevel(() => this.expr(init));
      if (init && isLiteralInitializer(init)) return this.moduleConstant(decl, init, text);
      throw new DiagnosticError([diagnostics.moduleConstantNotLiteral(text, positionOfNode(node))]);
    }
    if (decl && Node.isFunctionDeclaration(decl)) throw unsupportedAt("a function used as a value", node);
    throw unsupportedAt(`\`${text}\``, node);
  }

  /** A module-level constant's IR type, or undefined when it has none. */
  moduleType(decl: Node): Type | undefined {
    try {
      return irTypeOf(decl);
    } catch {
      return undefined;
    }
  }

  atModuleLevel<T>(build: () => T): T {
    this.moduleLevel++;
    try {
      return build();
    } finally {
      this.moduleLevel--;
    }
  }

  /**
   * A module-level constant array or object: evaluated once, in the function's prologue, from
   * its literal initializer. Correct because nothing ever writes into it (checked here).
   */
  moduleConstant(decl: VariableDeclaration, init: Expression, useName: string): Operand {
    const write = this.constants.firstWrite(decl);
    if (write) throw new DiagnosticError([write]);
    const known = this.constantValues.get(decl);
    if (known) return known;
    const loc = this.loc;
    this.loc = this.locOf(this.fn.declaration);
    let value!: Operand;
    const statements = this.captureBlock(() =>
      this.atModuleLevel(() => {
        const operand = this.expr(init);
        const type = this.typeOfOperand(operand);
        const declaredHere = this.fn.node
          .getDescendants()
          .some((d) => (Node.isVariableDeclaration(d) || Node.isParameterDeclaration(d) || Node.isBindingElement(d)) && d.getNameNode().getText() === useName);
        const name = declaredHere || this.names.isClaimed(useName) ? this.names.fresh(useName) : this.names.claim(useName);
        this.types.set(name, type);
        this.emit({ kind: "let", name, type, init: this.asExpr(operand), mutable: false });
        value = ref(name);
      }),
    );
    this.loc = loc;
    this.prologue.push(...statements);
    this.constantValues.set(decl, value);
    return value;
  }

  prefix(node: Node): Operand {
    if (!Node.isPrefixUnaryExpression(node)) throw unsupportedAt("this operator", node);
    const token = node.getOperatorToken();
    const operandNode = node.getOperand();
    if (token === SyntaxKind.PlusPlusToken || token === SyntaxKind.MinusMinusToken) {
      this.increment(operandNode, token === SyntaxKind.PlusPlusToken ? "+" : "-");
      return this.expr(operandNode);
    }
    const op = token === SyntaxKind.MinusToken ? "-" : token === SyntaxKind.PlusToken ? "+" : token === SyntaxKind.ExclamationToken ? "!" : undefined;
    if (!op) throw unsupportedAt("this unary operator", node);
    const arg = this.expr(operandNode);
    if (op === "-" && arg.kind === "number") return num(-arg.value, arg.text ? `-${arg.text}` : undefined);
    return this.temp({ kind: "unary", op, arg }, op === "!" ? BOOLEAN : NUMBER);
  }

  /** `x++`, `x--`, `a[i]++`, … as writes. */
  increment(target: Expression, op: "+" | "-"): void {
    this.store(target, (old) => this.temp({ kind: "binary", op, left: old(), right: num(1) }, NUMBER));
  }

  /**
   * Writes to an assignable expression. `value` receives a reader of the old value (for compound
   * assignment) and returns the operand to store.
   */
  store(target: Expression, value: (old: () => Operand) => Operand): Operand {
    target = skipParens(target);
    if (Node.isIdentifier(target)) {
      const name = this.lookup(target.getText());
      if (!name) {
        const decl = target.getSymbol()?.getDeclarations()[0];
        throw new DiagnosticError([
          decl && Node.isVariableDeclaration(decl) ? diagnostics.mutableModuleState(target.getText(), positionOfNode(target)) : diagnostics.unsupportedSyntax(`assigning to \`${target.getText()}\``, positionOfNode(target)),
        ]);
      }
      const before = this.block.length;
      const stored = value(() => ref(name));
      // `x = x + 1` reads better than `t = x + 1; x = t`: fold the temporary computed just for it.
      const last = this.block[this.block.length - 1];
      if (this.block.length > before && last?.kind === "let" && stored.kind === "var" && last.name === stored.name && this.names.temporaries.has(last.name)) {
        this.block.pop();
        this.emit({ kind: "assign", name, value: last.init! });
      } else {
        this.emit({ kind: "assign", name, value: this.asExpr(stored) });
      }
      return ref(name);
    }
    if (Node.isElementAccessExpression(target)) {
      const object = this.expr(target.getExpression());
      const index = this.expr(target.getArgumentExpressionOrThrow());
      const stored = value(() => this.temp({ kind: "index", object, index }, this.indexType(object, index)));
      this.emit({ kind: "setIndex", object, index, value: stored });
      return stored;
    }
    if (Node.isPropertyAccessExpression(target)) {
      const object = this.expr(target.getExpression());
      const name = target.getName();
      const stored = value(() => this.temp({ kind: "field", object, name }, irTypeOf(target)));
      this.emit({ kind: "setField", object, name, value: stored });
      return stored;
    }
    if (Node.isArrayLiteralExpression(target)) {
      const source = value(() => {
        throw unsupportedAt("compound assignment to a pattern", target);
      });
      target.getElements().forEach((element, index) => {
        if (Node.isOmittedExpression(element)) return;
        this.store(element, () => this.temp({ kind: "index", object: source, index: num(index) }, irTypeOf(element)));
      });
      return source;
    }
    throw unsupportedAt("this assignment target", target);
  }

  binary(node: Node): Operand {
    if (!Node.isBinaryExpression(node)) throw unsupportedAt("this expression", node);
    const token = node.getOperatorToken().getKind();
    const left = node.getLeft();
    const right = node.getRight();
    if (token === SyntaxKind.EqualsToken) {
      if (Node.isArrayLiteralExpression(left)) {
        const source = this.temp(this.asExpr(this.expr(right)), irTypeOf(right));
        return this.store(left, () => source);
      }
      return this.store(left, () => this.expr(right));
    }
    const compound = COMPOUND_OPERATORS[token];
    if (compound) {
      return this.store(left, (old) => {
        const previous = old();
        const operand = this.expr(right);
        return this.temp({ kind: "binary", op: compound, left: previous, right: operand }, NUMBER);
      });
    }
    if (token === SyntaxKind.AmpersandAmpersandToken || token === SyntaxKind.BarBarToken) {
      const op = token === SyntaxKind.AmpersandAmpersandToken ? "&&" : "||";
      const type = irTypeOf(node);
      const leftValue = this.expr(left);
      let rightValue!: Operand;
      const rightBlock = this.captureBlock(() => {
        rightValue = this.expr(right);
      });
      if (isSafeToHoist(rightBlock)) {
        this.block.push(...rightBlock);
        return this.temp({ kind: "binary", op, left: leftValue, right: rightValue }, type);
      }
      // Keep the short circuit: the right side may call functions or read through undefined.
      const result = this.names.fresh("t", true);
      this.types.set(result, type);
      this.emit({ kind: "let", name: result, type, init: this.asExpr(leftValue), mutable: true });
      const assign: Stmt = { kind: "assign", name: result, value: this.asExpr(rightValue), loc: this.loc };
      const evaluateRight = [...rightBlock, assign];
      this.emit({ kind: "if", cond: ref(result), then: op === "&&" ? evaluateRight : [], else: op === "&&" ? [] : evaluateRight });
      return ref(result);
    }
    if (token === SyntaxKind.QuestionQuestionToken) return nullish(this, node);
    if (LOGICAL_ASSIGNMENTS.has(token)) return logicalAssignment(this, node);
    if (token === SyntaxKind.CommaToken) throw unsupportedAt("the comma operator", node);
    const op = BINARY_OPERATORS[token];
    if (!op) throw unsupportedAt(`the operator \`${node.getOperatorToken().getText()}\``, node);
    const a = this.expr(left);
    const b = this.expr(right);
    return this.temp({ kind: "binary", op, left: a, right: b }, irTypeOf(node));
  }

  conditional(node: Node): Operand {
    if (!Node.isConditionalExpression(node)) throw unsupportedAt("this expression", node);
    const type = irTypeOf(node);
    const cond = this.truthy(this.expr(node.getCondition()));
    let whenTrue!: Operand;
    let whenFalse!: Operand;
    const trueBlock = this.captureBlock(() => {
      whenTrue = this.expr(node.getWhenTrue());
    });
    const falseBlock = this.captureBlock(() => {
      whenFalse = this.expr(node.getWhenFalse());
    });
    if (isSafeToHoist(trueBlock) && isSafeToHoist(falseBlock)) {
      this.block.push(...trueBlock, ...falseBlock);
      return this.temp({ kind: "select", cond, whenTrue, whenFalse }, type);
    }
    const result = this.names.fresh("t", true);
    this.types.set(result, type);
    this.emit({ kind: "let", name: result, type, mutable: true });
    const set = (value: Operand): Stmt => ({ kind: "assign", name: result, value: this.asExpr(value), loc: this.loc });
    this.emit({ kind: "if", cond, then: [...trueBlock, set(whenTrue)], else: [...falseBlock, set(whenFalse)] });
    return ref(result);
  }

  propertyAccess(node: Node): Operand {
    if (!Node.isPropertyAccessExpression(node)) throw unsupportedAt("this expression", node);
    const objectNode = node.getExpression();
    const name = node.getName();
    if (Node.isIdentifier(objectNode) && objectNode.getText() === "Math" && !this.lookup("Math")) {
      const value = MATH_CONSTANTS[name];
      if (value === undefined) throw unsupportedAt(`\`Math.${name}\` as a value`, node);
      return num(value, `Math.${name}`);
    }
    if (Node.isIdentifier(objectNode) && objectNode.getText() === "Number" && !this.lookup("Number")) return numberConstant(node, name);
    const got = getterCall(this, node, objectNode, name);
    if (got) return got;
    const object = this.expr(objectNode);
    if (this.typeOfOperand(object).kind === "optional") return optionalLink(this, node, object, (present) => this.memberRead(node, present, name));
    return this.memberRead(node, object, name);
  }

  /** `object.name` on a value that is present: `.length`, a record's field. */
  private memberRead(node: Node, object: Operand, name: string): Operand {
    const objectType = this.typeOfOperand(object);
    if (name === "length" && objectType.kind === "string") return this.temp({ kind: "length", object }, NUMBER);
    if (name === "length" && (objectType.kind === "array" || objectType.kind === "tuple")) {
      return objectType.kind === "tuple" ? num(objectType.elements.length) : this.temp({ kind: "length", object }, NUMBER);
    }
    if (objectType.kind !== "record") throw unsupportedAt(`the property \`${name}\``, node);
    return this.temp({ kind: "field", object, name }, fieldType(this.typeOfOperand(object), name));
  }

  arrayLiteral(node: Node): Operand {
    if (!Node.isArrayLiteralExpression(node)) throw unsupportedAt("this expression", node);
    // `[]` has type `never[]`: the declared type around it says what it will hold.
    const type = this.contextualType(node) ?? irTypeOf(node);
    return this.arrayOf(node.getElements(), type);
  }

  /** An array (or tuple) of `elements`, which may include spreads (`[a, ...xs, b]`). */
  arrayOf(elements: Node[], type: Type): Operand {
    const firstSpread = elements.findIndex((e) => Node.isSpreadElement(e));
    if (firstSpread < 0) return this.temp({ kind: "arrayLiteral", elements: elements.map((e) => this.expr(e as Expression)), type }, type);
    // `[a, ...xs, b]`: start from what precedes the first spread, then push the rest in order.
    const target = type.kind === "tuple" ? { kind: "array" as const, element: type.elements[0] ?? NUMBER } : type;
    const first = elements[firstSpread]!;
    const leading = elements.slice(0, firstSpread).map((e) => this.expr(e as Expression));
    const result =
      firstSpread === 0 && Node.isSpreadElement(first)
        ? this.temp({ kind: "copy", source: this.expr(first.getExpression()), type: target }, target)
        : this.temp({ kind: "arrayLiteral", elements: leading, type: target }, target);
    for (const element of elements.slice(firstSpread === 0 ? 1 : firstSpread)) {
      if (Node.isSpreadElement(element)) {
        const source = this.expr(element.getExpression());
        this.indexLoop(source, { kind: "loop", labelUsed: false }, (read) => this.emit({ kind: "push", object: result, values: [read()] }), 0, false);
      } else {
        this.emit({ kind: "push", object: result, values: [this.expr(element as Expression)] });
      }
    }
    return result;
  }

  objectLiteral(node: Node): Operand {
    if (!Node.isObjectLiteralExpression(node)) throw unsupportedAt("this expression", node);
    const type = irTypeOf(node);
    const properties = node.getProperties();
    const spreadAt = properties.findIndex((p) => Node.isSpreadAssignment(p));
    if (spreadAt > 0) throw unsupportedAt("a spread after other properties (put `...object` first)", properties[spreadAt]!);
    const fieldValue = (p: Node): { name: string; value: Operand } => {
      if (Node.isPropertyAssignment(p)) {
        const nameNode = p.getNameNode();
        if (Node.isComputedPropertyName(nameNode)) throw unsupportedAt("a computed property name", nameNode);
        return { name: p.getName().replace(/^["']|["']$/g, ""), value: this.expr(p.getInitializerOrThrow()) };
      }
      if (Node.isShorthandPropertyAssignment(p)) return { name: p.getName(), value: this.identifier(p.getNameNode()) };
      throw unsupportedAt("this kind of property", p);
    };
    if (spreadAt === 0) {
      const spread = properties[0]!;
      if (!Node.isSpreadAssignment(spread)) throw unsupportedAt("this spread", spread);
      const copy = this.temp({ kind: "copy", source: this.expr(spread.getExpression()), type }, type);
      for (const p of properties.slice(1)) {
        const { name, value } = fieldValue(p);
        this.emit({ kind: "setField", object: copy, name, value });
      }
      return copy;
    }
    const values = new Map(properties.map((p) => {
      const { name, value } = fieldValue(p);
      return [name, value] as const;
    }));
    if (type.kind !== "record") throw unsupportedAt("this object literal", node);
    const fields = type.fields.map((f) => ({ name: f.name, value: values.get(f.name)! }));
    return this.temp({ kind: "recordLiteral", fields, type }, type);
  }

  newExpression(node: Node): Operand {
    if (!Node.isNewExpression(node)) throw unsupportedAt("this expression", node);
    const ctorNode = node.getExpression();
    const ctor = ctorNode.getText();
    // Before the type: `new Function(…)` is `Function`, a user class's instance is no IR type.
    if (ctor === "Function") throw new DiagnosticError([diagnostics.evalCode(positionOfNode(node))]);
    const args = node.getArguments() as Expression[];
    const constructed = constructedClass(ctorNode);
    if (constructed) return newInstance(this, node, constructed, args);
    const type = irTypeOf(node);
    if (ctor === "Array" && args.length === 1) {
      return this.temp({ kind: "newArray", length: this.expr(args[0]!), type }, type);
    }
    if ((ctor === "Float64Array" || ctor === "Float32Array") && args.length === 1) {
      const argType = irTypeOf(args[0]!);
      if (argType.kind === "number") return this.temp({ kind: "newArray", length: this.expr(args[0]!), fill: num(0), type }, type);
      if (Node.isArrayLiteralExpression(args[0]!) && !args[0]!.getElements().some((e) => Node.isSpreadElement(e))) {
        return this.temp({ kind: "arrayLiteral", elements: args[0]!.getElements().map((e) => this.expr(e)), type }, type);
      }
      return this.temp({ kind: "copy", source: this.expr(args[0]!), type }, type);
    }
    throw unsupportedAt(`\`new ${ctor}\``, node);
  }

  call(node: Node): Operand {
    if (!Node.isCallExpression(node)) throw unsupportedAt("this expression", node);
    const callee = node.getExpression();
    const args = node.getArguments() as Expression[];
    if (Node.isIdentifier(callee)) {
      const name = callee.getText();
      if (name === "eval" || name === "Function") throw new DiagnosticError([diagnostics.evalCode(positionOfNode(node))]);
      const local = this.lookupFunction(name);
      if (local) {
        const operands = spreadArguments(this, local.node, args);
        return inlineValue(this, callee, operands.map((o) => () => o), irTypeOf(node));
      }
      const rule = this.rules.forCallee(callee);
      if (rule) return ruledCall(this, rule, args.map((a) => this.expr(a)));
      const derivative = this.nested?.resolve(callee, this.functionName);
      if (derivative) return this.temp({ kind: "call", callee: derivative, args: args.map((a) => this.expr(a)) }, irTypeOf(node));
      const target = resolveFunction(callee);
      if (!target) throw new DiagnosticError([diagnostics.unknownCallee(name, positionOfNode(callee))]);
      fenceFunctionKind(target.node, node);
      const operands = spreadArguments(this, target.node, args);
      const type = irTypeOf(node);
      if (type.kind === "void") {
        this.emit({ kind: "callStmt", callee: this.functionName(target), args: operands });
        return num(0);
      }
      return this.temp({ kind: "call", callee: this.functionName(target), args: operands }, type);
    }
    if (Node.isPropertyAccessExpression(callee)) {
      const receiver = callee.getExpression();
      const method = callee.getName();
      if (callee.hasQuestionDotToken() || node.hasQuestionDotToken()) throw unsupportedAt("an optional method call (`o?.m()`)", node);
      if (Node.isIdentifier(receiver) && isClassValue(receiver)) throw new DiagnosticError([diagnostics.classOrThis(positionOfNode(receiver))]);
      if (Node.isIdentifier(receiver) && !this.lookup(receiver.getText()) && !isModuleVariable(receiver)) {
        const owner = receiver.getText();
        if (owner === "Math") {
          if (!MATH_FUNCTIONS.has(method)) throw new DiagnosticError([diagnostics.unknownCallee(`Math.${method}`, positionOfNode(callee))]);
          if (args.some((a) => Node.isSpreadElement(a))) return spreadMath(this, node, method, args);
          const operands = args.map((a) => this.expr(a));
          return this.temp({ kind: "math", fn: method, args: operands }, NUMBER);
        }
        if ((owner === "Array" || owner === "Float64Array" || owner === "Float32Array") && method === "from") return arrayFrom(this, node, args);
        if (owner === "Number") return numberFunction(this, node, method, args);
        throw new DiagnosticError([diagnostics.unknownCallee(`${owner}.${method}`, positionOfNode(callee))]);
      }
      const called = methodCall(this, node, receiver, method, args);
      if (called) return called;
      const spread = args.find((a) => Node.isSpreadElement(a));
      if (spread) throw unsupportedAt("a spread argument to a method", spread);
      return lowerMethod(this, node, receiver, method, args);
    }
    throw unsupportedAt("this kind of call", node);
  }

}

const COMPOUND_OPERATORS: Partial<Record<SyntaxKind, "+" | "-" | "*" | "/" | "%" | "**">> = {
  [SyntaxKind.PlusEqualsToken]: "+",
  [SyntaxKind.MinusEqualsToken]: "-",
  [SyntaxKind.AsteriskEqualsToken]: "*",
  [SyntaxKind.SlashEqualsToken]: "/",
  [SyntaxKind.PercentEqualsToken]: "%",
  [SyntaxKind.AsteriskAsteriskEqualsToken]: "**",
};

const BINARY_OPERATORS: Partial<Record<SyntaxKind, Exclude<import("../ir/ir.ts").BinaryOperator, "&&" | "||">>> = {
  [SyntaxKind.PlusToken]: "+",
  [SyntaxKind.MinusToken]: "-",
  [SyntaxKind.AsteriskToken]: "*",
  [SyntaxKind.SlashToken]: "/",
  [SyntaxKind.PercentToken]: "%",
  [SyntaxKind.AsteriskAsteriskToken]: "**",
  [SyntaxKind.LessThanToken]: "<",
  [SyntaxKind.LessThanEqualsToken]: "<=",
  [SyntaxKind.GreaterThanToken]: ">",
  [SyntaxKind.GreaterThanEqualsToken]: ">=",
  [SyntaxKind.EqualsEqualsEqualsToken]: "===",
  [SyntaxKind.ExclamationEqualsEqualsToken]: "!==",
  [SyntaxKind.EqualsEqualsToken]: "===",
  [SyntaxKind.ExclamationEqualsToken]: "!==",
};

export function skipParens(node: Expression): Expression {
  while (Node.isParenthesizedExpression(node)) node = node.getExpression();
  return node;
}

/** Whether an identifier names a module-level variable of the user's files (not a global like `Math`). */
function isModuleVariable(identifier: Node): boolean {
  let symbol = identifier.getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  const decl = symbol?.getDeclarations()[0];
  return !!decl && Node.isVariableDeclaration(decl) && !decl.getSourceFile().isDeclarationFile() && decl.getVariableStatement()?.getParent() === decl.getSourceFile();
}

const ASSIGNMENTS = new Set([
  SyntaxKind.EqualsToken,
  SyntaxKind.QuestionQuestionEqualsToken,
  SyntaxKind.BarBarEqualsToken,
  SyntaxKind.AmpersandAmpersandEqualsToken,
]);

/** Whether `body` assigns a new value to the parameter (`p = …`, `[p, q] = …`), not just into it. */
export function isReassigned(param: Node, body: Node): boolean {
  return body.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => {
    if (id.getSymbol()?.getDeclarations()[0] !== param) return false;
    let target: Node = id;
    let parent = target.getParent();
    while (parent && (Node.isArrayLiteralExpression(parent) || Node.isParenthesizedExpression(parent))) {
      target = parent;
      parent = parent.getParent();
    }
    return !!parent && Node.isBinaryExpression(parent) && parent.getLeft() === target && ASSIGNMENTS.has(parent.getOperatorToken().getKind());
  });
}

const CONSOLE_METHODS = new Set(["log", "info", "warn", "error", "debug", "assert"]);

/** `console.log(…)` and its siblings, called for their output (`console` not shadowed). */
function consoleCall(node: Expression): { method: string; args: Expression[] } | undefined {
  node = skipParens(node);
  if (!Node.isCallExpression(node)) return undefined;
  const callee = node.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || !CONSOLE_METHODS.has(callee.getName())) return undefined;
  const owner = callee.getExpression();
  if (!Node.isIdentifier(owner) || owner.getText() !== "console") return undefined;
  const decl = owner.getSymbol()?.getDeclarations()[0];
  if (decl && !decl.getSourceFile().isDeclarationFile()) return undefined;
  const args = node.getArguments() as Expression[];
  if (args.some((a) => Node.isSpreadElement(a))) return undefined;
  return { method: callee.getName(), args };
}

function isPrimitive(type: Type | undefined): boolean {
  return type?.kind === "number" || type?.kind === "boolean" || type?.kind === "string";
}

function isFunctionLike(node: Node): boolean {
  return Node.isArrowFunction(node) || Node.isFunctionExpression(node);
}

function shorten(text: string): string {
  const line = text.split("\n")[0]!;
  return line.length > 40 ? `${line.slice(0, 37)}...` : line;
}

function endsInBlockJump(node: Statement): boolean {
  if (!Node.isBlock(node)) return false;
  const statements = node.getStatements();
  const last = statements[statements.length - 1];
  return !!last && (Node.isBreakStatement(last) || Node.isReturnStatement(last) || Node.isContinueStatement(last));
}

/**
 * Whether statements computed for the right side of `&&`/`||`/`?:` may run even when the source
 * would skip them: only arithmetic, `Math` calls and reads of named arrays (which cannot throw).
 */
function isSafeToHoist(block: Stmt[]): boolean {
  const readResults = new Set<string>();
  for (const stmt of block) {
    if (stmt.kind !== "let" || !stmt.init) return false;
    const e = stmt.init;
    switch (e.kind) {
      case "operand":
      case "unary":
      case "binary":
      case "select":
      case "math":
        break;
      case "index":
      case "field":
      case "length":
        if (e.object.kind === "var" && readResults.has(e.object.name)) return false;
        readResults.add(stmt.name);
        break;
      default:
        return false;
    }
  }
  return true;
}
