/**
 * The emitter: IR → TypeScript AST (the compiler's node factory, never pasted strings) → text.
 *
 * It reads back the normal form for people: a compiler temporary used once, in the same block,
 * with nothing in between that could change what it reads, is printed in place of its use
 * (`const dz = Math.cos(t1) * (dx * y + x * dy)`); `x = x + 1` prints as `x++`; loops print as
 * `for`/`while`/`do…while` when their parts allow.
 */
import { ts } from "ts-morph";
import type { Expr, Function, Operand, Stmt, Type } from "../ir/ir.ts";
import { isDifferentiable, isReference } from "../ir/types.ts";
import { forEachStmt } from "../analysis/activity.ts";
import { planInlining, type InlinePlan } from "./inline.ts";

const f = ts.factory;

/** `fold: false` prints the normal form as it is (for TSAD_DEBUG_IR). */
export function emitFunction(fn: Function, fold = true): ts.FunctionDeclaration {
  return new FunctionEmitter(fn, fold).emit();
}

export function printNodes(nodes: ts.Statement[], header: string): string {
  const file = f.createSourceFile(nodes, f.createToken(ts.SyntaxKind.EndOfFileToken), ts.NodeFlags.None);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: false });
  const text = printer.printFile(file);
  return `${header}\n${text}`;
}

/** A tape stack's first capacity; it doubles when full. */
const STACK_CAPACITY = 256;

class FunctionEmitter {
  private readonly plan: InlinePlan;
  private readonly inlined = new Map<string, Expr>();
  /** Tapes kept as Float64Array stacks, with the name of their top-of-stack counter. */
  private readonly stacks = new Map<string, string>();
  /** The type of every parameter and local, to know which element reads are of tuples. */
  private readonly types = new Map<string, Type>();

  constructor(
    private readonly fn: Function,
    fold: boolean,
  ) {
    this.plan = fold ? planInlining(fn) : { inline: new Set() };
    for (const s of fn.body) if (s.kind === "let" && s.type.kind === "array" && s.type.stack) this.stacks.set(s.name, s.type.stack);
    for (const p of fn.params) this.types.set(p.name, p.type);
    forEachStmt(fn.body, (s) => s.kind === "let" && this.types.set(s.name, s.type));
  }

  /**
   * An element read, `a[i]!`. Generated code reads an element only where the source reads it
   * (or the same element of a derivative array of the same length, or a tape entry pushed
   * before), so it exists whenever the source's did: `!` says so to a project compiled with
   * noUncheckedIndexedAccess, which types `a[i]` as `number | undefined`. A tuple's constant
   * index is typed exactly and needs nothing.
   */
  /**
   * `const t = a[1]!`: TypeScript narrows `a[1]` by the assignments to it, and through a loop
   * that assigns `a[1] = t` the narrowing would depend on itself (an implicit `any` under
   * noUncheckedIndexedAccess). The declaration's type, written out, breaks the circle.
   */
  private isConstantElementRead(init: Expr): boolean {
    if (init.kind !== "index" || init.index.kind !== "number") return false;
    return init.object.kind !== "var" || this.types.get(init.object.name)?.kind !== "tuple";
  }

  private element(object: Operand, index: Operand): ts.Expression {
    const read = f.createElementAccessExpression(this.operand(object), this.operand(index));
    const type = object.kind === "var" ? this.types.get(object.name) : undefined;
    return type?.kind === "tuple" && index.kind === "number" ? read : f.createNonNullExpression(read);
  }

  private stackOf(o: Operand): { tape: ts.Identifier; top: ts.Identifier } | undefined {
    const top = o.kind === "var" ? this.stacks.get(o.name) : undefined;
    return top === undefined ? undefined : { tape: f.createIdentifier((o as { name: string }).name), top: f.createIdentifier(top) };
  }

  emit(): ts.FunctionDeclaration {
    const fn = this.fn;
    // An optional parameter stays optional (`p?: T`) unless a required one follows it (a
    // tangent, a cotangent): then it is `p: T | undefined`, passed explicitly.
    const optionalFrom = fn.params.length - [...fn.params].reverse().findIndex((p) => p.type.kind !== "optional");
    const params = fn.params.map((p, i) => {
      const optional = p.type.kind === "optional" && (i >= optionalFrom || fn.params.every((q) => q.type.kind === "optional"));
      return f.createParameterDeclaration(undefined, undefined, p.name, optional ? f.createToken(ts.SyntaxKind.QuestionToken) : undefined, typeNode(optional ? (p.type as { value: Type }).value : p.type));
    });
    const modifiers = fn.exported ? [f.createModifier(ts.SyntaxKind.ExportKeyword)] : undefined;
    return f.createFunctionDeclaration(modifiers, undefined, fn.name, undefined, params, typeNode(fn.returnType), f.createBlock(this.block(fn.body), true));
  }

