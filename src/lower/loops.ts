/**
 * Loops and the jumps out of them: `for`, `while`, `do`, `for…of` (an index loop over the array,
 * or over `.entries()`/`.keys()`/`.values()`), `break` and `continue`. Also the index loop every
 * array method, spread and `Math.max(...xs)` lowers to, so that all of them share one shape
 * (src/ir/ir.ts's `loop`) that every mode differentiates.
 */
import { Node, type BreakStatement, type ContinueStatement, type Expression, type ForOfStatement } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { positionOfNode } from "../load/load.ts";
import type { Operand, Stmt, Type } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../ir/ir.ts";
import { functionCheckpoint, loopCheckpoint, markLastLoop } from "../checkpoint/tag.ts";
import { irTypeOf } from "./types.ts";
import { arrayIteration } from "./array-methods.ts";
import { declarePattern, destructure } from "./declarations.ts";
import { effect } from "./expressions.ts";
import { lowerBody } from "./statements.ts";
import { fenceCallee, unsupportedAt } from "./unsupported.ts";
import type { FunctionLowerer, JumpTarget } from "./function-lowerer.ts";

/** A loop statement, `sourceLabel` its label in the source (`outer: for …`). */
export function lowerLoop(l: FunctionLowerer, node: Node, sourceLabel: string | undefined): void {
  const target: JumpTarget = { kind: "loop", label: sourceLabel, sourceLabel, labelUsed: sourceLabel !== undefined };
  const outermost = !l.targets.some((t) => t.kind === "loop");
  const checkpoint = loopCheckpoint(node) ?? (outermost ? functionCheckpoint(l.fn) : undefined);
  l.inScope(() => {
    if (Node.isForStatement(node)) {
      const initNode = node.getInitializer();
      const init = l.captureBlock(() => {
        if (!initNode) return;
        if (Node.isVariableDeclarationList(initNode)) {
          const mutable = initNode.getDeclarationKind() !== "const";
          for (const decl of initNode.getDeclarations()) {
            const nameNode = decl.getNameNode();
            if (!Node.isIdentifier(nameNode)) throw unsupportedAt("destructuring in a `for` initializer", decl);
            const init = decl.getInitializer();
            l.declare(nameNode.getText(), irTypeOf(decl), init ? l.asExpr(l.expr(init)) : undefined, mutable);
          }
        } else {
          effect(l, initNode);
        }
      });
      const condNode = node.getCondition();
      const test = condNode ? loopCondition(l, condNode) : undefined;
      const updateNode = node.getIncrementor();
      const update = updateNode ? l.captureBlock(() => effect(l, updateNode)) : [];
      const body = loopBody(l, target, () => lowerBody(l, node.getStatement()));
      l.loc = l.locOf(node);
      l.emit({ kind: "loop", label: target.label, init, test, update, body, bodyFirst: false });
    } else if (Node.isWhileStatement(node) || Node.isDoStatement(node)) {
      const test = loopCondition(l, node.getExpression());
      const body = loopBody(l, target, () => lowerBody(l, node.getStatement()));
      l.loc = l.locOf(node);
      l.emit({ kind: "loop", label: target.label, init: [], test, update: [], body, bodyFirst: Node.isDoStatement(node) });
    } else if (Node.isForOfStatement(node)) {
      if (node.isAwaited()) throw new DiagnosticError([diagnostics.asyncCode(positionOfNode(node))]);
      const iterable = node.getExpression();
      fenceCallee(iterable);
      const iteration = arrayIteration(iterable);
      if (iteration) {
        iterate(l, node, target, iteration);
        return;
      }
      const arrayType = irTypeOf(iterable);
      if (arrayType.kind !== "array" && arrayType.kind !== "tuple") throw unsupportedAt("`for…of` over something other than an array", iterable);
      const array = l.expr(iterable);
      indexLoop(l, array, target, (element) => {
        const initializer = node.getInitializer();
        if (!Node.isVariableDeclarationList(initializer)) throw unsupportedAt("`for…of` without a declaration", initializer);
        const decl = initializer.getDeclarations()[0]!;
        const mutable = initializer.getDeclarationKind() !== "const";
        const nameNode = decl.getNameNode();
        if (Node.isIdentifier(nameNode)) l.declare(nameNode.getText(), irTypeOf(decl), l.asExpr(element()), mutable);
        else destructure(l, nameNode, element(), mutable);
        lowerBody(l, node.getStatement());
      });
    }
  });
  markLastLoop(l.block, checkpoint);
}

