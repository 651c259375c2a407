/**
 * Read-only module-level constants: `const WEIGHTS = [1, 2, 3];` read by the functions.
 *
 * Lowering re-creates such a constant from its initializer inside each function that reads it,
 * which is only correct while nothing ever writes into it. This module decides both halves:
 * - `isLiteralInitializer`: the initializer is a literal value (numbers, strings, booleans,
 *   arrays and objects of those, arithmetic on them, other such constants, `Math` constants and
 *   functions other than `Math.random`, `new Float64Array([...])`), so evaluating it again gives
 *   the same value;
 * - `ModuleConstants.firstWrite`: no code in the user's files writes into it, directly
 *   (`W[i] = v`, `W.push(v)`, `W.x++`) or through an alias (a local variable, a parameter of a
 *   called function, a callback parameter, a `for…of` variable, a function's result, a shallow
 *   copy's elements). Where it is stored somewhere this analysis does not follow (into another
 *   array or object), it is reported as escaping: conservative, never silently wrong.
 */
import { Node, SyntaxKind, type Expression, type Identifier, type SourceFile, type Symbol as TsSymbol, type Type as TsType, type VariableDeclaration } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import { resolveFunction, topLevelFunctions } from "../load/functions.ts";
import { MATH_CONSTANTS, MATH_FUNCTIONS } from "../rules/math.ts";

/** The declaration of a module-level `const` an identifier refers to (following imports). */
export function moduleConstantOf(identifier: Node): VariableDeclaration | undefined {
  const decl = resolvedSymbol(identifier)?.getDeclarations()[0];
  if (!decl || !Node.isVariableDeclaration(decl)) return undefined;
  const statement = decl.getVariableStatement();
  if (!statement || statement.getParent() !== decl.getSourceFile() || statement.getDeclarationKind() !== "const") return undefined;
  return decl;
}

/** Whether evaluating `node` again anywhere gives the same value (see the file comment). */
export function isLiteralInitializer(node: Expression, seen: Set<Node> = new Set()): boolean {
  node = unwrap(node);
  if (Node.isNumericLiteral(node) || Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return true;
  if (node.getKind() === SyntaxKind.TrueKeyword || node.getKind() === SyntaxKind.FalseKeyword) return true;
  if (Node.isIdentifier(node)) {
    const text = node.getText();
    if (text === "Infinity" || text === "NaN") return true;
    const decl = moduleConstantOf(node);
    const init = decl?.getInitializer();
    // `seen` holds the constants being checked (a cycle is a type error, but never loop on one).
    if (!decl || !init || seen.has(decl)) return false;
    seen.add(decl);
    const literal = isLiteralInitializer(init, seen);
    seen.delete(decl);
    return literal;
  }
  if (Node.isPrefixUnaryExpression(node)) {
    const op = node.getOperatorToken();
    return (op === SyntaxKind.MinusToken || op === SyntaxKind.PlusToken || op === SyntaxKind.ExclamationToken) && isLiteralInitializer(node.getOperand(), seen);
  }
  if (Node.isBinaryExpression(node)) {
    const op = node.getOperatorToken().getKind();
    if (op === SyntaxKind.CommaToken || (op >= SyntaxKind.FirstAssignment && op <= SyntaxKind.LastAssignment)) return false;
    return isLiteralInitializer(node.getLeft(), seen) && isLiteralInitializer(node.getRight(), seen);
  }
  if (Node.isConditionalExpression(node)) {
    return [node.getCondition(), node.getWhenTrue(), node.getWhenFalse()].every((e) => isLiteralInitializer(e, seen));
  }
  if (Node.isTemplateExpression(node)) return node.getTemplateSpans().every((span) => isLiteralInitializer(span.getExpression(), seen));
  if (Node.isArrayLiteralExpression(node)) {
    return node.getElements().every((e) => (Node.isSpreadElement(e) ? isLiteralInitializer(e.getExpression(), seen) : isLiteralInitializer(e, seen)));
  }
  if (Node.isObjectLiteralExpression(node)) {
    return node.getProperties().every((p) => {
      if (Node.isPropertyAssignment(p)) return !Node.isComputedPropertyName(p.getNameNode()) && isLiteralInitializer(p.getInitializerOrThrow(), seen);
      if (Node.isShorthandPropertyAssignment(p)) return isLiteralInitializer(p.getNameNode(), seen);
      if (Node.isSpreadAssignment(p)) return isLiteralInitializer(p.getExpression(), seen);
      return false;
    });
  }
  if (Node.isPropertyAccessExpression(node)) {
    if (isGlobalMath(node.getExpression())) return MATH_CONSTANTS[node.getName()] !== undefined;
    return !node.hasQuestionDotToken() && isLiteralInitializer(node.getExpression(), seen);
  }
  if (Node.isElementAccessExpression(node)) {
    const argument = node.getArgumentExpression();
    return !!argument && isLiteralInitializer(node.getExpression(), seen) && isLiteralInitializer(argument, seen);
  }
  if (Node.isCallExpression(node)) {
    const callee = node.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || !isGlobalMath(callee.getExpression())) return false;
    const fn = callee.getName();
    return fn !== "random" && MATH_FUNCTIONS.has(fn) && node.getArguments().every((a) => isLiteralInitializer(a as Expression, seen));
  }
  if (Node.isNewExpression(node)) {
    const ctor = node.getExpression().getText();
    const args = node.getArguments();
    return (ctor === "Float64Array" || ctor === "Float32Array") && args.length === 1 && isLiteralInitializer(args[0] as Expression, seen);
  }
  return false;
}

