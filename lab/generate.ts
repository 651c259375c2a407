/**
 * `npm run lab:generate`: regenerates the lab's derivative modules (lab/models/*.grad.ts) with
 * tsad's `compile`, from the `@differentiate` tags in the models. They are never edited by hand;
 * test/lab-models.test.ts fails when they differ from what tsad generates now.
 */
import { join, resolve } from "node:path";
import { compile } from "../src/pipeline.ts";
import { formatDiagnostic } from "../src/diagnostics/format.ts";
import { writeAtomically, type OutputFile } from "../src/write/write.ts";

export const modelsDir = resolve(import.meta.dirname, "models");

/** The model files; each one's tags say what to generate. */
export const labModels = ["mlp.ts"];

/** Compiles one model; throws with tsad's formatted diagnostics if it cannot. */
export async function generateModel(file: string): Promise<OutputFile> {
  const result = await compile({ files: [join(modelsDir, file)] });
  if (result.diagnostics.length > 0) {
    throw new Error(`tsad cannot compile lab/models/${file}:\n${result.diagnostics.map((d) => formatDiagnostic(d)).join("\n")}`);
  }
  const module = result.modules[0]!;
  return { path: module.path, text: module.text };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const files = await Promise.all(labModels.map(generateModel));
  writeAtomically(files, modelsDir);
  for (const file of files) console.log(`wrote ${file.path}`);
}
