/**
 * Zero tangents for containers that may be the same object under two names: the generated code
 * asks `===` at run time and hands the second name the first one's zeros, so that what is added
 * to one tangent is seen through the other (alias classes only say that they *may* be one).
 */
import type { IRBuilder } from "../ir/builder.ts";
import type { Operand, Type } from "../ir/ir.ts";
import { BOOLEAN, num } from "../ir/ir.ts";
import { derivativeType, isDifferentiable, isReference, sameType } from "../ir/types.ts";

/** A container seen earlier, its type, and the zeros made for it. */
export interface ZeroedContainer {
  value: Operand;
  type: Type;
  zeros: Operand;
}

/** `zeros` for `value`, or the zeros of the latest earlier container of its type that is `===` to it. */
export function shareZeros(b: IRBuilder, value: Operand, type: Type, zeros: Operand, earlier: readonly ZeroedContainer[]): Operand {
  let chosen = zeros;
  for (const e of [...earlier].reverse()) {
    // Containers of different types are never the same object.
    if (!sameType(e.type, type)) continue;
    const same = b.temp({ kind: "binary", op: "===", left: value, right: e.value }, BOOLEAN);
    chosen = b.temp({ kind: "select", cond: same, whenTrue: e.zeros, whenFalse: chosen }, derivativeType(type));
  }
  return chosen;
}

/**
 * Zeros for a record whose fields may hold one container twice (a pullback's saved record:
 * `t32Bar` and `t34Bar = p5Bar.v` are one array, written through one name and read through
 * the other): field by field, a field `===` to an earlier one of its type gets that field's zeros.
 */
export function recordZeros(b: IRBuilder, record: Operand, type: Extract<Type, { kind: "record" }>): Operand {
  const earlier: ZeroedContainer[] = [];
  const fields = type.fields
    .filter((f) => isDifferentiable(f.type))
    .map((f) => {
      if (!isReference(f.type)) return { name: f.name, value: num(0) };
      const value = b.temp({ kind: "field", object: record, name: f.name }, f.type);
      const fresh = b.temp({ kind: "zerosLike", like: value, type: f.type }, derivativeType(f.type));
      const zeros = shareZeros(b, value, f.type, fresh, earlier);
      earlier.push({ value, zeros, type: f.type });
      return { name: f.name, value: zeros };
    });
  const zerosType = derivativeType(type);
  return b.temp({ kind: "recordLiteral", fields, type: zerosType }, zerosType);
}