  private block(stmts: Stmt[]): ts.Statement[] {
    const out: ts.Statement[] = [];
    let pendingComments: string[] = [];
    for (const s of stmts) {
      if (s.kind === "comment") {
        pendingComments.push(s.text);
        continue;
      }
      if (s.kind === "let" && this.plan.inline.has(s)) {
        this.inlined.set(s.name, s.init!);
        continue;
      }
      const emitted = this.stmt(s);
      if (emitted.length === 0) continue;
      for (const text of pendingComments) ts.addSyntheticLeadingComment(emitted[0]!, ts.SyntaxKind.SingleLineCommentTrivia, ` ${text}`, true);
      pendingComments = [];
      out.push(...emitted);
    }
    return out;
  }

  private stmt(s: Stmt): ts.Statement[] {
    switch (s.kind) {
      case "let": {
        const top = s.type.kind === "array" ? s.type.stack : undefined;
        if (top !== undefined) {
          // `let tape = new Float64Array(256); let tapeTop = 0;`
          const tape = f.createVariableDeclaration(s.name, undefined, undefined, f.createNewExpression(f.createIdentifier("Float64Array"), undefined, [numberLiteral(STACK_CAPACITY)]));
          const counter = f.createVariableDeclaration(top, undefined, undefined, numberLiteral(0));
          return [f.createVariableStatement(undefined, f.createVariableDeclarationList([tape], ts.NodeFlags.Let)), f.createVariableStatement(undefined, f.createVariableDeclarationList([counter], ts.NodeFlags.Let))];
        }
        const annotate = !s.init || needsAnnotation(this.resolve(s.init), s.type) || this.isConstantElementRead(this.resolve(s.init));
        const exclamation = s.definite && !s.init ? f.createToken(ts.SyntaxKind.ExclamationToken) : undefined;
        const decl = f.createVariableDeclaration(s.name, exclamation, annotate ? typeNode(s.type) : undefined, s.init ? this.expr(s.init) : undefined);
        return [f.createVariableStatement(undefined, f.createVariableDeclarationList([decl], s.mutable ? ts.NodeFlags.Let : ts.NodeFlags.Const))];
      }
      case "assign":
        return [f.createExpressionStatement(this.assignment(s.name, s.value))];
      case "setIndex":
      case "setField": {
        const target = () => (s.kind === "setIndex" ? f.createElementAccessExpression(this.operand(s.object), this.operand(s.index)) : f.createPropertyAccessExpression(this.operand(s.object), s.name));
        const compound = this.compoundUpdate(s);
        // `a[i] += e` reads a[i] too.
        if (compound) return [f.createExpressionStatement(f.createBinaryExpression(s.kind === "setIndex" ? this.element(s.object, s.index) : target(), compound.token, this.expr(compound.rest)))];
        return [f.createExpressionStatement(f.createAssignment(target(), this.operand(s.value)))];
      }
      case "push": {
        const stack = this.stackOf(s.object);
        if (stack) return s.values.flatMap((v) => stackPush(stack.tape, stack.top, this.operand(v)));
        return [f.createExpressionStatement(this.methodCall(s.object, "push", s.values.map((v) => this.operand(v))))];
      }
      case "fill":
        return [f.createExpressionStatement(this.methodCall(s.object, "fill", [this.operand(s.value)]))];
      case "drop": {
        const stack = this.stackOf(s.object);
        if (stack) return [f.createExpressionStatement(f.createPrefixDecrement(stack.top))];
        return [f.createExpressionStatement(this.methodCall(s.object, "pop", []))];
      }
      case "callStmt":
        return [f.createExpressionStatement(f.createCallExpression(f.createIdentifier(s.callee), undefined, s.args.map((a) => this.operand(a))))];
      case "trace": {
        const statement = s.method
          ? f.createExpressionStatement(f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("console"), s.method), undefined, s.args.map((a) => this.operand(a))))
          : f.createDebuggerStatement();
        ts.addSyntheticLeadingComment(statement, ts.SyntaxKind.SingleLineCommentTrivia, ` kept from the source: runs with the primal computation only`, true);
        return [statement];
      }
      case "if": {
        const then = this.block(s.then);
        // Nothing to do when the condition holds (the adjoint of `c ? x : 0`): `if (!c) { … }`.
        if (then.length === 0 && s.else.length > 0) return [f.createIfStatement(f.createLogicalNot(this.operand(s.cond)), f.createBlock(this.block(s.else), true))];
        const elseBranch = s.else.length === 0 ? undefined : s.else.length === 1 && s.else[0]!.kind === "if" ? this.stmt(s.else[0]!)[0] : f.createBlock(this.block(s.else), true);
        return [f.createIfStatement(this.operand(s.cond), f.createBlock(then, true), elseBranch)];
      }
      case "loop":
        return this.loop(s);
      case "block": {
        const block = f.createBlock(this.block(s.body), true);
        return [s.label ? f.createLabeledStatement(s.label, block) : block];
      }
      case "break":
        return [f.createBreakStatement(s.label)];
      case "continue":
        return [f.createContinueStatement(s.label)];
      case "return":
        return [f.createReturnStatement(s.value ? this.operand(s.value) : undefined)];
      case "comment":
        return [];
    }
  }

  private assignment(name: string, value: Expr): ts.Expression {
    // `x = x + e` → `x += e`, and `x = x ± 1` → `x++`/`x--`.
    if (value.kind === "binary" && value.left.kind === "var" && value.left.name === name && "+-*/".includes(value.op) && value.op.length === 1) {
      const right = value.right;
      if ((value.op === "+" || value.op === "-") && right.kind === "number" && right.value === 1) {
        return f.createPostfixUnaryExpression(f.createIdentifier(name), value.op === "+" ? ts.SyntaxKind.PlusPlusToken : ts.SyntaxKind.MinusMinusToken);
      }
      const token = { "+": ts.SyntaxKind.PlusEqualsToken, "-": ts.SyntaxKind.MinusEqualsToken, "*": ts.SyntaxKind.AsteriskEqualsToken, "/": ts.SyntaxKind.SlashEqualsToken }[value.op as "+"] as ts.BinaryOperator;
      return f.createBinaryExpression(f.createIdentifier(name), token, this.operand(right));
    }
    return f.createAssignment(f.createIdentifier(name), this.expr(value));
  }

  private loop(s: Extract<Stmt, { kind: "loop" }>): ts.Statement[] {
    const label = (statement: ts.Statement) => (s.label ? f.createLabeledStatement(s.label, statement) : statement);
    const prelude = s.test ? this.block(s.test.prelude) : [];
    const cond = s.test ? this.operand(s.test.cond) : undefined;
    const update = this.block(s.update);
    const updateExpression = expressionsOf(update);
    const body = () => f.createBlock(this.block(s.body), true);
    const simpleTest = prelude.length === 0;
    const initStatements = this.block(s.init);
    const initList = declarationListOf(initStatements) ?? expressionsOf(initStatements) ?? null;
    if (simpleTest && updateExpression !== null) {
      if (s.bodyFirst) {
        if (initStatements.length === 0 && update.length === 0) return [label(f.createDoStatement(body(), cond ?? f.createTrue()))];
      } else if (initStatements.length === 0 && update.length === 0 && cond) {
        return [label(f.createWhileStatement(cond, body()))];
      } else if (initList !== null || initStatements.length === 0) {
        return [label(f.createForStatement(initList ?? undefined, cond, updateExpression ?? undefined, body()))];
      } else {
        // An initializer that is more than declarations runs just before the loop, in its own scope.
        return [f.createBlock([...initStatements, label(f.createForStatement(undefined, cond, updateExpression ?? undefined, body()))], true)];
      }
    }
    // The general shape: test and update as statements at the top of an endless loop.
    let first = "first";
    for (let n = 2; this.fn.reservedNames.has(first); n++) first = `first${n}`;
    const needsFirst = s.bodyFirst || update.length > 0;
    const top: ts.Statement[] = [];
    if (update.length > 0) top.push(f.createIfStatement(f.createLogicalNot(f.createIdentifier(first)), f.createBlock(update, true)));
    if (s.test) {
      const check = [...prelude, f.createIfStatement(f.createLogicalNot(cond!), f.createBreakStatement())];
      top.push(s.bodyFirst ? f.createIfStatement(f.createLogicalNot(f.createIdentifier(first)), f.createBlock(check, true)) : check.length === 1 ? check[0]! : f.createBlock(check, true));
    }
    if (needsFirst) top.push(f.createExpressionStatement(f.createAssignment(f.createIdentifier(first), f.createFalse())));
    const loop = label(f.createForStatement(undefined, undefined, undefined, f.createBlock([...top.flatMap((t) => (ts.isBlock(t) ? [...t.statements] : [t])), ...this.block(s.body)], true)));
    const firstDecl = needsFirst ? [f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(first, undefined, undefined, f.createTrue())], ts.NodeFlags.Let))] : [];
    return [f.createBlock([...initStatements, ...firstDecl, loop], true)];
  }

  /**
   * `a[i] = a[i] + e` → `a[i] += e` (and `-=`), when the value is a folded sum whose left side
   * reads the element being written.
   */
  private compoundUpdate(s: Extract<Stmt, { kind: "setIndex" | "setField" }>): { token: ts.BinaryOperator; rest: Expr } | undefined {
    const value = this.resolve({ kind: "operand", value: s.value });
    if (value.kind !== "binary" || (value.op !== "+" && value.op !== "-") || value.left.kind !== "var" || !this.inlined.has(value.left.name)) return undefined;
    const read = this.inlined.get(value.left.name)!;
    const same = (a: Operand, b: Operand) => a.kind === "var" && b.kind === "var" && a.name === b.name;
    const matches = s.kind === "setIndex" ? read.kind === "index" && same(read.object, s.object) && (same(read.index, s.index) || (read.index.kind === "number" && s.index.kind === "number" && read.index.value === s.index.value)) : read.kind === "field" && same(read.object, s.object) && read.name === s.name;
    if (!matches) return undefined;
    this.inlined.delete(value.left.name);
    if (s.value.kind === "var") this.inlined.delete(s.value.name);
    const rest: Expr = { kind: "operand", value: value.right };
    // `+ -e` reads better as `- e`.
    const negated = this.resolve(rest);
    if (value.op === "+" && negated.kind === "unary" && negated.op === "-") {
      if (value.right.kind === "var") this.inlined.delete(value.right.name);
      return { token: ts.SyntaxKind.MinusEqualsToken, rest: { kind: "operand", value: negated.arg } };
    }
    return { token: value.op === "+" ? ts.SyntaxKind.PlusEqualsToken : ts.SyntaxKind.MinusEqualsToken, rest };
  }

  /** What an expression prints as, looking through a folded temporary. */
  private resolve(e: Expr): Expr {
    if (e.kind === "operand" && e.value.kind === "var") {
      const inlined = this.inlined.get(e.value.name);
      if (inlined) return this.resolve(inlined);
    }
    return e;
  }

  private methodCall(object: Operand, method: string, args: ts.Expression[]): ts.Expression {
    return f.createCallExpression(f.createPropertyAccessExpression(this.operand(object), method), undefined, args);
  }

  private operand(o: Operand): ts.Expression {
    switch (o.kind) {
      case "var": {
        const inlined = this.inlined.get(o.name);
        if (inlined) {
          this.inlined.delete(o.name);
          return this.expr(inlined);
        }
        return f.createIdentifier(o.name);
      }
      case "number":
        return numberLiteral(o.value, o.text);
      case "boolean":
        return o.value ? f.createTrue() : f.createFalse();
      case "string":
        return f.createStringLiteral(o.value);
      case "undefined":
        return f.createIdentifier("undefined");
    }
  }

  expr(e: Expr): ts.Expression {
    switch (e.kind) {
      case "operand":
        return this.operand(e.value);
      case "unary": {
        const token = e.op === "-" ? ts.SyntaxKind.MinusToken : e.op === "+" ? ts.SyntaxKind.PlusToken : ts.SyntaxKind.ExclamationToken;
        return f.createPrefixUnaryExpression(token, this.operand(e.arg));
      }
      case "binary": {
        let left = this.operand(e.left);
        let right = this.operand(e.right);
        // `-x ** 2` is a syntax error: the base needs parentheses.
        if (e.op === "**" && (ts.isPrefixUnaryExpression(left) || (ts.isNumericLiteral(left) && left.text.startsWith("-")))) left = f.createParenthesizedExpression(left);
        // The printer drops the parentheses of `a * (b * c)` (associative in arithmetic, not in
        // floating point): keep them, so the value is computed exactly as the source does.
        if (ts.isBinaryExpression(right) && samePrecedence(e.op, right.operatorToken.kind)) right = f.createParenthesizedExpression(right);
        return f.createBinaryExpression(left, BINARY_TOKENS[e.op], right);
      }
      case "select": {
        // `present ? p : 0` reads an optional `p` its condition found present: TypeScript cannot
        // always see that through the condition's variable, so the read says it.
        const whenTrue = this.operand(e.whenTrue);
        const asserted = e.whenTrue.kind === "var" && this.types.get(e.whenTrue.name)?.kind === "optional" && e.whenFalse.kind !== "undefined" ? f.createNonNullExpression(whenTrue) : whenTrue;
        return f.createConditionalExpression(this.operand(e.cond), f.createToken(ts.SyntaxKind.QuestionToken), asserted, f.createToken(ts.SyntaxKind.ColonToken), this.operand(e.whenFalse));
      }
      case "math": {
        const callee = e.external ? f.createIdentifier(e.fn) : f.createPropertyAccessExpression(f.createIdentifier("Math"), e.fn);
        return f.createCallExpression(callee, undefined, e.args.map((a) => this.operand(a)));
      }
      case "call":
        return f.createCallExpression(f.createIdentifier(e.callee), undefined, e.args.map((a) => this.operand(a)));
      case "index":
        return this.element(e.object, e.index);
      case "field":
        return f.createPropertyAccessExpression(this.operand(e.object), e.name);
      case "length":
        return f.createPropertyAccessExpression(this.operand(e.object), "length");
      case "arrayLiteral": {
        const list = f.createArrayLiteralExpression(e.elements.map((x) => this.operand(x)));
        return e.type.kind === "array" && e.type.typed ? f.createNewExpression(f.createIdentifier(e.type.typed), undefined, [list]) : list;
      }
      case "recordLiteral":
        return f.createObjectLiteralExpression(
          e.fields.map((field) => {
            const value = this.operand(field.value);
            return ts.isIdentifier(value) && value.text === field.name ? f.createShorthandPropertyAssignment(field.name) : f.createPropertyAssignment(propertyName(field.name), value);
          }),
        );
      case "newArray": {
        const type = e.type as Extract<Type, { kind: "array" }>;
        const length = this.operand(e.length);
        if (type.typed) {
          const created = f.createNewExpression(f.createIdentifier(type.typed), undefined, [length]);
          return e.fill && !(e.fill.kind === "number" && e.fill.value === 0) ? f.createCallExpression(f.createPropertyAccessExpression(created, "fill"), undefined, [this.operand(e.fill)]) : created;
        }
        const created = f.createNewExpression(f.createIdentifier("Array"), [typeNode(type.element)], [length]);
        return e.fill ? f.createCallExpression(f.createPropertyAccessExpression(created, "fill"), undefined, [this.operand(e.fill)]) : created;
      }
      case "copy": {
        const source = this.operand(e.source);
        if (e.deep) return deepCopy(source, e.type, 0);
        if (e.type.kind === "record") return f.createObjectLiteralExpression([f.createSpreadAssignment(source)]);
        if (e.type.kind === "tuple") return f.createArrayLiteralExpression([f.createSpreadElement(source)]);
        const args = [e.start, e.end].filter((a): a is Operand => a !== undefined).map((a) => this.operand(a));
        return f.createCallExpression(f.createPropertyAccessExpression(source, "slice"), undefined, args);
      }
      case "zerosLike":
        return zerosLike(this.operand(e.like), e.type, 0, e.sparse);
      case "pop": {
        const stack = this.stackOf(e.object);
        // `tape[--tapeTop]`
        if (stack) return f.createNonNullExpression(f.createElementAccessExpression(stack.tape, f.createPrefixDecrement(stack.top)));
        return f.createNonNullExpression(f.createCallExpression(f.createPropertyAccessExpression(this.operand(e.object), "pop"), undefined, []));
      }
    }
  }
}

