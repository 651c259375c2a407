/**
 * `node:fs` in the browser: there is no disk. The compiler reads files only when it is given no
 * source text for them (formatDiagnostic's code frame falls back to a read, which fails here).
 */
export function readFileSync(path: string): never {
  throw new Error(`no file system in the browser: cannot read ${path}`);
}
