/**
 * Polynomials in size symbols (`x.length`, `n`, `layers[i].weights.length`) with rational
 * coefficients: what `tsad explain` counts operations and tape entries in.
 */

/** Monomial key: symbol names sorted and joined by "·" ("" for the constant term). */
export type Poly = ReadonlyMap<string, number>;

export const ZERO: Poly = new Map();

export function constant(value: number): Poly {
  return value === 0 ? ZERO : new Map([["", value]]);
}

export function symbol(name: string): Poly {
  return new Map([[name, 1]]);
}

export function add(a: Poly, b: Poly): Poly {
  const out = new Map(a);
  for (const [key, c] of b) {
    const sum = (out.get(key) ?? 0) + c;
    if (sum === 0) out.delete(key);
    else out.set(key, sum);
  }
  return out;
}

export function scale(a: Poly, factor: number): Poly {
  if (factor === 0) return ZERO;
  return new Map([...a].map(([key, c]) => [key, c * factor]));
}

export function sub(a: Poly, b: Poly): Poly {
  return add(a, scale(b, -1));
}

export function mul(a: Poly, b: Poly): Poly {
  let out: Poly = ZERO;
  for (const [ka, ca] of a) {
    for (const [kb, cb] of b) {
      const key = [...split(ka), ...split(kb)].sort().join("·");
      out = add(out, new Map([[key, ca * cb]]));
    }
  }
  return out;
}

/** An upper bound of both (sizes are never negative): the larger coefficient of each monomial. */
export function upperBound(a: Poly, b: Poly): Poly {
  const out = new Map(a);
  for (const [key, c] of b) out.set(key, Math.max(out.get(key) ?? 0, c));
  for (const [key, c] of a) if (!b.has(key)) out.set(key, Math.max(c, 0));
  for (const [key, c] of out) if (c === 0) out.delete(key);
  return out;
}

export function isConstant(a: Poly): number | undefined {
  if (a.size === 0) return 0;
  if (a.size === 1 && a.has("")) return a.get("")!;
  return undefined;
}

export function equal(a: Poly, b: Poly): boolean {
  return sub(a, b).size === 0;
}

/**
 * The sign of a − b for every size ≥ 1, when the terms decide it: −1, 0 or 1; undefined when
 * it depends on the sizes. Every monomial is at least 1, so a difference whose non-constant
 * coefficients share a sign with its value at all sizes 1 is decided.
 */
export function compare(a: Poly, b: Poly): -1 | 0 | 1 | undefined {
  const difference = sub(a, b);
  if (difference.size === 0) return 0;
  const atOne = [...difference.values()].reduce((s, c) => s + c, 0);
  const terms = [...difference].filter(([key]) => key !== "").map(([, c]) => c);
  if (terms.every((c) => c >= 0) && atOne > 0) return 1;
  if (terms.every((c) => c <= 0) && atOne < 0) return -1;
  return undefined;
}

/** The value at the given sizes, or undefined if a symbol has no value. */
export function evaluate(a: Poly, sizes: ReadonlyMap<string, number>): number | undefined {
  let total = 0;
  for (const [key, c] of a) {
    let term = c;
    for (const name of split(key)) {
      const value = sizes.get(name);
      if (value === undefined) return undefined;
      term *= value;
    }
    total += term;
  }
  return total;
}

export function symbols(a: Poly): string[] {
  return [...new Set([...a.keys()].flatMap(split))].sort();
}

/** `3·x.length·n − 2`: highest degree first, then by name. */
export function format(a: Poly): string {
  if (a.size === 0) return "0";
  const terms = [...a].sort(([ka], [kb]) => split(kb).length - split(ka).length || ka.localeCompare(kb));
  return terms
    .map(([key, c], i) => {
      const magnitude = Math.abs(c);
      const coefficient = key === "" ? formatNumber(magnitude) : magnitude === 1 ? "" : `${formatNumber(magnitude)}·`;
      const sign = c < 0 ? (i === 0 ? "−" : " − ") : i === 0 ? "" : " + ";
      return `${sign}${coefficient}${withPowers(key)}`;
    })
    .join("");
}

/** `n·n·m` → `n²·m`. */
function withPowers(key: string): string {
  const counts = new Map<string, number>();
  for (const name of split(key)) counts.set(name, (counts.get(name) ?? 0) + 1);
  const superscript = (n: number) => [...String(n)].map((d) => "⁰¹²³⁴⁵⁶⁷⁸⁹"[Number(d)]).join("");
  return [...counts].map(([name, n]) => (n === 1 ? name : `${name}${superscript(n)}`)).join("·");
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}

function split(key: string): string[] {
  return key === "" ? [] : key.split("·");
}
