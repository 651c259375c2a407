/**
 * Bundles the Lab view next to the playground (same folder, so the pages share style.css): the
 * page (lab-main.js), its worker (lab-worker.js), lab.html and lab.css. The page shows the model
 * and its generated module as text, imported with `raw:`.
 */
import { copyFileSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as esbuild from "esbuild";

const here = import.meta.dirname;

export async function buildLab(outdir: string, { minify = true } = {}): Promise<Record<string, number>> {
  const common: esbuild.BuildOptions = {
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
    metafile: true,
    plugins: [rawText()],
    outdir,
  };
  const results = await Promise.all([
    esbuild.build({ ...common, entryPoints: { "lab-main": join(here, "main.ts") } }),
    esbuild.build({ ...common, entryPoints: { "lab-worker": join(here, "worker.ts") } }),
  ]);
  copyFileSync(join(here, "lab.html"), join(outdir, "lab.html"));
  copyFileSync(join(here, "lab.css"), join(outdir, "lab.css"));
  const sizes: Record<string, number> = {};
  for (const result of results) for (const [file, { bytes }] of Object.entries(result.metafile!.outputs)) sizes[file.split("/").pop()!] = bytes;
  return sizes;
}

/** `import text from "raw:../file.ts"`: the file's text. */
function rawText(): esbuild.Plugin {
  return {
    name: "lab-raw-text",
    setup(build) {
      build.onResolve({ filter: /^raw:/ }, (args) => ({ path: resolve(args.resolveDir, args.path.slice(4)), namespace: "lab-raw" }));
      build.onLoad({ filter: /.*/, namespace: "lab-raw" }, (args) => ({ contents: readFileSync(args.path, "utf8"), loader: "text" }));
    },
  };
}
