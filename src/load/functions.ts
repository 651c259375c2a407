/** Finding the functions of the user's files: top-level declarations and `const f = (...) => ...`. */
import { Node, SyntaxKind, type ArrowFunction, type FunctionDeclaration, type FunctionExpression, type SourceFile } from "ts-morph";

export type FunctionNode = FunctionDeclaration | ArrowFunction | FunctionExpression;

export interface SourceFunction {
  name: string;
  node: FunctionNode;
  /** The statement that declares it (for positions and export status). */
  declaration: Node;
  exported: boolean;
  file: SourceFile;
}

export function topLevelFunctions(file: SourceFile): SourceFunction[] {
  const found: SourceFunction[] = [];
  for (const fn of file.getFunctions()) {
    const name = fn.getName();
    if (name && fn.hasBody()) found.push({ name, node: fn, declaration: fn, exported: fn.isExported(), file });
  }
  for (const statement of file.getVariableStatements()) {
    for (const decl of statement.getDeclarations()) {
      const init = decl.getInitializer();
      if (init && (Node.isArrowFunction(init) || Node.isFunctionExpression(init))) {
        found.push({ name: decl.getName(), node: init, declaration: decl, exported: statement.isExported(), file });
      }
    }
  }
  return found;
}

/** The function a call's callee identifier refers to, following imports; undefined if none. */
export function resolveFunction(identifier: Node): SourceFunction | undefined {
  let symbol = identifier.getSymbol();
  if (!symbol) return undefined;
  if (symbol.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  for (const decl of symbol.getDeclarations()) {
    const file = decl.getSourceFile();
    if (file.isDeclarationFile()) return undefined;
    if (Node.isFunctionDeclaration(decl) && decl.getParentIfKind(SyntaxKind.SourceFile)) {
      return topLevelFunctions(file).find((f) => f.node === decl);
    }
    if (Node.isVariableDeclaration(decl)) return topLevelFunctions(file).find((f) => f.declaration === decl);
  }
  return undefined;
}