/** Where code writes into a module-level constant, or lets it escape; cached per constant. */
export class ModuleConstants {
  private readonly found = new Map<VariableDeclaration, Diagnostic | null>();

  constructor(private readonly files: () => SourceFile[]) {}

  /** The diagnostic for the first write into (or escape of) `decl` in the user's files, if any. */
  firstWrite(decl: VariableDeclaration): Diagnostic | undefined {
    let result = this.found.get(decl);
    if (result === undefined) {
      result = new WriteFinder(decl, this.files()).run() ?? null;
      this.found.set(decl, result);
    }
    return result ?? undefined;
  }
}

/** Array methods that change their receiver. */
const MUTATING_METHODS = new Set(["push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin", "set"]);
/** Methods that store their arguments into the receiver. */
const STORING_METHODS = new Set(["push", "unshift", "splice", "fill"]);
/** `Object.*` functions that write into their first argument. */
const OBJECT_WRITERS = new Set(["assign", "defineProperty", "defineProperties", "setPrototypeOf"]);
/** Methods whose result is a new array holding the receiver's elements. */
const COPYING_METHODS = new Set(["slice", "concat", "toSorted", "toReversed", "toSpliced", "with", "flat"]);
/** Methods with a callback: what each callback parameter holds ("element", "array", "accumulator"). */
const CALLBACK_PARAMETERS: Record<string, ("element" | "index" | "array" | "accumulator")[]> = {
  map: ["element", "index", "array"],
  flatMap: ["element", "index", "array"],
  forEach: ["element", "index", "array"],
  filter: ["element", "index", "array"],
  find: ["element", "index", "array"],
  findLast: ["element", "index", "array"],
  findIndex: ["element", "index", "array"],
  findLastIndex: ["element", "index", "array"],
  some: ["element", "index", "array"],
  every: ["element", "index", "array"],
  reduce: ["accumulator", "element", "index", "array"],
  reduceRight: ["accumulator", "element", "index", "array"],
};

type Finding = { at: Node; escapes: boolean } | undefined;

/**
 * Follows the values that may be (part of) the constant. `depth` says how many outer levels of
 * such a value are fresh: 0 for the constant itself or an alias of it, 1 for a shallow copy
 * (`[...W]`, `W.slice()`: writing its elements is fine, writing into them is not), and so on.
 * A write `v[i] = …` / `v.push(…)` writes into the constant when `depth` is 0.
 */
