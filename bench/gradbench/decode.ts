/**
 * Reading an eval's JSON input into the values the benchmark functions take, with a clear error
 * naming the field when the input does not have the shape the eval's README promises.
 */
export class InputError extends Error {}

export function record(value: unknown, name = "input"): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InputError(`${name} must be an object`);
  return value as Record<string, unknown>;
}

export function double(value: unknown, name: string): number {
  if (typeof value !== "number") throw new InputError(`${name} must be a number`);
  return value;
}

export function integer(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new InputError(`${name} must be an integer`);
  return value;
}

export function vector(value: unknown, name: string, length?: number): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "number")) throw new InputError(`${name} must be an array of numbers`);
  if (length !== undefined && value.length !== length) throw new InputError(`${name} must have ${length} numbers, not ${value.length}`);
  return value as number[];
}

export function matrix(value: unknown, name: string, rows?: number, columns?: number): number[][] {
  if (!Array.isArray(value)) throw new InputError(`${name} must be an array of arrays of numbers`);
  if (rows !== undefined && value.length !== rows) throw new InputError(`${name} must have ${rows} rows, not ${value.length}`);
  return value.map((row, i) => vector(row, `${name}[${i}]`, columns));
}
