/**
 * User-supplied derivative rules: a function tagged `@derivativeOf f` gives the derivative of a
 * scalar function `f(x₁, …, xₙ: number): number` that tsad should not (or cannot) differentiate
 * from its source — a package function, a special function, a numerically careful formula:
 *
 *   /** @derivativeOf logAddExp *\/
 *   export function logAddExpPartials(a: number, b: number): [number, number] { … }
 *
 * The companion takes f's parameters and returns ∂f/∂x₁ (one parameter) or the tuple of partials.
 * A call of f lowers to an operation that carries its rule (ir.ts `ExternalFunction`); the rule
 * table turns it into partials (rules.ts), so forward mode, reverse mode and Hessian-vector
 * products use it alike. The partials are ordinary calls of the companion, so tsad copies the
 * companion into the generated module and differentiates it again for second order. `f` itself
 * is imported by the generated module from where it is declared.
 */
import { Node, ts, type Project, type SourceFile, type Symbol as MorphSymbol } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { topLevelFunctions, type SourceFunction } from "../load/functions.ts";
import { positionOfNode } from "../load/load.ts";
import { DERIVATIVE_OF_TAG, tagsOf, tagText } from "../load/tags.ts";

export interface UserRule {
  /** The name f is exported under (what the generated module imports and calls). */
  name: string;
  /** A package specifier, or the absolute path of the local file that declares f. */
  from: string;
  /** The function that computes f's partial derivatives. */
  companion: SourceFunction;
  /** Whether the companion returns a tuple of partials (else f has one parameter and it returns f′). */
  tuple: boolean;
  arity: number;
}

/** The rules visible to one compilation, found by symbol so that imports and aliases resolve. */
export class UserRules {
  private constructor(
    private readonly rules: Map<ts.Symbol, UserRule>,
    private readonly checker?: ts.TypeChecker,
  ) {}

  static none(): UserRules {
    return new UserRules(new Map());
  }

  /** Every `@derivativeOf` function of `files`. Throws a DiagnosticError for malformed rules. */
  static find(project: Project, files: SourceFile[]): UserRules {
    const rules = new Map<ts.Symbol, UserRule>();
    const errors: Diagnostic[] = [];
    for (const file of files) {
      for (const companion of topLevelFunctions(file)) {
        for (const tag of tagsOf(companion, DERIVATIVE_OF_TAG)) {
          try {
            const { symbol, rule } = ruleFrom(project, companion, tagText(tag), tag);
            if (rules.has(symbol)) throw new DiagnosticError([diagnostics.ruleRepeated(rule.name, positionOfNode(tag))]);
            rules.set(symbol, rule);
          } catch (error) {
            if (error instanceof DiagnosticError) errors.push(...error.diagnostics);
            else throw error;
          }
        }
      }
    }
    if (errors.length > 0) throw new DiagnosticError(errors);
    return new UserRules(rules, project.getTypeChecker().compilerObject);
  }

  /** The rule for the function a call's callee identifier refers to, if it has one. */
  forCallee(identifier: Node): UserRule | undefined {
    if (this.rules.size === 0 || !this.checker) return undefined;
    const symbol = resolved(identifier.getSymbol());
    return symbol ? this.rules.get(this.checker.getExportSymbolOfSymbol(symbol.compilerSymbol)) : undefined;
  }

  /** Whether `fn` is a companion (a rule, not a function to differentiate). */
  isCompanion(fn: SourceFunction): boolean {
    return tagsOf(fn, DERIVATIVE_OF_TAG).length > 0;
  }

  /** Whether `fn` has a rule (so its source is never differentiated). */
  hasRule(fn: SourceFunction): boolean {
    const name = Node.isVariableDeclaration(fn.declaration) ? fn.declaration.getNameNode() : Node.isFunctionDeclaration(fn.node) ? fn.node.getNameNode() : undefined;
    return name !== undefined && this.forCallee(name) !== undefined;
  }
}

function resolved(symbol: MorphSymbol | undefined): MorphSymbol | undefined {
  return symbol?.isAlias() ? (symbol.getAliasedSymbol() ?? symbol) : symbol;
}

