/**
 * A cache of V8's compiled code for the compiler's largest CommonJS files (TypeScript's 9 MB
 * compiler inside ts-morph): compiling it from source is a quarter of a cold `tsad file.ts`.
 * Node 20 has no built-in module compile cache, so the CLI hooks CommonJS compilation for files
 * over 1 MB and keeps V8's code cache in node_modules/.cache/tsad, keyed by the Node version,
 * the file's path and its content (a changed file or Node gets a new entry; a rejected entry is
 * rewritten). Only the command line turns it on; anything that fails falls back to Node's own
 * compilation.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { Script } from "node:vm";

const LARGE = 1_000_000;

interface CompilingModule {
  exports: unknown;
  _compile(content: string, filename: string): unknown;
}

export function enableCompileCache(dir: string): void {
  const prototype = (Module as unknown as { prototype: CompilingModule }).prototype;
  const wrap = (Module as unknown as { wrap(code: string): string }).wrap;
  const original = prototype._compile;
  const fresh: { script: Script; file: string }[] = [];
  prototype._compile = function (this: CompilingModule, content: string, filename: string) {
    if (content.length < LARGE) return original.call(this, content, filename);
    const key = createHash("sha256").update(process.version).update(filename).update(content).digest("hex").slice(0, 32);
    const file = join(dir, `${key}.v8`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    let script: Script;
    try {
      script = new Script(wrap(content), { filename, cachedData });
    } catch {
      return original.call(this, content, filename);
    }
    if (!cachedData || script.cachedDataRejected) fresh.push({ script, file });
    const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: CompilingModule, filename: string, dirname: string) => unknown;
    return run.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename));
  };
  // Written at exit, so that the cache holds the functions this run compiled too.
  process.once("exit", () => {
    if (fresh.length === 0) return;
    try {
      mkdirSync(dir, { recursive: true });
      for (const { script, file } of fresh) writeFileSync(file, script.createCachedData());
    } catch {
      // A read-only node_modules: no cache, nothing lost.
    }
  });
}

/**
 * Where the cache lives: $TSAD_CACHE_DIR, else the installing project's
 * node_modules/.cache/tsad; none for a checkout run from its own folder.
 */
export function cacheDir(from: string): string | undefined {
  if (process.env.TSAD_CACHE_DIR) return process.env.TSAD_CACHE_DIR;
  const installed = from.lastIndexOf(`${sep}node_modules${sep}`);
  return installed >= 0 ? join(from.slice(0, installed), "node_modules", ".cache", "tsad") : undefined;
}