/** `if (top === tape.length) { …double it… } tape[top++] = value;` */
function stackPush(tape: ts.Identifier, top: ts.Identifier, value: ts.Expression): ts.Statement[] {
  const grown = f.createIdentifier("grown");
  const grow = f.createBlock(
    [
      f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(grown, undefined, undefined, f.createNewExpression(f.createIdentifier("Float64Array"), undefined, [f.createBinaryExpression(numberLiteral(2), ts.SyntaxKind.AsteriskToken, f.createPropertyAccessExpression(tape, "length"))]))], ts.NodeFlags.Const)),
      f.createExpressionStatement(f.createCallExpression(f.createPropertyAccessExpression(grown, "set"), undefined, [tape])),
      f.createExpressionStatement(f.createAssignment(tape, grown)),
    ],
    true,
  );
  return [
    f.createIfStatement(f.createStrictEquality(top, f.createPropertyAccessExpression(tape, "length")), grow),
    f.createExpressionStatement(f.createAssignment(f.createElementAccessExpression(tape, f.createPostfixIncrement(top)), value)),
  ];
}

/** Zeros in the derivative shape of `type`, sized like the value `like`. */
function zerosLike(like: ts.Expression, type: Type, depth: number, sparse = false): ts.Expression {
  switch (type.kind) {
    case "array": {
      const length = f.createPropertyAccessExpression(like, "length");
      if (type.typed) return f.createNewExpression(f.createIdentifier(type.typed), undefined, [length]);
      if (type.element.kind === "number") {
        return f.createCallExpression(f.createPropertyAccessExpression(f.createNewExpression(f.createIdentifier("Array"), [typeNode(type.element)], [length]), "fill"), undefined, [numberLiteral(0)]);
      }
      const item = depth === 0 ? "item" : `item${depth + 1}`;
      const zeros = zerosLike(f.createIdentifier(item), type.element, depth + 1);
      // A tape's entries saved before their variable had a value stay as they are.
      const body = sparse ? f.createBinaryExpression(f.createIdentifier(item), ts.SyntaxKind.AmpersandAmpersandToken, zeros) : zeros;
      const arrow = f.createArrowFunction(undefined, undefined, [f.createParameterDeclaration(undefined, undefined, item)], undefined, f.createToken(ts.SyntaxKind.EqualsGreaterThanToken), body);
      return f.createCallExpression(f.createPropertyAccessExpression(like, "map"), undefined, [arrow]);
    }
    case "tuple":
      return f.createArrayLiteralExpression(type.elements.map((t, i) => (isDifferentiable(t) ? zerosLike(f.createElementAccessExpression(like, i), t, depth + 1) : numberLiteral(0))));
    case "record":
      return f.createParenthesizedExpression(
        f.createObjectLiteralExpression(
          type.fields.filter((field) => isDifferentiable(field.type)).map((field) => f.createPropertyAssignment(propertyName(field.name), zerosLike(f.createPropertyAccessExpression(like, field.name), field.type, depth + 1))),
        ),
      );
    default:
      return numberLiteral(0);
  }
}