function ruleFrom(project: Project, companion: SourceFunction, name: string, tag: Node): { symbol: ts.Symbol; rule: UserRule } {
  const at = positionOfNode(tag);
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new DiagnosticError([diagnostics.ruleTargetNotFound(name || "(nothing)", at)]);
  const checker = project.getTypeChecker().compilerObject;
  const inScope = checker.getSymbolsInScope(companion.file.compilerNode, ts.SymbolFlags.Function | ts.SymbolFlags.Variable | ts.SymbolFlags.Alias);
  const local = inScope.find((s) => s.getName() === name);
  if (!local) throw new DiagnosticError([diagnostics.ruleTargetNotFound(name, at)]);
  // One symbol per function, however it is reached: through an import, by its local name or its export.
  const symbol = checker.getExportSymbolOfSymbol(local.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(local) : local);
  const declaration = symbol.getDeclarations()?.[0];
  if (!declaration) throw new DiagnosticError([diagnostics.ruleTargetNotFound(name, at)]);

  const signature = checker.getTypeOfSymbolAtLocation(symbol, declaration).getCallSignatures()[0];
  if (!signature) throw new DiagnosticError([diagnostics.ruleSignature(`\`${name}\` is not a function`, at)]);
  const params = signature.getParameters().map((p) => checker.getTypeOfSymbolAtLocation(p, declaration));
  const isNumber = (t: ts.Type) => (t.flags & ts.TypeFlags.NumberLike) !== 0;
  if (params.length === 0 || !params.every(isNumber) || !isNumber(signature.getReturnType())) {
    throw new DiagnosticError([diagnostics.ruleSignature(`derivative rules are for functions of numbers returning a number; \`${name}\` is \`${checker.signatureToString(signature)}\``, at)]);
  }
  const arity = params.length;
  const companionAt = positionOfNode(Node.isFunctionDeclaration(companion.node) ? (companion.node.getNameNode() ?? companion.node) : companion.declaration);
  const companionParams = companion.node.getParameters();
  if (companionParams.length !== arity || !companionParams.every((p) => p.getType().isNumber())) {
    throw new DiagnosticError([diagnostics.ruleSignature(`\`${companion.name}\` must take the ${arity} number parameter${arity === 1 ? "" : "s"} of \`${name}\``, companionAt)]);
  }
  const returned = companion.node.getReturnType();
  const tuple = returned.isTuple() && returned.getTupleElements().length === arity && returned.getTupleElements().every((t) => t.isNumber());
  if (!tuple && !(arity === 1 && returned.isNumber())) {
    const expected = arity === 1 ? "`number` (the derivative)" : `a tuple of ${arity} numbers (the partial derivatives)`;
    throw new DiagnosticError([diagnostics.ruleSignature(`\`${companion.name}\` must return ${expected}`, companionAt)]);
  }
  return { symbol, rule: { name: symbol.getName(), from: origin(declaration, local, name, at), companion, tuple, arity } };
}

/** Where the generated module imports f from: its package, or the local file that declares and exports it. */
function origin(declaration: ts.Declaration, local: ts.Symbol, name: string, at: ReturnType<typeof positionOfNode>): string {
  const file = declaration.getSourceFile();
  if (file.isDeclarationFile) {
    const specifier = importSpecifier(local);
    if (specifier && !specifier.startsWith(".")) return specifier;
  }
  if (!isExported(declaration)) throw new DiagnosticError([diagnostics.ruleTargetNotExported(name, at)]);
  return file.fileName;
}

function importSpecifier(alias: ts.Symbol): string | undefined {
  for (const decl of alias.getDeclarations() ?? []) {
    let node: ts.Node | undefined = decl;
    while (node && !ts.isImportDeclaration(node)) node = node.parent;
    if (node && ts.isStringLiteral(node.moduleSpecifier)) return node.moduleSpecifier.text;
  }
  return undefined;
}

function isExported(declaration: ts.Declaration): boolean {
  let node: ts.Node = declaration;
  if (ts.isVariableDeclaration(node)) node = node.parent.parent;
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}
