/**
 * Where every statement of a function is: its rank in program order, the rank of its last
 * nested statement, its block, and the loops around it. Questions about nesting ("is this write
 * inside that loop?", "is this statement in that block?") are then comparisons of ranks, and
 * questions about a set of statements are binary searches in their sorted ranks: no analysis
 * walks the function again to answer one.
 */
import type { Stmt } from "../../ir/ir.ts";
import type { Loop } from "../../analysis/loops.ts";

export interface Place {
  /** Rank in program order (init, test prelude, body, update for a loop). */
  index: number;
  /** Rank of the last statement nested in this one (itself when it has none). */
  end: number;
  /** The loops whose test, body or update hold the statement, outermost first (a loop's init runs outside it). */
  loops: Loop[];
  block: Stmt[];
  /** Position in its block. */
  at: number;
  /** The statement whose part the block is. */
  owner?: Stmt;
}

export class Statements {
  private readonly places = new Map<Stmt, Place>();
  private readonly byIndex: Stmt[] = [];

  constructor(body: Stmt[]) {
    const walk = (block: Stmt[], loops: Loop[], owner?: Stmt) => {
      block.forEach((s, at) => {
        const place: Place = { index: this.byIndex.length, end: 0, loops, block, at, owner };
        this.places.set(s, place);
        this.byIndex.push(s);
        if (s.kind === "if") {
          walk(s.then, loops, s);
          walk(s.else, loops, s);
        } else if (s.kind === "block") walk(s.body, loops, s);
        else if (s.kind === "loop") {
          walk(s.init, loops, s);
          const inner = [...loops, s];
          if (s.test) walk(s.test.prelude, inner, s);
          walk(s.body, inner, s);
          walk(s.update, inner, s);
        }
        place.end = this.byIndex.length - 1;
      });
    };
    walk(body, []);
  }

  place(s: Stmt): Place | undefined {
    return this.places.get(s);
  }

  at(index: number): Stmt {
    return this.byIndex[index]!;
  }

  get size(): number {
    return this.byIndex.length;
  }

  /** The ranks a block's statements and everything in them occupy (empty: [1, 0]). */
  blockRange(block: Stmt[]): [number, number] {
    const first = block[0] && this.places.get(block[0]);
    const last = block.length > 0 ? this.places.get(block[block.length - 1]!) : undefined;
    return first && last ? [first.index, last.end] : [1, 0];
  }

  /** Whether `s` is in `block`, directly or nested. */
  within(s: Stmt, block: Stmt[]): boolean {
    const p = this.places.get(s);
    if (!p) return false;
    const [from, to] = this.blockRange(block);
    return p.index >= from && p.index <= to;
  }

  /** The ranks of a loop's test, body and update (what repeats; its init runs once, before). */
  repeatedRange(loop: Loop): [number, number] {
    const p = this.places.get(loop)!;
    const init = loop.init.length > 0 ? this.places.get(loop.init[loop.init.length - 1]!)!.end : p.index;
    return [init + 1, p.end];
  }

  /** Whether `s` runs in every iteration of `loop` (in its test, body or update). */
  inside(s: Stmt, loop: Loop): boolean {
    const p = this.places.get(s);
    if (!p || s === loop) return false;
    const [from, to] = this.repeatedRange(loop);
    return p.index >= from && p.index <= to;
  }

  /** The ancestor of `s` (or `s` itself) that is a statement of `block`, as its position there. */
  ancestorIn(s: Stmt, block: Stmt[]): number {
    let p = this.places.get(s)!;
    while (p.block !== block) p = this.places.get(p.owner!)!;
    return p.at;
  }
}

/** Statements sorted by rank: how many, or which first, fall in a range of ranks (binary search). */
export class RankedSet {
  readonly ranks: number[];

  constructor(
    readonly statements: Statements,
    members: Iterable<Stmt>,
  ) {
    const ranks: number[] = [];
    for (const s of members) {
      const p = statements.place(s);
      if (p) ranks.push(p.index);
    }
    this.ranks = ranks.sort((a, b) => a - b);
  }

  /** The first rank ≥ `from`, or undefined. */
  firstFrom(from: number): number | undefined {
    let lo = 0;
    let hi = this.ranks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranks[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return this.ranks[lo];
  }

  /** Whether some member's rank is in [from, to]. */
  anyIn(from: number, to: number): boolean {
    const first = this.firstFrom(from);
    return first !== undefined && first <= to;
  }

  /** How many members have a rank in [from, to]. */
  countIn(from: number, to: number): number {
    if (to < from) return 0;
    const upper = this.firstIndexFrom(to + 1);
    return upper - this.firstIndexFrom(from);
  }

  get last(): number | undefined {
    return this.ranks[this.ranks.length - 1];
  }

  private firstIndexFrom(from: number): number {
    let lo = 0;
    let hi = this.ranks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranks[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
