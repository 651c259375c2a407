/**
 * Statements and the control flow that is not a loop: blocks, `if`, `return` (which, inside an
 * inlined callback, writes the callback's result and jumps), `switch` (an `if` chain, inside a
 * labelled block when a `break` leaves it early), `console.*` and `debugger` (traces with no
 * numeric effect), and the dispatch to declarations and loops.
 */
import { Node, type Expression, type Statement, type SwitchStatement } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import type { Operand, Stmt } from "../ir/ir.ts";
import { BOOLEAN, ref } from "../ir/ir.ts";
import { declareVariables } from "./declarations.ts";
import { effect, skipParens } from "./expressions.ts";
import { jump, lowerLoop } from "./loops.ts";
import { unsupportedAt, unsupportedStatement } from "./unsupported.ts";
import type { FunctionLowerer, JumpTarget } from "./function-lowerer.ts";

export function lowerStatement(l: FunctionLowerer, node: Statement): void {
  l.loc = l.locOf(node);
  if (Node.isVariableStatement(node)) {
    declareVariables(l, node);
    return;
  }
  if (Node.isExpressionStatement(node)) {
    const traced = consoleCall(node.getExpression());
    if (traced) {
      // Arguments are evaluated as the source does; the call itself has no numeric effect.
      l.emit({ kind: "trace", method: traced.method, args: traced.args.map((a) => l.expr(a)) });
      return;
    }
    effect(l, node.getExpression());
    return;
  }
  if (Node.isDebuggerStatement(node)) {
    l.emit({ kind: "trace", args: [] });
    return;
  }
  if (Node.isReturnStatement(node)) {
    returnStatement(l, node.getExpression());
    return;
  }
  if (Node.isIfStatement(node)) {
    const cond = l.truthy(l.expr(node.getExpression()));
    const thenBlock = l.captureBlock(() => l.inScope(() => lowerBody(l, node.getThenStatement())));
    const elseNode = node.getElseStatement();
    const elseBlock = elseNode ? l.captureBlock(() => l.inScope(() => lowerBody(l, elseNode))) : [];
    l.loc = l.locOf(node);
    l.emit({ kind: "if", cond, then: thenBlock, else: elseBlock });
    return;
  }
  if (Node.isBlock(node)) {
    const body = l.captureBlock(() => l.inScope(() => node.getStatements().forEach((s) => lowerStatement(l, s))));
    l.emit({ kind: "block", body });
    return;
  }
  if (Node.isEmptyStatement(node)) return;
  // Types only: nothing to run.
  if (Node.isInterfaceDeclaration(node) || Node.isTypeAliasDeclaration(node)) return;
  if (Node.isLabeledStatement(node)) {
    const inner = node.getStatement();
    const label = node.getLabel().getText();
    if (Node.isForStatement(inner) || Node.isForOfStatement(inner) || Node.isWhileStatement(inner) || Node.isDoStatement(inner)) {
      lowerLoop(l, inner, label);
      return;
    }
    if (!Node.isForInStatement(inner)) throw unsupportedAt("a label on a statement that is not a loop", node);
    throw unsupportedStatement(inner);
  }
  if (Node.isForStatement(node) || Node.isForOfStatement(node) || Node.isWhileStatement(node) || Node.isDoStatement(node)) {
    lowerLoop(l, node, undefined);
    return;
  }
  if (Node.isBreakStatement(node) || Node.isContinueStatement(node)) {
    jump(l, node);
    return;
  }
  if (Node.isSwitchStatement(node)) {
    switchStatement(l, node);
    return;
  }
  throw unsupportedStatement(node);
}

/** The statements of an `if` branch or a loop body, without a block of their own. */
export function lowerBody(l: FunctionLowerer, node: Statement): void {
  if (Node.isBlock(node)) node.getStatements().forEach((s) => lowerStatement(l, s));
  else lowerStatement(l, node);
}

/**
 * `return e`: in an inlined callback, the callback's result and a jump to the next iteration (or
 * out of the block it runs in); in a constructor, the instance it builds; else a `return`.
 */
function returnStatement(l: FunctionLowerer, e: Expression | undefined): void {
  const value = e ? l.expr(e) : undefined;
  const callback = l.callbacks[l.callbacks.length - 1];
  if (callback) {
    callback.onReturn(value);
    if (callback.exit === "break") {
      callback.loop.labelUsed = true;
      l.emit({ kind: "break", label: callback.loop.label });
    } else {
      const innerLoops = l.targets.slice(callback.targetDepth).some((t) => t.kind === "loop");
      if (innerLoops) callback.loop.labelUsed = true;
      l.emit({ kind: "continue", label: innerLoops ? callback.loop.label : undefined });
    }
  } else {
    l.emit({ kind: "return", value: l.constructed ? ref(l.constructed) : value });
  }
}

function switchStatement(l: FunctionLowerer, node: SwitchStatement): void {
  const discriminant = l.expr(node.getExpression());
  const label = l.names.fresh("cases");
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
  l.targets.push(target);
  const lowerClause = (statements: Statement[]) =>
    l.captureBlock(() =>
      l.inScope(() => {
        const last = statements[statements.length - 1];
        const trailingBreak = last && Node.isBreakStatement(last) && !last.getLabel();
        for (const s of trailingBreak ? statements.slice(0, -1) : statements) lowerStatement(l, s);
      }),
    );
  const chain = (from: number): Stmt[] => {
    if (from >= cases.length) return fallback ? lowerClause(fallback.statements) : [];
    const group = cases[from]!;
    return l.captureBlock(() => {
      l.loc = l.locOf(group.node);
      let cond: Operand | undefined;
      for (const testNode of group.tests) {
        const value = l.expr(testNode);
        const equal = l.temp({ kind: "binary", op: "===", left: discriminant, right: value }, BOOLEAN);
        cond = cond ? l.temp({ kind: "binary", op: "||", left: cond, right: equal }, BOOLEAN) : equal;
      }
      const body = lowerClause(group.statements);
      const rest = chain(from + 1);
      l.loc = l.locOf(group.node);
      l.emit({ kind: "if", cond: cond!, then: body, else: rest });
    });
  };
  const body = chain(0);
  l.targets.pop();
  l.loc = l.locOf(node);
  if (target.labelUsed) l.emit({ kind: "block", label, body });
  else l.block.push(...body);
}

function endsInBlockJump(node: Statement): boolean {
  if (!Node.isBlock(node)) return false;
  const statements = node.getStatements();
  const last = statements[statements.length - 1];
  return !!last && (Node.isBreakStatement(last) || Node.isReturnStatement(last) || Node.isContinueStatement(last));
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
