/**
 * The numbers inside nested arrays and objects, as slots one can read and write in place: how
 * finite differences and the JVP sweep walk a function's inputs, and how gradients of any shape
 * are flattened for comparison (depth first, arrays by index, object fields in key order).
 */
export type Nested = number | readonly Nested[] | { readonly [key: string]: Nested };

export interface Slot {
  get(): number;
  set(value: number): void;
}

export function slots(value: Nested): Slot[] {
  const out: Slot[] = [];
  const walk = (v: Nested) => {
    if (typeof v === "number") throw new Error("a bare number has no slot: wrap it in an array");
    const holder = v as Record<string | number, Nested>;
    for (const key of Object.keys(holder)) {
      const child = holder[key]!;
      if (typeof child === "number") out.push({ get: () => holder[key] as number, set: (x) => (holder[key] = x) });
      else walk(child);
    }
  };
  walk(value);
  return out;
}

export function flatten(value: Nested): number[] {
  if (typeof value === "number") return [value];
  return Object.values(value as Record<string, Nested>).flatMap(flatten);
}

/**
 * A deep copy of `value` with every number replaced by 0. Arrays of numbers are made as arrays of
 * doubles (V8's elements kinds): an array of small integers would make the functions it is passed
 * to polymorphic, and slow them down for the rest of the run.
 */
export function zerosLike<T extends Nested>(value: T): T {
  if (typeof value === "number") return 0 as T;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "number")) return value.map(() => 0.5).fill(0) as unknown as T;
    return value.map(zerosLike) as unknown as T;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, zerosLike(v as Nested)])) as T;
}
