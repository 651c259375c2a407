/**
 * Calling code in place: callbacks of the array methods (their `return` becomes a write of the
 * result and a jump to the next iteration), and calls of functions with a user rule.
 */
import { Node, SyntaxKind, type ArrowFunction, type Expression, type FunctionExpression } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import { resolveFunction } from "../load/functions.ts";
import type { Operand, Type } from "../ir/ir.ts";
import { NUMBER, num, ref } from "../ir/ir.ts";
import { MATH_FUNCTIONS } from "../rules/math.ts";
import type { UserRule } from "../rules/user-rules.ts";
import { toIRType } from "./types.ts";
import { isReassigned } from "./access.ts";
import { destructure } from "./declarations.ts";
import { skipParens } from "./expressions.ts";
import { fenceFunctionKind, unsupportedAt } from "./unsupported.ts";
import type { CallbackFrame, FunctionLowerer, JumpTarget } from "./function-lowerer.ts";

/**
 * Inlines a callback's body at the current point. `args` produce the values of its parameters
 * (lazily, so that an unused element is never read); `onReturn` consumes what it returns.
 */
export function inlineCallback(l: FunctionLowerer, callback: Expression, args: (() => Operand)[], loop: JumpTarget, onReturn: (value: Operand | undefined) => void, options: InlineOptions = {}): void {
  const exit = options.exit ?? "continue";
  callback = skipParens(callback);
  const local = Node.isIdentifier(callback) ? l.lookupFunction(callback.getText()) : undefined;
  if (local) {
    l.withLocalFunction(local, callback, () => inlineCallback(l, local.node, args, loop, onReturn, options));
    return;
  }
  if (Node.isIdentifier(callback) || Node.isPropertyAccessExpression(callback)) {
    // A named function: call it with as many arguments as it declares.
    if (Node.isPropertyAccessExpression(callback)) {
      const owner = callback.getExpression().getText();
      const fn = callback.getName();
      if (owner !== "Math" || !MATH_FUNCTIONS.has(fn)) throw new DiagnosticError([diagnostics.unknownCallee(callback.getText(), positionOfNode(callback))]);
      onReturn(l.temp({ kind: "math", fn, args: [args[0]!()] }, NUMBER));
      return;
    }
    const rule = l.rules.forCallee(callback);
    if (rule) {
      onReturn(ruledCall(l, rule, args.slice(0, rule.arity).map((a) => a())));
      return;
    }
    const target = resolveFunction(callback);
    if (!target) throw new DiagnosticError([diagnostics.unknownCallee(callback.getText(), positionOfNode(callback))]);
    fenceFunctionKind(target.node, callback);
    const count = Math.min(target.node.getParameters().length, args.length);
    const operands = args.slice(0, count).map((a) => a());
    const returnType = toIRType(target.node.getSignature().getReturnType(), callback);
    if (returnType.kind === "void") {
      l.emit({ kind: "callStmt", callee: l.functionName(target), args: operands });
      onReturn(undefined);
    } else {
      onReturn(l.temp({ kind: "call", callee: l.functionName(target), args: operands }, returnType));
    }
    return;
  }
  if (!Node.isArrowFunction(callback) && !Node.isFunctionExpression(callback)) throw unsupportedAt("this callback", callback);
  if (callback.isAsync()) throw new DiagnosticError([diagnostics.asyncCode(positionOfNode(callback))]);
  l.inScope(() => {
    callback.getParameters().forEach((param, i) => {
      const produce = args[i];
      if (!produce) throw unsupportedAt("a callback with more parameters than the method passes", param);
      const nameNode = param.getNameNode();
      // An unused parameter (`_`) reads nothing.
      if (Node.isIdentifier(nameNode)) {
        const name = nameNode.getText();
        const body = callback.getBody();
        const identifiers = Node.isIdentifier(body) ? [body] : body.getDescendantsOfKind(SyntaxKind.Identifier);
        if (!identifiers.some((id) => id.getText() === name)) return;
        const value = produce();
        if (options.bindParams) {
          // Named after the value it holds, never declared: the caller's block may declare `name` later.
          const held = value.kind === "var" && l.names.temporaries.has(value.name) ? value : l.temp(l.asExpr(value), l.typeOfOperand(value));
          l.bind(name, (held as { name: string }).name);
        } else {
          l.declare(nameNode.getText(), l.typeOfOperand(value), l.asExpr(value), false);
        }
      } else {
        destructure(l, nameNode, produce(), false);
      }
    });
    const frame: CallbackFrame = { onReturn, targetDepth: l.targets.length, loop, exit };
    const body = callback.getBody();
    if (!Node.isBlock(body)) {
      l.loc = l.locOf(body);
      onReturn(l.expr(body as Expression));
      return;
    }
    l.callbacks.push(frame);
    try {
      const statements = body.getStatements();
      const last = statements[statements.length - 1];
      const tailReturn = last && Node.isReturnStatement(last) ? last : undefined;
      for (const s of tailReturn ? statements.slice(0, -1) : statements) l.statement(s);
      if (tailReturn) {
        l.loc = l.locOf(tailReturn);
        const e = tailReturn.getExpression();
        onReturn(e ? l.expr(e) : undefined);
      }
    } finally {
      l.callbacks.pop();
    }
  });
}

