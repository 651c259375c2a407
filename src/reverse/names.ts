/**
 * One declaration per name: lowering lets sibling scopes reuse a name (`for (const v of x)` twice),
 * which reads well in forward mode. Reverse mode hoists what its backward sweep reads to the top
 * of the function, and decides per name what to save or recompute, so before it runs every
 * later declaration of a name gets a fresh one (`v` → `v2`), with its uses renamed.
 */
import type { Expr, Function, Operand, Stmt } from "../ir/ir.ts";
import { NameManager } from "../ir/names.ts";
import { renameExpr, renameOperand } from "../ir/rename.ts";

const NO_LABELS: ReadonlyMap<string, string> = new Map();

/**
 * `only: "shadowing"` renames just a declaration of a name that is in scope already (a parameter
 * or an enclosing block's), leaving names reused by sibling scopes as they are: what forward mode
 * needs, which gives each name one tangent.
 */
export function renameSiblingDeclarations(fn: Function, only?: "shadowing"): Function {
  const names = new NameManager(fn.reservedNames);
  for (const t of fn.temporaries) names.temporaries.add(t);
  const declared = new Set(fn.params.map((p) => p.name));
  let changed = false;

  // One map of the names in scope, with an undo list per open scope (copying the map for every
  // block would cost the number of names times the number of blocks).
  const env = new Map<string, string>();
  const scopes: [string, string | undefined][][] = [];
  const enter = () => scopes.push([]);
  const leave = () => {
    const undo = scopes.pop()!;
    for (let i = undo.length - 1; i >= 0; i--) {
      const [name, previous] = undo[i]!;
      if (previous === undefined) env.delete(name);
      else env.set(name, previous);
    }
  };
  const bind = (name: string, renamed: string) => {
    scopes[scopes.length - 1]!.push([name, env.get(name)]);
    env.set(name, renamed);
  };
  const operand = (o: Operand): Operand => renameOperand(o, { variables: env, labels: NO_LABELS });
  const expr = (e: Expr): Expr => renameExpr(e, { variables: env, labels: NO_LABELS });
  /** Renames a block; declarations made in it are visible to its later statements only. */
  const block = (stmts: Stmt[]): Stmt[] => {
    enter();
    const renamed = stmts.map(stmt);
    leave();
    return renamed;
  };
  const stmt = (s: Stmt): Stmt => {
    const r = operand;
    switch (s.kind) {
      case "let": {
        const init = s.init && expr(s.init);
        let name = s.name;
        if (only === "shadowing" ? env.has(name) || fn.params.some((p) => p.name === name) : declared.has(name)) {
          name = names.fresh(s.name, fn.temporaries.has(s.name));
          changed = true;
        }
        declared.add(name);
        bind(s.name, name);
        return { ...s, name, init };
      }
      case "assign":
        return { ...s, name: env.get(s.name) ?? s.name, value: expr(s.value) };
      case "setIndex":
        return { ...s, object: r(s.object), index: r(s.index), value: r(s.value) };
      case "setField":
      case "fill":
        return { ...s, object: r(s.object), value: r(s.value) } as Stmt;
      case "push":
        return { ...s, object: r(s.object), values: s.values.map(r) };
      case "drop":
        return { ...s, object: r(s.object) };
      case "callStmt":
      case "trace":
        return { ...s, args: s.args.map(r) };
      case "if":
        return { ...s, cond: r(s.cond), then: block(s.then), else: block(s.else) };
      case "block":
        return { ...s, body: block(s.body) };
      case "return":
        return { ...s, value: s.value && r(s.value) };
      case "loop": {
        enter();
        const init = s.init.map(stmt);
        // The test's declarations are visible to its condition only.
        enter();
        const test = s.test && { prelude: s.test.prelude.map(stmt), cond: operand(s.test.cond) };
        leave();
        const loop = { ...s, init, test, body: block(s.body), update: block(s.update) };
        leave();
        return loop;
      }
      default:
        return s;
    }
  };
  const body = block(fn.body);
  if (!changed) return fn;
  return { ...fn, body, reservedNames: names.all(), temporaries: names.temporaries };
}