/** A copy of `value` that shares no container with it. */
function deepCopy(value: ts.Expression, type: Type, depth: number): ts.Expression {
  switch (type.kind) {
    case "array": {
      if (type.typed || !isReference(type.element)) return f.createCallExpression(f.createPropertyAccessExpression(value, "slice"), undefined, []);
      const item = depth === 0 ? "item" : `item${depth + 1}`;
      const arrow = f.createArrowFunction(undefined, undefined, [f.createParameterDeclaration(undefined, undefined, item)], undefined, f.createToken(ts.SyntaxKind.EqualsGreaterThanToken), deepCopy(f.createIdentifier(item), type.element, depth + 1));
      return f.createCallExpression(f.createPropertyAccessExpression(value, "map"), undefined, [arrow]);
    }
    case "tuple":
      return f.createArrayLiteralExpression(type.elements.map((t, i) => deepCopy(f.createElementAccessExpression(value, i), t, depth + 1)));
    case "record":
      return f.createParenthesizedExpression(
        f.createObjectLiteralExpression(type.fields.map((field) => f.createPropertyAssignment(propertyName(field.name), deepCopy(f.createPropertyAccessExpression(value, field.name), field.type, depth + 1)))),
      );
    default:
      return value;
  }
}

export function typeNode(type: Type): ts.TypeNode {
  switch (type.kind) {
    case "number":
      return f.createKeywordTypeNode(ts.SyntaxKind.NumberKeyword);
    case "boolean":
      return f.createKeywordTypeNode(ts.SyntaxKind.BooleanKeyword);
    case "string":
      return f.createKeywordTypeNode(ts.SyntaxKind.StringKeyword);
    case "void":
      return f.createKeywordTypeNode(ts.SyntaxKind.VoidKeyword);
    case "array":
      if (type.stack) return f.createTypeReferenceNode("Float64Array");
      return type.typed ? f.createTypeReferenceNode(type.typed) : f.createArrayTypeNode(typeNode(type.element));
    case "tuple":
      return f.createTupleTypeNode(type.elements.map(typeNode));
    case "record":
      return f.createTypeLiteralNode(
        type.fields.map((field) =>
          field.type.kind === "optional"
            ? f.createPropertySignature(undefined, propertyName(field.name), f.createToken(ts.SyntaxKind.QuestionToken), typeNode(field.type.value))
            : f.createPropertySignature(undefined, propertyName(field.name), undefined, typeNode(field.type)),
        ),
      );
    case "optional":
      return f.createUnionTypeNode([typeNode(type.value), f.createKeywordTypeNode(ts.SyntaxKind.UndefinedKeyword)]);
  }
}

