/**
 * `fHvp(p…, direction)` → `{ value, grad, hvp }`: one call of the forward-over-reverse `fGradJvp`
 * along `direction`, its value and tangent taken apart.
 */
import type { Expr, Function, Stmt, Type } from "../ir/ir.ts";
import { NUMBER, ref } from "../ir/ir.ts";
import { NameManager } from "../ir/names.ts";
import { derivativeType } from "../ir/types.ts";

export function hvpWrapper(fn: Function, wrt: boolean[], gradJvp: string, gradType: Type): Function {
  // The wrapper calls `fn`'s derivatives beside its parameters: its locals shadow none of them.
  const names = new NameManager([...fn.params.map((p) => p.name), fn.name, fn.sourceName, gradJvp, ...(fn.reservedNames ?? [])]);
  const direction = names.fresh("direction");
  const wrtParams = fn.params.filter((_, i) => wrt[i]);
  const directionType: Type = { kind: "record", fields: wrtParams.map((p) => ({ name: p.name, type: derivativeType(p.type) })) };
  const gradField = (gradType as Extract<Type, { kind: "record" }>).fields.find((f) => f.name === "grad")!.type;
  const pairType: Type = { kind: "record", fields: [{ name: "value", type: gradType }, { name: "tangent", type: gradType }] };
  const resultType: Type = { kind: "record", fields: [{ name: "value", type: NUMBER }, { name: "grad", type: gradField }, { name: "hvp", type: gradField }] };
  const at = (object: string, field: string): Expr => ({ kind: "field", object: ref(object), name: field });
  const body: Stmt[] = [];
  const local = (base: string, type: Type, init: Expr): string => {
    const name = names.fresh(base);
    body.push({ kind: "let", name, type, init, mutable: false });
    return name;
  };
  const pair = local("gradAndTangent", pairType, { kind: "call", callee: gradJvp, args: [...fn.params.map((p) => ref(p.name)), ref(direction)] });
  const gradient = local("gradient", gradType, at(pair, "value"));
  const tangent = local("tangent", gradType, at(pair, "tangent"));
  const fields = [
    { name: "value", value: ref(local("value", NUMBER, at(gradient, "value"))) },
    { name: "grad", value: ref(local("grad", gradField, at(gradient, "grad"))) },
    { name: "hvp", value: ref(local("hvp", gradField, at(tangent, "grad"))) },
  ];
  const result = local("result", resultType, { kind: "recordLiteral", fields, type: resultType });
  body.push({ kind: "return", value: ref(result) });
  return {
    name: `${fn.sourceName}Hvp`,
    sourceName: fn.sourceName,
    params: [...fn.params, { name: direction, type: directionType }],
    returnType: resultType,
    body: [{ kind: "comment", text: "the Hessian-vector product is the tangent of the gradient along `direction`" }, ...body],
    exported: true,
    loc: fn.loc,
    reservedNames: names.all(),
    temporaries: new Set([gradient, tangent, result]),
  };
}
