/**
 * Argument values for plotting: the shape of a parameter's type, a default value of that shape,
 * and the flattening of the differentiated arguments into numbered coordinates (parameters in
 * order, each depth-first: arrays by index, object fields in order), as the SPEC flattens inputs
 * for `hessian` and `jacobian`.
 */
export type ValueType =
  | { kind: "number" }
  | { kind: "boolean" }
  | { kind: "string" }
  | { kind: "array"; element: ValueType }
  | { kind: "tuple"; elements: ValueType[] }
  | { kind: "typedArray"; name: "Float64Array" | "Float32Array" }
  | { kind: "object"; fields: { name: string; type: ValueType }[] }
  | { kind: "other"; text: string };

export function isDifferentiableType(type: ValueType): boolean {
  switch (type.kind) {
    case "number":
    case "typedArray":
      return true;
    case "array":
      return isDifferentiableType(type.element);
    case "tuple":
      return type.elements.some(isDifferentiableType);
    case "object":
      return type.fields.some((f) => isDifferentiableType(f.type));
    default:
      return false;
  }
}

/** A small value of the type: numbers 0.5, arrays of two elements. */
export function defaultValue(type: ValueType): unknown {
  switch (type.kind) {
    case "number":
      return 0.5;
    case "boolean":
      return false;
    case "string":
      return "";
    case "array":
      return [defaultValue(type.element), defaultValue(type.element)];
    case "tuple":
      return type.elements.map(defaultValue);
    case "typedArray":
      return [0.5, 0.5];
    case "object":
      return Object.fromEntries(type.fields.map((f) => [f.name, defaultValue(f.type)]));
    case "other":
      return null;
  }
}

/** Whether a parsed JSON value has the type's outer shape (a number for a number, a list for an array…). */
export function fits(value: unknown, type: ValueType): boolean {
  switch (type.kind) {
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "array":
    case "tuple":
    case "typedArray":
      return Array.isArray(value);
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "other":
      return true;
  }
}

/** A parsed JSON argument turned into the value the function takes (typed arrays from lists). */
export function materialize(value: unknown, type: ValueType): unknown {
  if (type.kind === "typedArray" && Array.isArray(value)) return type.name === "Float32Array" ? Float32Array.from(value) : Float64Array.from(value);
  if (type.kind === "array" && Array.isArray(value)) return value.map((v) => materialize(v, type.element));
  if (type.kind === "tuple" && Array.isArray(value)) return value.map((v, i) => (type.elements[i] ? materialize(v, type.elements[i]!) : v));
  if (type.kind === "object" && value !== null && typeof value === "object") {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const field of type.fields) if (field.name in out) out[field.name] = materialize(out[field.name], field.type);
    return out;
  }
  return value;
}

/** A numeric leaf of an argument: where it is (for reading and writing) and how to call it. */
export interface Coordinate {
  label: string;
  param: string;
  path: (string | number)[];
}

/** The numbers of a value, depth-first; object fields in the order `type` declares them. */
export function coordinates(param: string, value: unknown, type?: ValueType): Coordinate[] {
  const found: Coordinate[] = [];
  const elementType = (t: ValueType | undefined, i: number) => (t?.kind === "array" ? t.element : t?.kind === "tuple" ? t.elements[i] : undefined);
  const visit = (v: unknown, t: ValueType | undefined, path: (string | number)[], label: string) => {
    if (typeof v === "number") found.push({ label, param, path });
    else if (Array.isArray(v) || ArrayBuffer.isView(v)) Array.from(v as ArrayLike<unknown>).forEach((item, i) => visit(item, elementType(t, i), [...path, i], `${label}[${i}]`));
    else if (v !== null && typeof v === "object") {
      const record = v as Record<string, unknown>;
      const declared = t?.kind === "object" ? t.fields.map((f) => f.name).filter((name) => name in record) : [];
      const keys = [...declared, ...Object.keys(record).filter((key) => !declared.includes(key))];
      for (const key of keys) visit(record[key], t?.kind === "object" ? t.fields.find((f) => f.name === key)?.type : undefined, [...path, key], `${label}.${key}`);
    }
  };
  visit(value, type, [], param);
  return found;
}

export function readAt(value: unknown, path: (string | number)[]): unknown {
  let at: unknown = value;
  for (const step of path) at = at === undefined || at === null ? undefined : (at as Record<string | number, unknown>)[step];
  return at;
}

export function writeAt(value: unknown, path: (string | number)[], x: number): void {
  let at = value as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = x;
}

/** Every number of a value, depth-first (the rows of a Jacobian), with labels. */
export function flatten(value: unknown, label: string, type?: ValueType): { labels: string[]; numbers: number[] } {
  const labels: string[] = [];
  const numbers: number[] = [];
  for (const c of coordinates(label, value, type)) {
    labels.push(c.label);
    numbers.push(readAt(value, c.path) as number);
  }
  return { labels, numbers };
}

/** A deep copy that keeps typed arrays typed (arguments are copied before each plot point). */
export function cloneValue<T>(value: T): T {
  return structuredClone(value);
}