class WriteFinder {
  private readonly visited = new Set<string>();
  private readonly name: string;

  constructor(
    private readonly decl: VariableDeclaration,
    private readonly files: SourceFile[],
  ) {
    this.name = decl.getName();
  }

  run(): Diagnostic | undefined {
    const nameNode = this.decl.getNameNode();
    if (!Node.isIdentifier(nameNode)) return undefined;
    const found = this.binding(nameNode, 0);
    if (!found) return undefined;
    const at = positionOfNode(found.at);
    return found.escapes ? diagnostics.moduleConstantEscapes(this.name, at) : diagnostics.moduleConstantWritten(this.name, at);
  }

  /** Every read of a variable or parameter (declared by `nameNode`) holds the value at `depth`. */
  private binding(nameNode: Identifier, depth: number): Finding {
    const key = `${nameNode.getSourceFile().getFilePath()}:${nameNode.getStart()}:${depth}`;
    if (this.visited.has(key)) return undefined;
    this.visited.add(key);
    const symbol = resolvedSymbol(nameNode);
    if (!symbol) return undefined;
    const declaration = nameNode.getParent();
    const moduleLevel = Node.isVariableDeclaration(declaration) && declaration.getVariableStatement()?.getParent() === declaration.getSourceFile();
    const scopes = moduleLevel ? this.files : [nameNode.getSourceFile()];
    const text = nameNode.getText();
    for (const scope of scopes) {
      for (const id of scope.getDescendantsOfKind(SyntaxKind.Identifier)) {
        if (id === nameNode || id.getText() !== text || !isValueReference(id)) continue;
        if (!sameSymbol(referencedSymbol(id), symbol)) continue;
        const found = this.value(id, depth);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** The value of expression `e` holds (part of) the constant at `depth`: where does it go? */
  private value(e: Node, depth: number): Finding {
    if (isPrimitive(e.getType())) return undefined;
    const key = `${e.getSourceFile().getFilePath()}:${e.getStart()}:${e.getKind()}:${depth}`;
    if (this.visited.has(key)) return undefined;
    this.visited.add(key);
    const parent = e.getParent();
    if (!parent) return undefined;
    const inner = Math.max(depth - 1, 0);
    if (
      (Node.isParenthesizedExpression(parent) || Node.isAsExpression(parent) || Node.isNonNullExpression(parent) || Node.isSatisfiesExpression(parent) || Node.isTypeAssertion(parent)) &&
      parent.getExpression() === e
    ) {
      return this.value(parent, depth);
    }
    if ((Node.isPropertyAccessExpression(parent) || Node.isElementAccessExpression(parent)) && parent.getExpression() === e) {
      const call = parent.getParent();
      if (Node.isPropertyAccessExpression(parent) && Node.isCallExpression(call) && call.getExpression() === parent) {
        return this.method(call, parent.getName(), depth);
      }
      if (isWriteTarget(parent)) return depth === 0 ? { at: parent, escapes: false } : undefined;
      return this.value(parent, inner);
    }
    if (Node.isShorthandPropertyAssignment(parent) || (Node.isPropertyAssignment(parent) && parent.getInitializer() === e)) {
      const literal = parent.getParent();
      return isWriteTarget(literal) ? undefined : this.value(literal, depth + 1);
    }
    if (Node.isSpreadAssignment(parent)) return this.value(parent.getParent(), Math.max(depth, 1));
    if (Node.isSpreadElement(parent)) {
      const container = parent.getParent();
      return Node.isArrayLiteralExpression(container) && !isWriteTarget(container) ? this.value(container, Math.max(depth, 1)) : undefined;
    }
    if (Node.isArrayLiteralExpression(parent)) return isWriteTarget(parent) ? undefined : this.value(parent, depth + 1);
    if (Node.isBinaryExpression(parent)) {
      const op = parent.getOperatorToken().getKind();
      if (op === SyntaxKind.EqualsToken && parent.getRight() === e) {
        const left = unwrap(parent.getLeft());
        if (Node.isIdentifier(left)) {
          const target = declarationName(left);
          return target ? this.binding(target, depth) : { at: parent, escapes: true };
        }
        return { at: parent, escapes: true };
      }
      if (op === SyntaxKind.AmpersandAmpersandToken || op === SyntaxKind.BarBarToken || op === SyntaxKind.QuestionQuestionToken) return this.value(parent, depth);
      if (op === SyntaxKind.CommaToken && parent.getRight() === e) return this.value(parent, depth);
      return undefined;
    }
    if (Node.isConditionalExpression(parent) && parent.getCondition() !== e) return this.value(parent, depth);
    if (Node.isVariableDeclaration(parent) && parent.getInitializer() === e) return this.bindingName(parent.getNameNode(), depth);
    if (Node.isBindingElement(parent) && parent.getInitializer() === e) return this.bindingName(parent.getNameNode(), depth);
    if (Node.isForOfStatement(parent) && parent.getExpression() === e) {
      const initializer = parent.getInitializer();
      if (Node.isVariableDeclarationList(initializer)) {
        for (const decl of initializer.getDeclarations()) {
          const found = this.bindingName(decl.getNameNode(), inner);
          if (found) return found;
        }
        return undefined;
      }
      return { at: parent, escapes: true };
    }
    if (Node.isCallExpression(parent) && parent.getExpression() !== e) return this.argument(parent, e, depth);
    if (Node.isReturnStatement(parent) || (Node.isArrowFunction(parent) && parent.getBody() === e)) return this.returned(parent, depth);
    return undefined;
  }

  /** `e.method(…)`: a write when it changes `e`; else follow the callbacks and the result. */
  private method(call: Node, method: string, depth: number): Finding {
    if (!Node.isCallExpression(call)) return undefined;
    const inner = Math.max(depth - 1, 0);
    if (MUTATING_METHODS.has(method)) {
      if (depth === 0) return { at: call, escapes: false };
      return method === "pop" || method === "shift" ? this.value(call, inner) : this.value(call, depth);
    }
    if (COPYING_METHODS.has(method)) return this.value(call, Math.max(depth, 1));
    if (method === "at") return this.value(call, inner);
    const roles = CALLBACK_PARAMETERS[method];
    if (!roles) return undefined;
    const args = call.getArguments();
    const hasInitial = args.length > 1;
    const found = this.callback(args[0], (i) => {
      const role = roles[i];
      if (role === "element" || (role === "accumulator" && !hasInitial)) return inner;
      if (role === "array") return depth;
      return undefined;
    });
    if (found) return found;
    if (method === "map" || method === "flatMap" || method === "filter") return this.value(call, inner + 1);
    if (method === "find" || method === "findLast" || method === "reduce" || method === "reduceRight") return this.value(call, inner);
    return undefined;
  }

  /** The parameters of a callback (an arrow, a function expression or a named function). */
  private callback(callback: Node | undefined, depthOf: (index: number) => number | undefined): Finding {
    if (!callback) return undefined;
    callback = unwrap(callback as Expression);
    let params: Node[] = [];
    if (Node.isArrowFunction(callback) || Node.isFunctionExpression(callback)) params = callback.getParameters();
    else if (Node.isIdentifier(callback)) params = resolveFunction(callback)?.node.getParameters() ?? [];
    for (let i = 0; i < params.length; i++) {
      const depth = depthOf(i);
      const param = params[i]!;
      if (depth === undefined || !Node.isParameterDeclaration(param)) continue;
      const found = this.bindingName(param.getNameNode(), depth);
      if (found) return found;
    }
    return undefined;
  }

  /** `e` passed as an argument. */
  private argument(call: Node, e: Node, depth: number): Finding {
    if (!Node.isCallExpression(call)) return undefined;
    const callee = unwrap(call.getExpression());
    const index = call.getArguments().indexOf(e);
    if (index < 0) return undefined;
    if (Node.isIdentifier(callee)) {
      const target = resolveFunction(callee);
      const param = target?.node.getParameters()[index];
      if (!param) return undefined;
      if (param.isRestParameter()) return { at: e, escapes: true };
      return this.bindingName(param.getNameNode(), depth);
    }
    if (Node.isPropertyAccessExpression(callee)) {
      const method = callee.getName();
      const owner = callee.getExpression();
      if (isGlobalMath(owner)) return undefined;
      const ownerName = Node.isIdentifier(owner) ? owner.getText() : undefined;
      if (ownerName === "Array" || ownerName === "Float64Array" || ownerName === "Float32Array") {
        if (method !== "from" || index !== 0) return undefined;
        const found = this.callback(call.getArguments()[1], (i) => (i === 0 ? Math.max(depth - 1, 0) : undefined));
        return found ?? this.value(call, Math.max(depth, 1));
      }
      if (ownerName === "Object") {
        if (index === 0 && OBJECT_WRITERS.has(method)) return depth === 0 ? { at: call, escapes: false } : undefined;
        if (index > 0 && method === "assign") return { at: call, escapes: true };
        if (index === 0 && method === "values") return this.value(call, Math.max(depth - 1, 0) + 1);
        if (index === 0 && method === "entries") return this.value(call, Math.max(depth - 1, 0) + 2);
        return undefined;
      }
      if (STORING_METHODS.has(method)) return { at: call, escapes: true };
      if (method === "concat") return this.value(call, Math.max(depth, 1));
    }
    return undefined;
  }

  /** `return e` (or an arrow's expression body): the callers receive it. */
  private returned(node: Node, depth: number): Finding {
    const owner = Node.isArrowFunction(node) ? node : node.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a));
    if (!owner) return { at: node, escapes: true };
    // A callback's result is followed where the method's result is (see `method`).
    const call = owner.getParent();
    if (Node.isCallExpression(call) && call.getArguments().includes(owner as Expression)) return undefined;
    const source = topLevelFunctions(owner.getSourceFile()).find((f) => f.node === owner);
    const nameNode = source && (Node.isFunctionDeclaration(source.declaration) || Node.isVariableDeclaration(source.declaration)) ? source.declaration.getNameNode() : undefined;
    if (!nameNode || !Node.isIdentifier(nameNode)) return { at: node, escapes: true };
    const symbol = resolvedSymbol(nameNode);
    for (const file of this.files) {
      for (const id of file.getDescendantsOfKind(SyntaxKind.Identifier)) {
        if (id === nameNode || id.getText() !== nameNode.getText() || !isValueReference(id) || !sameSymbol(referencedSymbol(id), symbol)) continue;
        // Calls receive the result; the function passed as a callback is followed by `method`.
        const use = id.getParent();
        if (!Node.isCallExpression(use) || use.getExpression() !== id) continue;
        const found = this.value(use, depth);
        if (found) return found;
      }
    }
    return undefined;
  }

  private bindingName(nameNode: Node, depth: number): Finding {
    if (Node.isIdentifier(nameNode)) return this.binding(nameNode, depth);
    if (Node.isArrayBindingPattern(nameNode) || Node.isObjectBindingPattern(nameNode)) {
      for (const element of nameNode.getElements()) {
        if (Node.isOmittedExpression(element)) continue;
        const found = this.bindingName(element.getNameNode(), element.getDotDotDotToken() ? Math.max(depth, 1) : Math.max(depth - 1, 0));
        if (found) return found;
      }
    }
    return undefined;
  }
}

function unwrap(node: Expression): Expression {
  for (;;) {
    if (Node.isParenthesizedExpression(node) || Node.isAsExpression(node) || Node.isNonNullExpression(node) || Node.isSatisfiesExpression(node) || Node.isTypeAssertion(node)) {
      node = node.getExpression();
    } else {
      return node;
    }
  }
}

function isGlobalMath(node: Node): boolean {
  if (!Node.isIdentifier(node) || node.getText() !== "Math") return false;
  const decl = node.getSymbol()?.getDeclarations()[0];
  return !decl || decl.getSourceFile().isDeclarationFile();
}

function resolvedSymbol(node: Node): TsSymbol | undefined {
  let symbol = node.getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  return symbol;
}

/** The variable an identifier reads (a shorthand property `{ W }` reads `W`, not the property). */
function referencedSymbol(id: Identifier): TsSymbol | undefined {
  const parent = id.getParent();
  if (Node.isShorthandPropertyAssignment(parent)) {
    let symbol = id.getProject().getTypeChecker().getShorthandAssignmentValueSymbol(parent);
    if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
    return symbol;
  }
  return resolvedSymbol(id);
}

function sameSymbol(a: TsSymbol | undefined, b: TsSymbol | undefined): boolean {
  return !!a && !!b && a.compilerSymbol === b.compilerSymbol;
}

/** An identifier that reads a value (not a declaration's name, an import or export, a property name). */
function isValueReference(id: Identifier): boolean {
  const parent = id.getParent();
  if (Node.isImportSpecifier(parent) || Node.isExportSpecifier(parent) || Node.isImportClause(parent) || Node.isNamespaceImport(parent)) return false;
  if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === id) return false;
  if (Node.isPropertyAssignment(parent) && parent.getNameNode() === id) return false;
  if ((Node.isVariableDeclaration(parent) || Node.isParameterDeclaration(parent) || Node.isBindingElement(parent) || Node.isFunctionDeclaration(parent)) && parent.getNameNode() === id) return false;
  if (Node.isBindingElement(parent) && parent.getPropertyNameNode() === id) return false;
  return true;
}