/** `for (const [i, v] of a.entries())`, `for (const i of a.keys())`, `for (const v of a.values())`. */
function iterate(l: FunctionLowerer, node: ForOfStatement, target: JumpTarget, iteration: { receiver: Expression; kind: "entries" | "keys" | "values" }): void {
  const array = l.expr(iteration.receiver);
  const initializer = node.getInitializer();
  if (!Node.isVariableDeclarationList(initializer)) throw unsupportedAt("`for…of` without a declaration", initializer);
  const decl = initializer.getDeclarations()[0]!;
  const mutable = initializer.getDeclarationKind() !== "const";
  const nameNode = decl.getNameNode();
  indexLoop(l, array, target, (element, index) => {
    const parts = [() => index, element];
    if (iteration.kind !== "entries") {
      declarePattern(l, nameNode, iteration.kind === "keys" ? index : element(), mutable);
    } else if (Node.isArrayBindingPattern(nameNode)) {
      // `[i, v]` names the index and the element directly: no pair is built.
      nameNode.getElements().forEach((element, position) => {
        if (Node.isOmittedExpression(element)) return;
        const produce = parts[position];
        if (!produce || element.getDotDotDotToken() || element.hasInitializer()) throw unsupportedAt("this pattern over `.entries()`", element);
        declarePattern(l, element.getNameNode(), produce(), mutable);
      });
    } else {
      const value = element();
      const pairType: Type = { kind: "tuple", elements: [NUMBER, l.typeOfOperand(value)] };
      declarePattern(l, nameNode, l.temp({ kind: "arrayLiteral", elements: [index, value], type: pairType }, pairType), mutable);
    }
    lowerBody(l, node.getStatement());
  });
}

/** `break` and `continue`: a `break` inside a `switch` leaves the block the `switch` lowers to. */
export function jump(l: FunctionLowerer, node: BreakStatement | ContinueStatement): void {
  const label = node.getLabel()?.getText();
  const kind = Node.isBreakStatement(node) ? "break" : "continue";
  if (label) {
    const target = [...l.targets].reverse().find((t) => t.sourceLabel === label);
    l.emit({ kind, label: target?.label ?? label });
    return;
  }
  const innermost = l.targets[l.targets.length - 1];
  if (kind === "break" && innermost?.kind === "switch") {
    innermost.labelUsed = true;
    l.emit({ kind: "break", label: innermost.label });
  } else {
    l.emit({ kind });
  }
}

/** A loop's condition, with the statements that compute it. */
export function loopCondition(l: FunctionLowerer, node: Expression): { prelude: Stmt[]; cond: Operand } {
  return loopTest(l, () => l.truthy(l.expr(node)));
}

/** The statements `build` emits to compute a loop's condition (run before every iteration), and the condition. */
export function loopTest(l: FunctionLowerer, build: () => Operand): { prelude: Stmt[]; cond: Operand } {
  let cond!: Operand;
  const prelude = l.captureBlock(() => {
    cond = build();
  });
  return { prelude, cond };
}

/** A loop's body, in a scope of its own, with `target` where its `break`s and `continue`s go. */
export function loopBody(l: FunctionLowerer, target: JumpTarget, build: () => void): Stmt[] {
  l.targets.push(target);
  try {
    return l.captureBlock(() => l.inScope(build));
  } finally {
    l.targets.pop();
  }
}

/**
 * `for (let i = 0; i < array.length; i++) body(() => array[i], i)`: the shape `for…of` and the
 * array methods lower to. The element read is emitted where `body` asks for it.
 */
export function indexLoop(l: FunctionLowerer, array: Operand, target: JumpTarget, body: (element: () => Operand, index: Operand) => void, start = 0, live = true): void {
  const index = l.names.fresh("i");
  l.types.set(index, NUMBER);
  const arrayType = l.typeOfOperand(array);
  // `for…of` sees elements pushed while it runs; `.map`/`.reduce`/`.forEach` and spreads stop
  // at the length the array had when they started.
  const fixedLength = live ? undefined : l.temp({ kind: "length", object: array }, NUMBER);
  const init = l.captureBlock(() => l.emit({ kind: "let", name: index, type: NUMBER, init: l.asExpr(num(start)), mutable: true }));
  const test = loopTest(l, () => {
    const length = fixedLength ?? l.temp({ kind: "length", object: array }, NUMBER);
    return l.temp({ kind: "binary", op: "<", left: ref(index), right: length }, BOOLEAN);
  });
  const update = l.captureBlock(() =>
    l.emit({ kind: "assign", name: index, value: { kind: "binary", op: "+", left: ref(index), right: num(1) } }),
  );
  const loc = l.loc;
  const statements = loopBody(l, target, () =>
    body(() => l.temp({ kind: "index", object: array, index: ref(index) }, l.elementOf(arrayType, undefined)), ref(index)),
  );
  l.loc = loc;
  l.emit({ kind: "loop", label: target.labelUsed ? target.label : undefined, init, test, update, body: statements, bodyFirst: false });
}
