/**
 * "Which source line is this derivative code from": before each run of statements that come
 * from one source line and include derivative code, a comment `// tangent of line N: <source>`.
 */
import type { DerivativeFunction, Function, Stmt } from "../ir/ir.ts";

export function annotateSourceLines(fn: DerivativeFunction): Function {
  const annotate = (block: Stmt[]): Stmt[] => {
    const out: Stmt[] = [];
    for (let i = 0; i < block.length; ) {
      const line = block[i]!.loc?.line;
      let j = i;
      while (j < block.length && block[j]!.loc?.line === line) j++;
      const run = block.slice(i, j).map(nested);
      const loc = block[i]!.loc;
      if (loc && block.slice(i, j).some((s) => fn.derivativeCode.has(s))) {
        out.push({ kind: "comment", text: `${fn.commentLabel} line ${loc.line}: ${loc.text}`, loc });
      }
      out.push(...run);
      i = j;
    }
    return out;
  };
  const nested = (s: Stmt): Stmt => {
    switch (s.kind) {
      case "if":
        return { ...s, then: annotate(s.then), else: annotate(s.else) };
      case "loop":
        return { ...s, init: annotate(s.init), test: s.test && { prelude: annotate(s.test.prelude), cond: s.test.cond }, body: annotate(s.body), update: annotate(s.update) };
      case "block":
        return { ...s, body: annotate(s.body) };
      default:
        return s;
    }
  };
  return { ...fn, body: annotate(fn.body) };
}
