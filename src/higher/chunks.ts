/**
 * Dense matrices from vector forward mode: the unit directions go through `fJvpN`/`fGradJvpN`
 * `chunk` at a time, so the primal (and, for a Hessian, the gradient's forward sweep) runs once
 * per chunk instead of once per input. The chunk size was chosen by measurement
 * (docs/vector.md): large enough to share the primal, small enough that the lanes of
 * every tangent stay in cache.
 */
import type { IRBuilder } from "../ir/builder.ts";
import type { Operand, Stmt, Type } from "../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../ir/ir.ts";
import { derivativeType } from "../ir/types.ts";
import { countLeaves, forEachLeaf, read, write } from "./leaves.ts";
import { directionType, type Callee, type Wrapper } from "./dense.ts";

/** Directions per sweep (`TSAD_VECTOR_CHUNK=n` overrides it, to measure again). */
export const CHUNK = Number(process.env.TSAD_VECTOR_CHUNK) || 16;

/** `for (let counter = from; counter < to; counter += step) body` in IR. */
export function countedLoop(b: IRBuilder, base: string, from: Operand, to: Operand, step: number, body: (counter: Operand) => void): void {
  const counter = b.names.fresh(base);
  const more = b.names.fresh("more", true);
  const stmts = b.capture(() => body(ref(counter)));
  b.emit({
    kind: "loop",
    init: [{ kind: "let", name: counter, type: NUMBER, init: { kind: "operand", value: from }, mutable: true }],
    test: { prelude: [{ kind: "let", name: more, type: BOOLEAN, init: { kind: "binary", op: "<", left: ref(counter), right: to }, mutable: false }], cond: ref(more) },
    update: [{ kind: "assign", name: counter, value: { kind: "binary", op: "+", left: ref(counter), right: num(step) } }],
    body: stmts,
    bodyFirst: false,
  });
}

/**
 * Emits the loop over chunks of unit directions: `each(tangents, lane, input)` runs for every
 * direction of the chunk with the lifted function's `tangents`, in input order (`input()` declares
 * its input index); `counted(inputs)` runs once the inputs are counted, before the first chunk.
 */
export function forEachChunk(wrapper: Wrapper, lifted: Callee, each: (tangents: Operand, lane: Operand, input: () => Operand) => void, counted?: (inputs: Operand) => void): void {
  const { b } = wrapper;
  const fn = wrapper.fn;
  const direction = directionType(fn, wrapper.wrt);
  const inputs = wrapper.declare("inputs", NUMBER, { kind: "operand", value: num(0) }, true);
  fn.params.forEach((p, i) => {
    if (wrapper.wrt[i]) countLeaves(b, { kind: "variable", name: p.name }, derivativeType(p.type), inputs);
  });
  counted?.(ref(inputs));
  const directionsType: Type = { kind: "array", element: direction };
  b.emit({ kind: "comment", text: `${CHUNK} unit directions per sweep: the primal is shared by all of them` });
  countedLoop(b, "start", num(0), ref(inputs), CHUNK, (start) => {
    const left = b.temp({ kind: "binary", op: "-", left: ref(inputs), right: start }, NUMBER);
    const count = b.temp({ kind: "math", fn: "min", args: [num(CHUNK), left] }, NUMBER, "count");
    const directions = wrapper.declare("directions", directionsType, { kind: "arrayLiteral", elements: [], type: directionsType });
    countedLoop(b, "lane", num(0), count, 1, (lane) => {
      const unit = b.temp({ kind: "binary", op: "+", left: start, right: lane }, NUMBER, "unit");
      const one = wrapper.zeroDirection();
      const input = wrapper.declare("input", NUMBER, { kind: "operand", value: num(0) }, true);
      forEachLeaf(b, { kind: "variable", name: one }, direction, (leaf) => {
        const here = b.temp({ kind: "binary", op: "===", left: ref(input), right: unit }, BOOLEAN);
        const set: Stmt = write(leaf, num(1));
        b.emit({ kind: "if", cond: here, then: [set], else: [] });
        b.emit({ kind: "assign", name: input, value: { kind: "binary", op: "+", left: ref(input), right: num(1) } });
      });
      b.emit({ kind: "push", object: ref(directions), values: [ref(one)] });
    });
    const result = b.temp({ kind: "call", callee: lifted.name, args: [...wrapper.args(), ref(directions)] }, lifted.returnType, "sweep");
    const tangentsType = (lifted.returnType as Extract<Type, { kind: "record" }>).fields.find((f) => f.name === "tangents")!.type;
    const tangents = b.temp({ kind: "field", object: result, name: "tangents" }, tangentsType, "tangents");
    // The input index is computed only for a caller that asks for it.
    countedLoop(b, "lane", num(0), count, 1, (lane) => each(tangents, lane, () => b.temp({ kind: "binary", op: "+", left: start, right: lane }, NUMBER, "input")));
  });
}

/** One lane of a result's `tangents`. */
export function laneOf(b: IRBuilder, tangents: Operand, lane: Operand, type: Type): Operand {
  return read(b, { kind: "index", object: tangents, index: lane }, type);
}
