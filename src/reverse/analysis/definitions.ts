/**
 * Where the forward sweep defines each variable: how often, whether in a loop or a nested block,
 * which definitions overwrite an earlier value, and which are first declarations (they destroy
 * nothing, so nothing is ever saved before them).
 *
 * The forward sweep defines what the primal defines, in the same order, plus the adjoint
 * container that goes with each active container (`let xBar = …` beside `let x = …`); a counted
 * loop's update is no definition (counting back down undoes it).
 */
import type { Activity } from "../../analysis/activity.ts";
import type { Loop } from "../../analysis/loops.ts";
import type { Function, Stmt } from "../../ir/ir.ts";
import { isReference } from "../../ir/types.ts";

export interface DefinitionSite {
  /** How many definitions (a parameter counts its call). */
  count: number;
  /** Some definition runs in a loop's test, body or update. */
  inLoop: boolean;
  /** Some declaration is inside an `if`, a loop or a block (out of the backward sweep's scope). */
  nested: boolean;
}

export interface Definitions {
  sites: Map<string, DefinitionSite>;
  /** The primal statements that redefine each variable (everything but its first declaration). */
  overwrites: Map<string, Stmt[]>;
  /** Every primal statement that defines each variable, in program order. */
  all: Map<string, Stmt[]>;
  /** Declarations outside loops that are their variable's first definition. */
  first: Set<Stmt>;
}

/**
 * `adjointOf(name)`: the adjoint container's name of an active container (the writer names it).
 */
export function findDefinitions(fn: Function, activity: Activity, counted: ReadonlyMap<Loop, unknown>, adjointOf: (name: string) => string): Definitions {
  const result: Definitions = { sites: new Map(), overwrites: new Map(), all: new Map(), first: new Set() };
  const params = new Set(fn.params.map((p) => p.name));
  let loopDepth = 0;
  let blockDepth = 0;
  const push = (map: Map<string, Stmt[]>, name: string, s: Stmt) => {
    const list = map.get(name);
    if (list) list.push(s);
    else map.set(name, [s]);
  };
  const define = (kind: "let" | "assign", name: string, primal: Stmt) => {
    push(result.all, name, primal);
    // The first declaration outside loops overwrites nothing; every later definition does
    // (sibling loops share their counter's name).
    const first = kind === "let" && loopDepth === 0 && !result.sites.has(name);
    if (first) result.first.add(primal);
    else push(result.overwrites, name, primal);
    const site = result.sites.get(name) ?? { count: params.has(name) ? 1 : 0, inLoop: false, nested: false };
    site.count++;
    site.inLoop ||= loopDepth > 0;
    if (kind === "let") site.nested ||= blockDepth > 0;
    result.sites.set(name, site);
  };
  const block = (stmts: Stmt[]) => {
    for (const s of stmts) stmt(s);
  };
  const stmt = (s: Stmt) => {
    switch (s.kind) {
      case "let":
      case "assign": {
        define(s.kind, s.name, s);
        const type = activity.types.get(s.name);
        const value = s.kind === "let" ? s.init : s.value;
        if (type && isReference(type) && activity.isActive(s.name) && value) define(s.kind, adjointOf(s.name), s);
        return;
      }
      case "if":
        blockDepth++;
        block(s.then);
        block(s.else);
        blockDepth--;
        return;
      case "block":
        blockDepth++;
        block(s.body);
        blockDepth--;
        return;
      case "loop":
        blockDepth++;
        block(s.init);
        loopDepth++;
        if (s.test) block(s.test.prelude);
        block(s.body);
        if (!counted.has(s)) block(s.update);
        loopDepth--;
        blockDepth--;
        return;
      default:
        return;
    }
  };
  block(fn.body);
  return result;
}
