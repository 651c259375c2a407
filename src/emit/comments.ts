/**
 * "Which source line is this derivative code from": before each run of statements that come
 * from one source line and include derivative code, a comment `// tangent of line N: <source>`.
 */
import type { DerivativeFunction, Function, Stmt } from "../ir/ir.ts";
import { mapNestedBlocks } from "../ir/rename.ts";

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
  const nested = (s: Stmt): Stmt => mapNestedBlocks(s, annotate);
  return { ...fn, body: annotate(fn.body) };
}
