/** Renaming every variable (and label) of a piece of IR by a map: what inlining a callee needs. */
import type { Expr, Operand, Stmt } from "./ir.ts";

export interface Renaming {
  variables: ReadonlyMap<string, string>;
  labels: ReadonlyMap<string, string>;
}

export function renameStmts(stmts: Stmt[], renaming: Renaming): Stmt[] {
  return stmts.map((s) => renameStmt(s, renaming));
}

function renameStmt(s: Stmt, renaming: Renaming): Stmt {
  const v = (name: string) => renaming.variables.get(name) ?? name;
  const o = (operand: Operand) => renameOperand(operand, renaming);
  const label = (l: string | undefined) => (l === undefined ? undefined : (renaming.labels.get(l) ?? l));
  const block = (list: Stmt[]) => renameStmts(list, renaming);
  switch (s.kind) {
    case "let":
      return { ...s, name: v(s.name), init: s.init && renameExpr(s.init, renaming) };
    case "assign":
      return { ...s, name: v(s.name), value: renameExpr(s.value, renaming) };
    case "setIndex":
      return { ...s, object: o(s.object), index: o(s.index), value: o(s.value) };
    case "setField":
      return { ...s, object: o(s.object), value: o(s.value) };
    case "fill":
      return { ...s, object: o(s.object), value: o(s.value) };
    case "push":
      return { ...s, object: o(s.object), values: s.values.map(o) };
    case "drop":
      return { ...s, object: o(s.object) };
    case "callStmt":
    case "trace":
      return { ...s, args: s.args.map(o) };
    case "if":
      return { ...s, cond: o(s.cond), then: block(s.then), else: block(s.else) };
    case "loop":
      return { ...s, label: label(s.label), init: block(s.init), test: s.test && { prelude: block(s.test.prelude), cond: o(s.test.cond) }, update: block(s.update), body: block(s.body) };
    case "block":
      return { ...s, label: label(s.label), body: block(s.body) };
    case "break":
    case "continue":
      return { ...s, label: label(s.label) };
    case "return":
      return { ...s, value: s.value && o(s.value) };
    case "comment":
      return s;
  }
}

export function renameOperand(operand: Operand, renaming: Renaming): Operand {
  return operand.kind === "var" && renaming.variables.has(operand.name) ? { kind: "var", name: renaming.variables.get(operand.name)! } : operand;
}

export function renameExpr(e: Expr, renaming: Renaming): Expr {
  const r = (o: Operand) => renameOperand(o, renaming);
  switch (e.kind) {
    case "operand":
      return { ...e, value: r(e.value) };
    case "unary":
      return { ...e, arg: r(e.arg) };
    case "binary":
      return { ...e, left: r(e.left), right: r(e.right) };
    case "select":
      return { ...e, cond: r(e.cond), whenTrue: r(e.whenTrue), whenFalse: r(e.whenFalse) };
    case "math":
    case "call":
      return { ...e, args: e.args.map(r) };
    case "index":
      return { ...e, object: r(e.object), index: r(e.index) };
    case "field":
    case "length":
      return { ...e, object: r(e.object) };
    case "arrayLiteral":
      return { ...e, elements: e.elements.map(r) };
    case "recordLiteral":
      return { ...e, fields: e.fields.map((f) => ({ ...f, value: r(f.value) })) };
    case "newArray":
      return { ...e, length: r(e.length), fill: e.fill && r(e.fill) };
    case "copy":
      return { ...e, source: r(e.source), start: e.start && r(e.start), end: e.end && r(e.end) };
    case "zerosLike":
      return { ...e, like: r(e.like) };
    case "pop":
      return { ...e, object: r(e.object) };
  }
}

/** `s` with each of its nested blocks (branches, loop parts, block body) replaced by `block(…)`. */
export function mapNestedBlocks(s: Stmt, block: (stmts: Stmt[]) => Stmt[]): Stmt {
  switch (s.kind) {
    case "if":
      return { ...s, then: block(s.then), else: block(s.else) };
    case "loop":
      return { ...s, init: block(s.init), test: s.test && { prelude: block(s.test.prelude), cond: s.test.cond }, body: block(s.body), update: block(s.update) };
    case "block":
      return { ...s, body: block(s.body) };
    default:
      return s;
  }
}
