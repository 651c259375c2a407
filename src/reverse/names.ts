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

export function renameSiblingDeclarations(fn: Function): Function {
  const names = new NameManager(fn.reservedNames);
  for (const t of fn.temporaries) names.temporaries.add(t);
  const declared = new Set(fn.params.map((p) => p.name));
  let changed = false;

  const operand = (o: Operand, env: Map<string, string>): Operand => renameOperand(o, { variables: env, labels: NO_LABELS });
  const expr = (e: Expr, env: Map<string, string>): Expr => renameExpr(e, { variables: env, labels: NO_LABELS });
  /** Renames a block; declarations made in it are visible to its later statements only. */
  const block = (stmts: Stmt[], outer: Map<string, string>): Stmt[] => {
    const env = new Map(outer);
    return stmts.map((s) => stmt(s, env));
  };
  const stmt = (s: Stmt, env: Map<string, string>): Stmt => {
    const r = (o: Operand) => operand(o, env);
    switch (s.kind) {
      case "let": {
        const init = s.init && expr(s.init, env);
        let name = s.name;
        if (declared.has(name)) {
          name = names.fresh(s.name, fn.temporaries.has(s.name));
          changed = true;
        }
        declared.add(name);
        env.set(s.name, name);
        return { ...s, name, init };
      }
      case "assign":
        return { ...s, name: env.get(s.name) ?? s.name, value: expr(s.value, env) };
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
        return { ...s, args: s.args.map(r) };
      case "if":
        return { ...s, cond: r(s.cond), then: block(s.then, env), else: block(s.else, env) };
      case "block":
        return { ...s, body: block(s.body, env) };
      case "return":
        return { ...s, value: s.value && r(s.value) };
      case "loop": {
        const scope = new Map(env);
        const init = s.init.map((x) => stmt(x, scope));
        // The test's declarations are visible to its condition only.
        const testScope = new Map(scope);
        const test = s.test && { prelude: s.test.prelude.map((x) => stmt(x, testScope)), cond: operand(s.test.cond, testScope) };
        return { ...s, init, test, body: block(s.body, scope), update: block(s.update, scope) };
      }
      default:
        return s;
    }
  };
  const body = block(fn.body, new Map());
  if (!changed) return fn;
  return { ...fn, body, reservedNames: names.all(), temporaries: names.temporaries };
}