function propertyName(name: string): ts.PropertyName {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? f.createIdentifier(name) : f.createStringLiteral(name);
}

function numberLiteral(value: number, text?: string): ts.Expression {
  if (text?.startsWith("Math.")) return f.createPropertyAccessExpression(f.createIdentifier("Math"), text.slice(5));
  if (text?.startsWith("-Math.")) return f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createPropertyAccessExpression(f.createIdentifier("Math"), text.slice(6)));
  if (Number.isNaN(value)) return f.createIdentifier("NaN");
  if (!Number.isFinite(value)) return value > 0 ? f.createIdentifier("Infinity") : f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createIdentifier("Infinity"));
  if (value < 0 || Object.is(value, -0)) return f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, numberLiteral(-value, text?.replace(/^-/, "")));
  return f.createNumericLiteral(text && !text.startsWith("-") ? text : String(value));
}

/** Inference gets these wrong or too wide (`[]`, tuples, `new Array`): spell the type out. */
function needsAnnotation(init: Expr, type: Type): boolean {
  if (!isReference(type)) return false;
  return init.kind === "arrayLiteral" || init.kind === "newArray" || init.kind === "copy" || init.kind === "zerosLike" || init.kind === "recordLiteral" || init.kind === "select";
}

function expressionsOf(statements: ts.Statement[]): ts.Expression | undefined | null {
  if (statements.length === 0) return undefined;
  const expressions: ts.Expression[] = [];
  for (const s of statements) {
    if (!ts.isExpressionStatement(s)) return null;
    expressions.push(s.expression);
  }
  return expressions.reduce((a, b) => f.createComma(a, b));
}

