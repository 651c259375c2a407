/**
 * Calling code in place: callbacks of the array methods (their `return` becomes a write of the
 * result and a jump to the next iteration), and calls of functions with a user rule.
 */
import { Node, SyntaxKind, type Expression } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import { resolveFunction } from "../load/functions.ts";
import type { Operand } from "../ir/ir.ts";
import { NUMBER } from "../ir/ir.ts";
import { MATH_FUNCTIONS } from "../rules/math.ts";
import type { UserRule } from "../rules/user-rules.ts";
import { toIRType } from "./types.ts";
import { fenceFunctionKind, skipParens, unsupportedAt, type CallbackFrame, type FunctionLowerer, type JumpTarget } from "./lower.ts";

/**
 * Inlines a callback's body at the current point. `args` produce the values of its parameters
 * (lazily, so that an unused element is never read); `onReturn` consumes what it returns.
 */
export function inlineCallback(l: FunctionLowerer, callback: Expression, args: (() => Operand)[], loop: JumpTarget, onReturn: (value: Operand | undefined) => void): void {
  callback = skipParens(callback);
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
        l.declare(nameNode.getText(), l.typeOfOperand(value), l.asExpr(value), false);
      } else {
        l.destructure(nameNode, produce(), false);
      }
    });
    const frame: CallbackFrame = { onReturn, targetDepth: l.targets.length, loop };
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
