/**
 * Builds the playground as a static site (playground/dist by default): the page, its styles, and
 * a Web Worker that runs the tsad compiler itself — ts-morph over an in-memory file system,
 * prettier's standalone build — so the page can be hosted anywhere and compiles nothing on a
 * server.
 *
 * The compiler's sources import a few Node modules; in the browser they are replaced here, at
 * bundle time, never by changing the compiler:
 *   - `prettier` → prettier/standalone with its TypeScript and estree plugins (shims/prettier.ts);
 *   - `node:path` → path-browserify (the compiler only joins absolute in-memory paths);
 *   - `node:fs` → a module whose reads fail (formatDiagnostic then uses the sources it is given);
 *   - the Node built-ins that TypeScript and ts-morph touch only on a real file system → empty.
 * ts-morph carries every TypeScript lib file (the DOM's included, 3 MB) for its in-memory file
 * system; the bundle carries only the ones that `lib: ["lib.es2022.d.ts"]` reaches, read from the
 * typescript package.
 *
 * Run directly (`npx tsx playground/build.ts [outdir]`) or through `buildPlayground`.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { browserBundle, outputSizes, rawText } from "./bundle.ts";
import { buildLab } from "./lab/build.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const shims = join(here, "src/shims");

/** The compiler's lib (src/load/load.ts): lib.es2022.d.ts and everything it references. */
const ROOT_LIB = "es2022";

export interface BuildResult {
  outdir: string;
  /** Bytes written per file name. */
  sizes: Record<string, number>;
}

export async function buildPlayground(outdir = join(here, "dist"), { minify = true } = {}): Promise<BuildResult> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const common: esbuild.BuildOptions = { ...browserBundle({ minify }), plugins: [browserShims(), rawText()] };
  const [page, worker] = await Promise.all([
    esbuild.build({ ...common, entryPoints: { main: join(here, "src/main.ts") }, outdir }),
    esbuild.build({ ...common, entryPoints: { worker: join(here, "src/worker.ts") }, outdir }),
  ]);
  copyFileSync(join(here, "index.html"), join(outdir, "index.html"));
  copyFileSync(join(here, "src/style.css"), join(outdir, "style.css"));
  const sizes = { ...outputSizes([page, worker]), ...(await buildLab(outdir, { minify })) };
  return { outdir, sizes };
}

function browserShims(): esbuild.Plugin {
  const EMPTY = ["fs", "os", "path", "crypto", "inspector", "perf_hooks", "source-map-support", "node:fs/promises", "node:os", "tinyglobby"];
  return {
    name: "browser-shims",
    setup(build) {
      build.onResolve({ filter: /^prettier$/ }, () => ({ path: join(shims, "prettier.ts") }));
      build.onResolve({ filter: /^node:path$/ }, (args) => build.resolve("path-browserify", { kind: args.kind, resolveDir: root }));
      build.onResolve({ filter: /^node:fs$/ }, () => ({ path: join(shims, "node-fs.ts") }));
      build.onResolve({ filter: /^tsad-es2022-lib-files$/ }, () => ({ path: "lib-files", namespace: "tsad-lib" }));
      build.onLoad({ filter: /.*/, namespace: "tsad-lib" }, () => ({ contents: `module.exports = ${JSON.stringify(libFiles(ROOT_LIB))};`, loader: "js" }));
      build.onResolve({ filter: new RegExp(`^(${EMPTY.map(escape).join("|")})$`) }, () => ({ path: "empty", namespace: "empty" }));
      build.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "module.exports = {};", loader: "js" }));
      // ts-morph's own copy of every lib file → the es2022 closure from the typescript package.
      build.onLoad({ filter: /@ts-morph[\\/]common[\\/]dist[\\/]ts-morph-common\.js$/ }, (args) => {
        const text = readFileSync(args.path, "utf8");
        const start = text.indexOf("const libFiles = [");
        const end = text.indexOf("function getLibFiles()");
        if (start < 0 || end < start) throw new Error("ts-morph's lib file table moved: update playground/build.ts");
        return { contents: `${text.slice(0, start)}const libFiles = require("tsad-es2022-lib-files");\n\n${text.slice(end)}`, loader: "js" };
      });
    },
  };
}

/** lib.<name>.d.ts and every lib it references (`/// <reference lib="…" />`), transitively. */
export function libFiles(name: string): { fileName: string; text: string }[] {
  const libDir = dirname(fileURLToPath(import.meta.resolve("typescript/lib/lib.d.ts")));
  const seen = new Map<string, string>();
  const visit = (lib: string) => {
    const fileName = `lib.${lib}.d.ts`;
    if (seen.has(fileName)) return;
    const text = readFileSync(join(libDir, fileName), "utf8");
    seen.set(fileName, text);
    for (const [, referenced] of text.matchAll(/\/\/\/\s*<reference\s+lib="([^"]+)"\s*\/>/g)) visit(referenced!.toLowerCase());
  };
  visit(name);
  return [...seen].map(([fileName, text]) => ({ fileName, text }));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = resolve(process.argv[2] ?? join(here, "dist"));
  const { sizes } = await buildPlayground(outdir);
  const kb = (n: number) => `${(n / 1024).toFixed(0)} kB`;
  process.stdout.write(`playground: wrote ${outdir}\n${Object.entries(sizes).map(([f, n]) => `  ${f} ${kb(n)}`).join("\n")}\n`);
}
