/**
 * Which redefinitions of a variable may be the first to run after a given statement: those
 * destroy the value the statement's backward code will read (later ones are undone by then).
 *
 * From the statement, the rest of its block runs next, then, leaving a loop's part, the rest of
 * that iteration and the next ones, then the rest of the enclosing blocks; a redefinition that
 * surely runs (directly in a block, in both branches of an `if`, in a loop's init) ends the
 * search. Only the statements that contain a redefinition are visited (found by binary search
 * in their ranks), and a block is scanned from one position once per variable: a query costs a
 * few logarithmic steps per level of nesting, whatever the size of the function.
 */
import type { Loop } from "../../analysis/loops.ts";
import type { Stmt } from "../../ir/ir.ts";
import { RankedSet, type Statements } from "./statements.ts";

export class Redefinitions {
  private readonly members: Set<Stmt>;
  private readonly ranked: RankedSet;
  /** Whether scanning a block from a position surely redefines the variable, by block and position. */
  private readonly scanned = new Map<Stmt[], Map<number, boolean>>();
  /** Every redefinition the scans so far reached. */
  readonly found = new Set<Stmt>();

  constructor(
    private readonly statements: Statements,
    redefinitions: Iterable<Stmt>,
  ) {
    this.members = new Set(redefinitions);
    this.ranked = new RankedSet(statements, this.members);
  }

  get empty(): boolean {
    return this.members.size === 0;
  }

  /** Adds to `found` the redefinitions that may be the first to run after `reader`. */
  scanAfter(reader: Stmt): void {
    if (this.empty) return;
    let place = this.statements.place(reader);
    // An `if` reads its condition first: its own branches run after the read. A loop read by
    // its reversal (a counted loop: its start, its bound, its counter where it stopped) is read
    // as it ends: its own init and body ran before.
    const compound = reader.kind === "if" || reader.kind === "block";
    let definite = place ? this.scan(place.block, place.at + (compound ? 0 : 1)) : true;
    while (!definite && place) {
      const owner = place.owner;
      if (!owner) break;
      // Leaving a loop's part: the rest of this iteration and the next ones may run first.
      if (owner.kind === "loop") this.scanLoop(owner);
      const up = this.statements.place(owner);
      if (!up) break;
      definite = this.scan(up.block, up.at + 1);
      place = up;
    }
  }

  /** Whether no redefinition may run after `reader` (the backward sweep still sees its value). */
  noneAfter(reader: Stmt): boolean {
    if (this.empty) return true;
    let place = this.statements.place(reader);
    if (!place) return true;
    const compound = reader.kind === "if" || reader.kind === "loop" || reader.kind === "block";
    if (this.nextRelevant(place.block, place.at + (compound ? 0 : 1)) >= 0) return false;
    for (;;) {
      const owner = place.owner;
      if (!owner) return true;
      if (owner.kind === "loop") {
        const [from, to] = this.statements.repeatedRange(owner);
        if (this.ranked.anyIn(from, to)) return false;
      }
      const up = this.statements.place(owner);
      if (!up) return true;
      if (this.nextRelevant(up.block, up.at + 1) >= 0) return false;
      place = up;
    }
  }

  /** The position of the first statement of `block` at or after `from` that holds a redefinition, or −1. */
  private nextRelevant(block: Stmt[], from: number): number {
    if (from >= block.length) return -1;
    const start = this.statements.place(block[from]!)!.index;
    const end = this.statements.place(block[block.length - 1]!)!.end;
    const rank = this.ranked.firstFrom(start);
    if (rank === undefined || rank > end) return -1;
    return this.statements.ancestorIn(this.statements.at(rank), block);
  }

  /** Scans a block from a position; true when it surely redefines the variable. */
  private scan(block: Stmt[], from: number): boolean {
    let memo = this.scanned.get(block);
    if (!memo) this.scanned.set(block, (memo = new Map()));
    const visited: number[] = [];
    let result = false;
    for (let k = this.nextRelevant(block, from); k >= 0; k = this.nextRelevant(block, k + 1)) {
      const known = memo.get(k);
      if (known !== undefined) {
        result = known;
        break;
      }
      visited.push(k);
      if (this.surelyRedefines(block[k]!)) {
        result = true;
        break;
      }
    }
    for (const k of visited) memo.set(k, result);
    return result;
  }

  /** Scans one statement holding a redefinition; true when it surely redefines the variable. */
  private surelyRedefines(s: Stmt): boolean {
    if (this.members.has(s)) {
      this.found.add(s);
      return true;
    }
    if (s.kind === "if") {
      const a = this.scan(s.then, 0);
      const b = this.scan(s.else, 0);
      return a && b;
    }
    if (s.kind === "block") return this.scan(s.body, 0);
    if (s.kind === "loop") {
      if (this.scan(s.init, 0)) return true;
      this.scanLoop(s);
    }
    return false;
  }

  private scanLoop(loop: Loop): void {
    if (loop.test) this.scan(loop.test.prelude, 0);
    this.scan(loop.body, 0);
    this.scan(loop.update, 0);
  }
}
