/** What the playground's and the Lab's bundles share: esbuild's options for the browser, and `raw:` imports. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type * as esbuild from "esbuild";

/** ES modules for the browser, one bundle per entry point, with their sizes in the metafile. */
export function browserBundle({ minify }: { minify: boolean }): esbuild.BuildOptions {
  return {
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
    // Modules that read debug switches from environment variables: the browser has none.
    define: { "process.env": "{}" },
    metafile: true,
  };
}

/** `import text from "raw:../examples/x.ts"`: the file's text as a string. */
export function rawText(): esbuild.Plugin {
  return {
    name: "raw-text",
    setup(build) {
      build.onResolve({ filter: /^raw:/ }, (args) => ({ path: resolve(args.resolveDir, args.path.slice(4)), namespace: "raw" }));
      build.onLoad({ filter: /.*/, namespace: "raw" }, (args) => ({ contents: readFileSync(args.path, "utf8"), loader: "text" }));
    },
  };
}

/** Bytes written per file name, from the builds' metafiles. */
export function outputSizes(results: esbuild.BuildResult[]): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const result of results) for (const [file, { bytes }] of Object.entries(result.metafile!.outputs)) sizes[file.split("/").pop()!] = bytes;
  return sizes;
}