/** The declared name an identifier refers to (a local variable or parameter), if any. */
function declarationName(id: Identifier): Identifier | undefined {
  const decl = resolvedSymbol(id)?.getDeclarations()[0];
  if (!decl || !(Node.isVariableDeclaration(decl) || Node.isParameterDeclaration(decl) || Node.isBindingElement(decl))) return undefined;
  const name = decl.getNameNode();
  return Node.isIdentifier(name) ? name : undefined;
}

/** Whether `node` is written: an assignment's left side, `++`/`--`, `delete`, a destructuring target. */
function isWriteTarget(node: Node): boolean {
  const parent = node.getParent();
  if (!parent) return false;
  if (Node.isBinaryExpression(parent)) {
    const op = parent.getOperatorToken().getKind();
    return parent.getLeft() === node && op >= SyntaxKind.FirstAssignment && op <= SyntaxKind.LastAssignment;
  }
  if (Node.isPrefixUnaryExpression(parent) || Node.isPostfixUnaryExpression(parent)) {
    const op = parent.getOperatorToken();
    return op === SyntaxKind.PlusPlusToken || op === SyntaxKind.MinusMinusToken;
  }
  if (Node.isDeleteExpression(parent)) return true;
  if (Node.isForOfStatement(parent) || Node.isForInStatement(parent)) return parent.getInitializer() === node;
  if (Node.isParenthesizedExpression(parent) || Node.isNonNullExpression(parent)) return isWriteTarget(parent);
  if (Node.isArrayLiteralExpression(parent) || Node.isSpreadElement(parent) || Node.isSpreadAssignment(parent) || Node.isObjectLiteralExpression(parent)) return isWriteTarget(parent);
  if (Node.isShorthandPropertyAssignment(parent)) return isWriteTarget(parent.getParent());
  if (Node.isPropertyAssignment(parent) && parent.getInitializer() === node) return isWriteTarget(parent.getParent());
  return false;
}

/** Types whose values hold no object a write could reach. */
function isPrimitive(type: TsType): boolean {
  if (type.isUnion()) return type.getUnionTypes().every(isPrimitive);
  return (
    type.isNumber() ||
    type.isNumberLiteral() ||
    type.isString() ||
    type.isStringLiteral() ||
    type.isTemplateLiteral() ||
    type.isBoolean() ||
    type.isBooleanLiteral() ||
    type.isUndefined() ||
    type.isNull() ||
    type.isVoid() ||
    type.isEnumLiteral() ||
    type.isBigInt() ||
    type.isBigIntLiteral()
  );
}
