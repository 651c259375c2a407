/**
 * Dense second- and first-order matrices built from the directional derivatives tsad already
 * generates, as IR functions of the generated module:
 *
 * - `fHessian`: row k is the Hessian-vector product along the k-th unit direction (forward mode
 *   over reverse mode), so the matrix costs n HVPs and is symmetric to rounding.
 * - `fJacobian`: one JVP per input (columns) or one VJP per output (rows), whichever is fewer —
 *   the lecture's d_0 against d_L. When the types fix both counts the choice is made here;
 *   otherwise the generated code counts inputs and outputs and chooses when it runs.
 *
 * Rows and columns follow SPEC §3's flattening (src/higher/leaves.ts).
 */
import { IRBuilder } from "../ir/builder.ts";
import type { Function, Operand, Type } from "../ir/ir.ts";
import { NUMBER, num, ref } from "../ir/ir.ts";
import { NameManager } from "../ir/names.ts";
import { derivativeType, fieldType, isReference } from "../ir/types.ts";
import { countLeaves, forEachLeaf, read, staticLeafCount, write, type Leaf } from "./leaves.ts";
import { forEachChunk, laneOf } from "./chunks.ts";

const ROWS: Type = { kind: "array", element: { kind: "array", element: NUMBER } };
const ROW: Type = { kind: "array", element: NUMBER };

/** A generated function the wrappers call: its name and what it returns. */
export interface Callee {
  name: string;
  returnType: Type;
}

/** How `fJacobian` gets its entries. */
export type JacobianMode = "forward" | "reverse" | "runtime";

/** The mode a Jacobian of `fn` over the selected inputs is built with, decided from types if they fix the sizes. */
export function jacobianMode(fn: Function, wrt: boolean[]): JacobianMode {
  const inputs = staticLeafCount(directionType(fn, wrt));
  const outputs = staticLeafCount(derivativeType(fn.returnType));
  if (inputs === undefined || outputs === undefined) return "runtime";
  return inputs < outputs ? "forward" : "reverse";
}

/**
 * `fHessian(p…)` → `{ value, grad, hessian }` from `fGrad` and the HVP's `fGradJvp`; with the
 * vector version `fGradJvpN`, a chunk of rows per sweep.
 */
export function hessianWrapper(fn: Function, wrt: boolean[], grad: Callee, gradJvp: Callee, gradJvpN?: Callee): Function {
  const wrapper = new Wrapper(fn, wrt);
  const { b } = wrapper;
  const gradient = b.temp({ kind: "call", callee: grad.name, args: wrapper.args() }, grad.returnType, "gradient");
  const gradShape = fieldType(grad.returnType, "grad");
  b.emit({ kind: "comment", text: "row k is the Hessian-vector product along the k-th unit direction" });
  const hessian = wrapper.declare("hessian", ROWS, { kind: "arrayLiteral", elements: [], type: ROWS });
  if (gradJvpN) {
    forEachChunk(wrapper, gradJvpN, (tangents, lane) => {
      const tangent = laneOf(b, tangents, lane, grad.returnType);
      const hvp = b.temp({ kind: "field", object: tangent, name: "grad" }, gradShape, "hvp");
      b.emit({ kind: "push", object: ref(hessian), values: [wrapper.flatten(leafOf(hvp), gradShape)] });
    });
  } else {
    const direction = wrapper.zeroDirection();
    forEachLeaf(b, { kind: "variable", name: direction }, directionType(fn, wrt), (unit) => {
      b.emit(write(unit, num(1)));
      const pair = b.temp({ kind: "call", callee: gradJvp.name, args: [...wrapper.args(), ref(direction)] }, gradJvp.returnType, "gradAndTangent");
      const tangent = b.temp({ kind: "field", object: pair, name: "tangent" }, grad.returnType, "tangent");
      const hvp = b.temp({ kind: "field", object: tangent, name: "grad" }, gradShape, "hvp");
      const row = wrapper.flatten(leafOf(hvp), gradShape);
      b.emit({ kind: "push", object: ref(hessian), values: [row] });
      b.emit(write(unit, num(0)));
    });
  }
  const value = b.temp({ kind: "field", object: gradient, name: "value" }, NUMBER, "value");
  const gradValue = b.temp({ kind: "field", object: gradient, name: "grad" }, gradShape, "grad");
  const resultType: Type = { kind: "record", fields: [{ name: "value", type: NUMBER }, { name: "grad", type: gradShape }, { name: "hessian", type: ROWS }] };
  return wrapper.finish(`${fn.sourceName}Hessian`, resultType, [
    { name: "value", value },
    { name: "grad", value: gradValue },
    { name: "hessian", value: ref(hessian) },
  ]);
}