function declarationListOf(statements: ts.Statement[]): ts.VariableDeclarationList | null | undefined {
  if (statements.length === 0) return null;
  const declarations: ts.VariableDeclaration[] = [];
  let flags: ts.NodeFlags | undefined;
  for (const s of statements) {
    if (!ts.isVariableStatement(s)) return null;
    const listFlags = s.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const);
    if (flags !== undefined && flags !== listFlags) return null;
    flags = listFlags;
    declarations.push(...s.declarationList.declarations);
  }
  return f.createVariableDeclarationList(declarations, flags);
}

const BINARY_TOKENS: Record<string, ts.BinaryOperator> = {
  "+": ts.SyntaxKind.PlusToken,
  "-": ts.SyntaxKind.MinusToken,
  "*": ts.SyntaxKind.AsteriskToken,
  "/": ts.SyntaxKind.SlashToken,
  "%": ts.SyntaxKind.PercentToken,
  "**": ts.SyntaxKind.AsteriskAsteriskToken,
  "<": ts.SyntaxKind.LessThanToken,
  "<=": ts.SyntaxKind.LessThanEqualsToken,
  ">": ts.SyntaxKind.GreaterThanToken,
  ">=": ts.SyntaxKind.GreaterThanEqualsToken,
  "===": ts.SyntaxKind.EqualsEqualsEqualsToken,
  "!==": ts.SyntaxKind.ExclamationEqualsEqualsToken,
  "&&": ts.SyntaxKind.AmpersandAmpersandToken,
  "||": ts.SyntaxKind.BarBarToken,
};

function samePrecedence(op: string, other: ts.SyntaxKind): boolean {
  const additive = [ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken];
  const multiplicative = [ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.PercentToken];
  if (op === "+" || op === "-") return additive.includes(other);
  if (op === "*" || op === "/" || op === "%") return multiplicative.includes(other);
  return false;
}
