/**
 * The functions of the edited module, as the page offers them: name, parameters with the shape
 * of their types (for `wrt` choices and plot arguments) and the shape of the result (which plot
 * fits). Read from the same ts-morph project the compiler uses.
 */
import type { Node, SourceFile, Type } from "ts-morph";
import { topLevelFunctions } from "../../src/load/functions.ts";
import type { FunctionInfo } from "./protocol.ts";
import { isDifferentiableType, type ValueType } from "./values.ts";

export function describeFunctions(file: SourceFile): FunctionInfo[] {
  return topLevelFunctions(file).map((fn) => ({
    name: fn.name,
    exported: fn.exported,
    params: fn.node.getParameters().map((p) => {
      const type = valueType(p.getType(), p, 0);
      return { name: p.getName(), type, differentiable: isDifferentiableType(type) };
    }),
    returns: valueType(fn.node.getReturnType(), fn.node, 0),
  }));
}

const MAX_DEPTH = 8;

function valueType(type: Type, at: Node, depth: number): ValueType {
  if (depth > MAX_DEPTH) return { kind: "other", text: type.getText() };
  if (type.isNumber() || type.isNumberLiteral()) return { kind: "number" };
  if (type.isBoolean() || type.isBooleanLiteral()) return { kind: "boolean" };
  if (type.isString() || type.isStringLiteral() || type.isTemplateLiteral()) return { kind: "string" };
  if (type.isTuple()) return { kind: "tuple", elements: type.getTupleElements().map((t) => valueType(t, at, depth + 1)) };
  const symbolName = type.getSymbol()?.getName();
  if (type.isArray() || symbolName === "ReadonlyArray" || symbolName === "Array") {
    const element = type.getArrayElementType() ?? type.getTypeArguments()[0];
    if (element) return { kind: "array", element: valueType(element, at, depth + 1) };
  }
  if (symbolName === "Float64Array" || symbolName === "Float32Array") return { kind: "typedArray", name: symbolName };
  if (type.isObject() && type.getCallSignatures().length === 0) {
    return {
      kind: "object",
      fields: type.getProperties().map((property) => ({ name: property.getName(), type: valueType(property.getTypeAtLocation(at), at, depth + 1) })),
    };
  }
  return { kind: "other", text: type.getText() };
}