/**
 * `fJacobian(p…)` → `{ value, jacobian }`: rows are the flattened outputs, columns the
 * flattened selected inputs. `jvp` must be given for the forward and runtime modes, `vjp` for
 * the reverse and runtime modes; `written` marks the parameters `fn` itself writes into.
 */
export function jacobianWrapper(fn: Function, wrt: boolean[], mode: JacobianMode, callees: { jvp?: Callee; jvpN?: Callee; vjp?: Callee }, written: boolean[]): Function {
  const wrapper = new Wrapper(fn, wrt);
  const { b } = wrapper;
  const output = derivativeType(fn.returnType);
  // The user's function may write into its arguments: it gets copies of those.
  const primalArgs = fn.params.map((p, i) => (written[i] ? b.temp({ kind: "copy", source: ref(p.name), type: p.type, deep: true }, p.type, `${p.name}Copy`) : ref(p.name)));
  // Not a temporary: a deep copy reads it once per part.
  const primal = ref(wrapper.declare("primal", fn.returnType, { kind: "call", callee: fn.name, args: primalArgs }));
  // The user's function may return (part of) an argument; the result never shares it.
  const value = isReference(fn.returnType) ? b.temp({ kind: "copy", source: primal, type: fn.returnType, deep: true }, fn.returnType, "value") : primal;
  const jacobian = wrapper.declare("jacobian", ROWS, { kind: "arrayLiteral", elements: [], type: ROWS });
  const byColumns = () => {
    if (callees.jvpN) {
      // Chunks of directions per sweep; each tangent is a column, written into rows made up front.
      forEachChunk(
        wrapper,
        callees.jvpN,
        (tangents, lane, input) => {
          const column = laneOf(b, tangents, lane, output);
          const inputIndex = input();
          const rowIndex = wrapper.declare("output", NUMBER, { kind: "operand", value: num(0) }, true);
          forEachLeaf(b, leafOf(column), output, (entry) => {
            const row = b.temp({ kind: "index", object: ref(jacobian), index: ref(rowIndex) }, ROW);
            b.emit({ kind: "setIndex", object: row, index: inputIndex, value: read(b, entry, NUMBER) });
            b.emit({ kind: "assign", name: rowIndex, value: { kind: "binary", op: "+", left: ref(rowIndex), right: num(1) } });
          });
        },
        (inputs) => forEachLeaf(b, leafOf(value), output, () => b.emit({ kind: "push", object: ref(jacobian), values: [b.temp({ kind: "newArray", length: inputs, fill: num(0), type: ROW }, ROW, "row")] })),
      );
      return;
    }
    // One JVP per input: its tangent is a column; every output's row gets one entry.
    forEachLeaf(b, leafOf(value), output, () => b.emit({ kind: "push", object: ref(jacobian), values: [b.temp({ kind: "arrayLiteral", elements: [], type: ROW }, ROW, "row")] }));
    const direction = wrapper.zeroDirection();
    forEachLeaf(b, { kind: "variable", name: direction }, directionType(fn, wrt), (unit) => {
      b.emit(write(unit, num(1)));
      const pair = b.temp({ kind: "call", callee: callees.jvp!.name, args: [...wrapper.args(), ref(direction)] }, callees.jvp!.returnType, "valueAndTangent");
      const tangent = b.temp({ kind: "field", object: pair, name: "tangent" }, output, "column");
      const rowIndex = wrapper.declare("output", NUMBER, { kind: "operand", value: num(0) }, true);
      forEachLeaf(b, leafOf(tangent), output, (entry) => {
        const row = b.temp({ kind: "index", object: ref(jacobian), index: ref(rowIndex) }, ROW);
        b.emit({ kind: "push", object: row, values: [read(b, entry, NUMBER)] });
        b.emit({ kind: "assign", name: rowIndex, value: { kind: "binary", op: "+", left: ref(rowIndex), right: num(1) } });
      });
      b.emit(write(unit, num(0)));
    });
  };
  const byRows = () => {
    // One VJP per output: the gradient of that output is a row.
    const gradShape = fieldType(callees.vjp!.returnType, "grad");
    const cotangent = wrapper.declare("cotangent", output, fn.returnType.kind === "number" ? { kind: "operand", value: num(0) } : { kind: "zerosLike", like: value, type: fn.returnType }, fn.returnType.kind === "number");
    forEachLeaf(b, { kind: "variable", name: cotangent }, output, (unit) => {
      b.emit(write(unit, num(1)));
      const pair = b.temp({ kind: "call", callee: callees.vjp!.name, args: [...wrapper.args(), ref(cotangent)] }, callees.vjp!.returnType, "valueAndGrad");
      const grad = b.temp({ kind: "field", object: pair, name: "grad" }, gradShape, "grad");
      b.emit({ kind: "push", object: ref(jacobian), values: [wrapper.flatten(leafOf(grad), gradShape)] });
      b.emit(write(unit, num(0)));
    });
  };
  if (mode === "forward") {
    b.emit({ kind: "comment", text: "fewer inputs than outputs: forward mode, one JVP per input (a column each)" });
    byColumns();
  } else if (mode === "reverse") {
    b.emit({ kind: "comment", text: "no fewer inputs than outputs: reverse mode, one VJP per output (a row each)" });
    byRows();
  } else {
    b.emit({ kind: "comment", text: "forward mode (one JVP per input) when there are fewer inputs than outputs, else reverse mode (one VJP per output)" });
    const inputs = wrapper.declare("inputs", NUMBER, { kind: "operand", value: num(0) }, true);
    fn.params.forEach((p, i) => {
      if (wrt[i]) countLeaves(b, { kind: "variable", name: p.name }, derivativeType(p.type), inputs);
    });
    const outputs = wrapper.declare("outputs", NUMBER, { kind: "operand", value: num(0) }, true);
    countLeaves(b, leafOf(value), output, outputs);
    const fewerInputs = b.temp({ kind: "binary", op: "<", left: ref(inputs), right: ref(outputs) }, { kind: "boolean" }, "fewerInputs");
    b.emit({ kind: "if", cond: fewerInputs, then: b.capture(byColumns), else: b.capture(byRows) });
  }
  const resultType: Type = { kind: "record", fields: [{ name: "value", type: fn.returnType }, { name: "jacobian", type: ROWS }] };
  return wrapper.finish(`${fn.sourceName}Jacobian`, resultType, [
    { name: "value", value },
    { name: "jacobian", value: ref(jacobian) },
  ]);
}