/** `f(args)` where f has a user rule: an operation whose partials are calls of the rule's companion. */
export function ruledCall(l: FunctionLowerer, rule: UserRule, operands: Operand[]): Operand {
  const partials = l.functionName(rule.companion);
  return l.temp({ kind: "math", fn: rule.name, args: operands, external: { from: rule.from, partials, tuple: rule.tuple } }, NUMBER);
}

export interface InlineOptions {
  /** How a `return` leaves the body (see `CallbackFrame.exit`). */
  exit?: "continue" | "break";
  /** Parameters name the values passed (an expression body that never assigns them declares nothing). */
  bindParams?: boolean;
}

/** Whether a function's body returns anywhere but at its end, or assigns a parameter. */
function needsOwnBlock(fn: ArrowFunction | FunctionExpression): { block: boolean; early: boolean } {
  const body = fn.getBody();
  const assigned = fn.getParameters().some((p) => isReassigned(p, body));
  if (!Node.isBlock(body)) return { block: assigned, early: false };
  const statements = body.getStatements();
  const last = statements[statements.length - 1];
  const own = body.getDescendantsOfKind(SyntaxKind.ReturnStatement).filter((r) => r.getFirstAncestor((a) => Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isFunctionDeclaration(a)) === fn);
  return { block: true, early: own.some((r) => r !== last) };
}

/**
 * A function called once, for its value: a comparator's `cmp(a, b)`, a local function's call.
 * An expression body is lowered in place; a block body gets a block of its own (its locals
 * stay in it), labelled when it returns early: its `return`s then break out of it.
 */
export function inlineValue(l: FunctionLowerer, callback: Expression, args: (() => Operand)[], type: Type): Operand {
  callback = skipParens(callback);
  const local = Node.isIdentifier(callback) ? l.lookupFunction(callback.getText()) : undefined;
  const fn = local?.node ?? callback;
  const shape = Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) ? needsOwnBlock(fn) : { block: false, early: false };
  const loc = l.loc;
  if (!shape.block) {
    let result: Operand = num(0);
    inlineCallback(l, callback, args, { kind: "switch", labelUsed: false }, (value) => {
      if (value) result = value;
    }, { bindParams: true });
    l.loc = loc;
    return result;
  }
  const returnsValue = type.kind !== "void";
  const name = l.names.fresh("result");
  if (returnsValue) {
    l.types.set(name, type);
    l.emit({ kind: "let", name, type, mutable: true, definite: true });
  }
  const target: JumpTarget = { kind: "switch", label: l.names.fresh("call"), labelUsed: false };
  const body = l.captureBlock(() =>
    inlineCallback(l, callback, args, target, (value) => {
      if (value && returnsValue) l.emit({ kind: "assign", name, value: l.asExpr(value) });
    }, { exit: "break" }),
  );
  l.loc = loc;
  l.emit({ kind: "block", label: target.labelUsed ? target.label : undefined, body });
  return returnsValue ? ref(name) : num(0);
}
