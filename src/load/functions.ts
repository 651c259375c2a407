/** Finding the functions of the user's files: top-level declarations and `const f = (...) => ...`. */
import { Node, SyntaxKind, type ArrowFunction, type ClassDeclaration, type FunctionDeclaration, type FunctionExpression, type SourceFile } from "ts-morph";
import { memberName, valueClasses, type ClassMember } from "./classes.ts";

export type FunctionNode = FunctionDeclaration | ArrowFunction | FunctionExpression | ClassMember;

export interface SourceFunction {
  name: string;
  node: FunctionNode;
  /** The statement that declares it (for positions and export status). */
  declaration: Node;
  exported: boolean;
  file: SourceFile;
  /** A constructor, method or getter: the class whose instance `this` is. */
  owner?: ClassDeclaration;
}

/** A class's constructor, method or getter as a function of the instance (`this`) and its parameters. */
export function memberFunction(member: ClassMember): SourceFunction {
  const owner = member.getParentOrThrow() as ClassDeclaration;
  return { name: memberName(member), node: member, declaration: member, exported: false, file: member.getSourceFile(), owner };
}

/** The methods and getters of a file's value classes (`--fn Vec2.norm` names one). */
export function classMethods(file: SourceFile): SourceFunction[] {
  return valueClasses(file).flatMap((c) => [...c.getMethods(), ...c.getGetAccessors()].filter((m) => !m.isStatic()).map(memberFunction));
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

/** What `--fn` can name in a file: its top-level functions and its classes' methods (`Vec2.norm`). */
export function differentiableFunctions(file: SourceFile): SourceFunction[] {
  return [...topLevelFunctions(file), ...classMethods(file)];
}