/** The `{ [w in W]: dT_w }` shape of a direction over the selected inputs. */
export function directionType(fn: Function, wrt: boolean[]): Type {
  return { kind: "record", fields: fn.params.filter((_, i) => wrt[i]).map((p) => ({ name: p.name, type: derivativeType(p.type) })) };
}

export function leafOf(value: Operand): Leaf {
  if (value.kind !== "var") throw new Error("a literal has no leaves to walk");
  return { kind: "variable", name: value.name };
}

/** The parts every wrapper shares: its names, its builder, the unit-direction record, the return. */
export class Wrapper {
  readonly names: NameManager;
  readonly b: IRBuilder;

  constructor(
    readonly fn: Function,
    readonly wrt: boolean[],
  ) {
    // The wrapper calls `fn` by its name: no local of the wrapper may shadow it.
    this.names = new NameManager([...fn.params.map((p) => p.name), fn.name, fn.sourceName, ...(fn.reservedNames ?? [])]);
    fn.params.forEach((p) => this.names.claim(p.name));
    this.b = new IRBuilder(this.names, new Map());
  }

  args(): Operand[] {
    return this.fn.params.map((p) => ref(p.name));
  }

  declare(base: string, type: Type, init: Parameters<IRBuilder["temp"]>[0], mutable = false): string {
    const name = this.names.fresh(base);
    this.b.emit({ kind: "let", name, type, init, mutable });
    return name;
  }

  /** `{ x: zeros like x, … }` over the selected inputs: the walk sets one entry to 1 at a time. */
  zeroDirection(): string {
    const type = directionType(this.fn, this.wrt);
    const fields = this.fn.params
      .filter((_, i) => this.wrt[i])
      .map((p) => ({ name: p.name, value: p.type.kind === "number" ? num(0) : this.b.temp({ kind: "zerosLike", like: ref(p.name), type: p.type }, derivativeType(p.type), `d${p.name}`) }));
    return this.declare("direction", type, { kind: "recordLiteral", fields, type });
  }

  /** A fresh `number[]` of the numbers of `leaf`'s value, in flattening order. */
  flatten(leaf: Leaf, type: Type): Operand {
    const row = this.declare("row", ROW, { kind: "arrayLiteral", elements: [], type: ROW });
    forEachLeaf(this.b, leaf, type, (entry) => this.b.emit({ kind: "push", object: ref(row), values: [read(this.b, entry, NUMBER)] }));
    return ref(row);
  }

  finish(name: string, returnType: Type, fields: { name: string; value: Operand }[]): Function {
    const result = this.b.temp({ kind: "recordLiteral", fields, type: returnType }, returnType, "result");
    this.b.emit({ kind: "return", value: result });
    return {
      name,
      sourceName: this.fn.sourceName,
      params: this.fn.params,
      returnType,
      body: this.b.block,
      exported: true,
      loc: this.fn.loc,
      reservedNames: this.names.all(),
      temporaries: new Set(this.names.temporaries),
    };
  }
}
