/**
 * What lowering rejects, and how it says so: the diagnostic for syntax tsad does not lower (named
 * as the user would name it, never by an AST kind), and the checks that report async code,
 * generators, `try`, classes and nested function declarations with their own diagnostics, before
 * anything else about them (their types, their bodies) is read.
 */
import { Node, SyntaxKind, type Expression } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import { resolveFunction, type FunctionNode } from "../load/functions.ts";
import { skipParens } from "./expressions.ts";

export const unsupportedAt = (what: string, node: Node) => new DiagnosticError([diagnostics.unsupportedSyntax(what, positionOfNode(node))]);

/** Statements tsad does not lower, as the user would name them (never an AST kind name). */
const STATEMENT_NAMES: Partial<Record<SyntaxKind, string>> = {
  [SyntaxKind.ForInStatement]: "`for…in`",
  [SyntaxKind.WithStatement]: "`with`",
  [SyntaxKind.EnumDeclaration]: "an `enum` declared inside a function",
  [SyntaxKind.ModuleDeclaration]: "a namespace declared inside a function",
  [SyntaxKind.ImportEqualsDeclaration]: "`import … =` inside a function",
};

/** A statement that is not lowered: its own diagnostic where it has one, else "unsupported syntax". */
export function unsupportedStatement(node: Node): DiagnosticError {
  fence(node);
  return unsupportedAt(STATEMENT_NAMES[node.getKind()] ?? `the statement \`${shorten(node.getText())}\``, node);
}

/** The first line of `text`, cut to 40 characters: how a diagnostic quotes code. */
export function shorten(text: string): string {
  const line = text.split("\n")[0]!;
  return line.length > 40 ? `${line.slice(0, 37)}...` : line;
}

/** Reports the constructs of SPEC §1's last paragraph with their own diagnostics. */
function fence(node: Node): void {
  if (Node.isTryStatement(node) || Node.isThrowStatement(node)) throw new DiagnosticError([diagnostics.tryCatch(positionOfNode(node))]);
  if (Node.isClassDeclaration(node)) throw new DiagnosticError([diagnostics.classOrThis(positionOfNode(node))]);
  if (Node.isFunctionDeclaration(node)) throw new DiagnosticError([diagnostics.closure(positionOfNode(node))]);
}

function isGeneratorFunction(node: Node): boolean {
  return (Node.isFunctionDeclaration(node) || Node.isFunctionExpression(node)) && node.isGenerator();
}

/** TSAD2002/2003 for a function that is async or a generator, reported at `at`. */
export function fenceFunctionKind(fn: FunctionNode, at: Node): void {
  if (Node.isAsyncable(fn) && fn.isAsync()) throw new DiagnosticError([diagnostics.asyncCode(positionOfNode(at))]);
  if (isGeneratorFunction(fn)) throw new DiagnosticError([diagnostics.generator(positionOfNode(at))]);
}

/** A call of an async function or a generator: reported at the call, before its type is read. */
export function fenceCallee(node: Expression): void {
  node = skipParens(node);
  if (!Node.isCallExpression(node)) return;
  const callee = node.getExpression();
  if (!Node.isIdentifier(callee)) return;
  const target = resolveFunction(callee);
  if (target) fenceFunctionKind(target.node, node);
}
