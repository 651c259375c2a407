/**
 * Bundles the Lab view next to the playground (same folder, so the pages share style.css): the
 * page (lab-main.js), its worker (lab-worker.js), lab.html and lab.css. The page shows the model
 * and its generated module as text, imported with `raw:`.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { browserBundle, outputSizes, rawText } from "../bundle.ts";

const here = import.meta.dirname;

export async function buildLab(outdir: string, { minify = true } = {}): Promise<Record<string, number>> {
  const common: esbuild.BuildOptions = { ...browserBundle({ minify }), plugins: [rawText()], outdir };
  const results = await Promise.all([
    esbuild.build({ ...common, entryPoints: { "lab-main": join(here, "main.ts") } }),
    esbuild.build({ ...common, entryPoints: { "lab-worker": join(here, "worker.ts") } }),
  ]);
  copyFileSync(join(here, "lab.html"), join(outdir, "lab.html"));
  copyFileSync(join(here, "lab.css"), join(outdir, "lab.css"));
  return outputSizes(results);
}
