/**
 * Classes as value types: a class whose constructor and methods are in the user's source is
 * plain data (its fields) plus functions (its constructor, methods and getters, each taking the
 * instance as a parameter). What would need more than that — inheritance, static members,
 * `#private` fields, setters, abstract classes — is reported at the construct.
 */
import { Node, type ClassDeclaration, type ConstructorDeclaration, type GetAccessorDeclaration, type MethodDeclaration, type ParameterDeclaration, type PropertyDeclaration, type SourceFile, type Type } from "ts-morph";

export type ClassMember = MethodDeclaration | GetAccessorDeclaration | ConstructorDeclaration;

/** What keeps a class from being a value type, and where; undefined when nothing does. */
export function classProblem(decl: ClassDeclaration): { what: string; at: Node } | undefined {
  if (decl.getSourceFile().isDeclarationFile()) return { what: "a class without source", at: decl };
  const heritage = decl.getExtends();
  if (heritage) return { what: "a class that extends another (inheritance)", at: heritage };
  if (decl.isAbstract()) return { what: "an abstract class", at: decl };
  for (const member of decl.getMembers()) {
    if (Node.isStaticable(member) && member.isStatic()) return { what: "a `static` member (state shared by every instance)", at: member };
    if (Node.isClassStaticBlockDeclaration(member)) return { what: "a `static` block", at: member };
    if ((Node.isPropertyDeclaration(member) || Node.isMethodDeclaration(member) || Node.isGetAccessorDeclaration(member)) && Node.isPrivateIdentifier(member.getNameNode())) {
      return { what: "a `#private` member", at: member.getNameNode() };
    }
    if (Node.isSetAccessorDeclaration(member)) return { what: "a setter", at: member };
    if (Node.isIndexSignatureDeclaration(member)) return { what: "an index signature in a class", at: member };
    if (Node.isMethodDeclaration(member) && !member.hasBody()) return { what: "a method without a body (an overload)", at: member };
  }
  return undefined;
}

/** The class a type is an instance of, when it is declared in the user's source. */
export function classOfInstance(type: Type): ClassDeclaration | undefined {
  if (type.getConstructSignatures().length > 0) return undefined;
  const decl = type.getSymbol()?.getDeclarations().find((d) => Node.isClassDeclaration(d));
  return decl && Node.isClassDeclaration(decl) ? decl : undefined;
}

/** The instance's fields, in declaration order: parameter properties first (they are set first). */
export function instanceFields(decl: ClassDeclaration): (PropertyDeclaration | ParameterDeclaration)[] {
  const parameters = decl.getConstructors()[0]?.getParameters().filter((p) => p.isParameterProperty()) ?? [];
  return [...parameters, ...decl.getProperties().filter((p) => !p.isStatic())];
}

/** The method or getter `name` of a class, if it has one. */
export function memberNamed(decl: ClassDeclaration, name: string): MethodDeclaration | GetAccessorDeclaration | undefined {
  return decl.getMethod(name) ?? decl.getGetAccessor(name);
}

/** `Class.member`: how `--fn` and the messages name a method or getter. */
export function memberName(member: ClassMember): string {
  const owner = member.getParentOrThrow() as ClassDeclaration;
  const name = Node.isConstructorDeclaration(member) ? "new" : member.getName();
  return `${owner.getName() ?? "class"}.${name}`;
}

/** The classes of a file that lower to data and functions. */
export function valueClasses(file: SourceFile): ClassDeclaration[] {
  return file.getClasses().filter((c) => c.getName() && !classProblem(c));
}
