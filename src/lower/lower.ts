/**
 * Lowering: TypeScript AST → IR in normal form (see src/ir/ir.ts for the normal form).
 *
 * What each source construct becomes:
 * - nested expressions → `let tN = <one operation>` temporaries in evaluation order;
 * - `a && b`, `a || b`, `c ? a : b` → a plain operation when the right-hand side is safe to
 *   evaluate eagerly (no calls, cannot throw), else an `if` that keeps the short circuit;
 * - `x += e`, `x++` → `assign`; `a[i] op= e` → read, operate, `setIndex`;
 * - destructuring → one read per name; `for…of` → an index loop; `switch` → an `if` chain,
 *   inside a labelled `block` when a `break` leaves it early;
 * - `.map`/`.reduce`/`.forEach`/`Array.from(…, cb)` → an index loop with the callback's body
 *   inlined (its `return` becomes a write of the result and a `continue`);
 * - names: a declaration that shadows a visible one is renamed (`x_2`), so that every IR name
 *   in a function means one variable; temporaries never clash with the user's identifiers.
 */
import { Node, type Expression } from "ts-morph";
import { DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { localFiles } from "../load/load.ts";
import type { FunctionNode, SourceFunction } from "../load/functions.ts";
import { ModuleConstants } from "../fence/module-constants.ts";
import type { Function, Program, Type } from "../ir/ir.ts";
import { ref } from "../ir/ir.ts";
import { isReference } from "../ir/types.ts";
import { toIRType } from "./types.ts";
import { UserRules } from "../rules/user-rules.ts";
import { NestedCalls } from "../nested/recognize.ts";
import { isReassigned } from "./access.ts";
import { constructorSelf, selfParameter } from "./classes.ts";
import { FunctionLowerer, type Scope } from "./function-lowerer.ts";
import { defaulted } from "./optional.ts";
import { fenceFunctionKind, unsupportedAt } from "./unsupported.ts";

/**
 * Lowers the target functions and every function they call, transitively. A call of a function
 * with a user rule lowers to an operation carrying the rule; its companion is lowered instead.
 */
export function lowerProgram(targets: SourceFunction[], rules: UserRules = UserRules.none()): { program: Program; irNames: Map<FunctionNode, string>; nested: NestedCalls } {
  const functions = new Map<string, Function>();
  const irNames = new Map<FunctionNode, string>();
  const queue: SourceFunction[] = [];
  const taken = new Set<string>();
  const nameOf = (fn: SourceFunction): string => {
    let name = irNames.get(fn.node);
    if (name) return name;
    const base = fn.name.replace(".", "_");
    name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    irNames.set(fn.node, name);
    queue.push(fn);
    return name;
  };
  for (const target of targets) nameOf(target);
  const project = targets[0]?.file.getProject();
  const constants = new ModuleConstants(() => (project ? localFiles(project) : []));
  const errors: Diagnostic[] = [];
  // Calls of tsad-generated derivatives: their functions are made from the source (src/nested).
  const nested = new NestedCalls((name) => taken.has(name));
  while (queue.length > 0) {
    const fn = queue.shift()!;
    try {
      functions.set(nameOf(fn), lowerFunction(new FunctionLowerer(fn, nameOf(fn), nameOf, constants, rules, nested)));
    } catch (error) {
      if (error instanceof DiagnosticError) errors.push(...error.diagnostics);
      else throw error;
    }
  }
  if (errors.length > 0) throw new DiagnosticError(errors);
  return { program: { functions }, irNames, nested };
}

/**
 * One function: its parameters (a default fills in a missing argument; a container parameter the
 * body reassigns becomes a local), its body, and, in a constructor, the instance it returns.
 */
function lowerFunction(l: FunctionLowerer): Function {
  const node = l.fn.node;
  l.loc = l.locOf(l.fn.declaration);
  // Before the return type: an async function's is a `Promise`, a generator's a `Generator`.
  fenceFunctionKind(node, l.fn.declaration);
  const scope: Scope = { names: new Map() };
  l.scopes.push(scope);
  const owner = l.fn.owner;
  const self = owner && !Node.isConstructorDeclaration(node) ? [selfParameter(l, owner, node)] : [];
  const params = node.getParameters().map((param) => {
    const nameNode = param.getNameNode();
    if (!Node.isIdentifier(nameNode)) throw unsupportedAt("a destructuring parameter", param);
    const name = nameNode.getText();
    scope.names.set(name, name);
    l.names.claim(name);
    // A parameter with a default is optional to the caller (inside, the default fills it in).
    const declared = toIRType(param.getType(), param);
    const type: Type = param.hasInitializer() && declared.kind !== "optional" ? { kind: "optional", value: declared } : declared;
    l.types.set(name, type);
    return { name, type, loc: l.locOf(param) };
  });
  const returnType = Node.isConstructorDeclaration(node) ? toIRType(owner!.getType(), node) : toIRType(node.getSignature().getReturnType(), node);
  const body = node.getBody();
  if (!body) throw unsupportedAt("a function without a body", node);
  if (Node.isConstructorDeclaration(node)) l.constructed = constructorSelf(l, node, params);
  // `p = d`: a local that is the argument where one was passed, else the default.
  node.getParameters().forEach((param, i) => {
    const init = param.getInitializer();
    if (!init) return;
    l.loc = l.locOf(param);
    const { name, type } = params[i]!;
    const value = defaulted(l, ref(name), () => l.expr(init), (type as Extract<Type, { kind: "optional" }>).value);
    l.declare(name, l.typeOfOperand(value), l.asExpr(value), isReassigned(param, body));
  });
  // A container parameter the body reassigns (`b = a`) becomes a local that starts as the
  // argument: the parameter itself keeps naming what the caller passed (and its derivative).
  node.getParameters().forEach((param, i) => {
    if (isReference(params[i]!.type) && isReassigned(param, body)) l.declare(params[i]!.name, params[i]!.type, l.asExpr(ref(params[i]!.name)), true);
  });
  if (Node.isBlock(body)) {
    for (const statement of body.getStatements()) l.statement(statement);
    if (l.constructed && l.block[l.block.length - 1]?.kind !== "return") l.emit({ kind: "return", value: ref(l.constructed) });
  } else {
    l.loc = l.locOf(body);
    l.emit({ kind: "return", value: l.expr(body as Expression) });
  }
  return {
    name: l.irName,
    sourceName: l.fn.name.replace(".", "_"),
    params: [...self, ...params],
    returnType,
    body: [...l.prologue, ...l.block],
    exported: l.fn.exported,
    loc: l.locOf(l.fn.declaration),
    reservedNames: l.names.all(),
    temporaries: l.names.temporaries,
  };
}

