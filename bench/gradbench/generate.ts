/**
 * Generates the derivative modules that the GradBench tool owns (today `hello.grad.ts`) with tsad's
 * API, exactly as `npx tsad bench/gradbench/hello.ts` would. The benchmark problems' modules
 * (`bench/problems/*.grad.ts`) come from `bench/generate.ts`.
 *
 *   npx tsx bench/gradbench/generate.ts          writes the modules
 *   npx tsx bench/gradbench/generate.ts --check  fails if a committed module is out of date
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { formatDiagnostic } from "../../src/diagnostics/format.ts";
import { compile, type EmitKind, type GeneratedModule } from "../../src/pipeline.ts";
import { writeAtomically } from "../../src/write/write.ts";

interface Generation {
  file: string;
  fn: string[];
  emit: EmitKind[];
}

const here = import.meta.dirname;

export const GENERATIONS: Generation[] = [{ file: join(here, "hello.ts"), fn: ["square"], emit: ["grad"] }];

/** Compiles every generation; throws with the formatted diagnostics if tsad rejects a source. */
export async function generateModules(): Promise<GeneratedModule[]> {
  const modules: GeneratedModule[] = [];
  for (const { file, fn, emit } of GENERATIONS) {
    const result = await compile({ files: [file], fn, emit });
    if (result.diagnostics.length > 0) throw new Error(result.diagnostics.map((d) => formatDiagnostic(d)).join(""));
    modules.push(...result.modules);
  }
  return modules;
}

/** The generated modules whose file on disk differs from what tsad generates now. */
export async function staleModules(): Promise<string[]> {
  const stale: string[] = [];
  for (const module of await generateModules()) {
    let onDisk: string | undefined;
    try {
      onDisk = readFileSync(module.path, "utf8");
    } catch {
      onDisk = undefined;
    }
    if (onDisk !== module.text) stale.push(module.path);
  }
  return stale;
}

async function main(argv: string[]): Promise<number> {
  const root = join(here, "..", "..");
  if (argv.includes("--check")) {
    const stale = await staleModules();
    for (const path of stale) process.stderr.write(`${relative(root, path)} is out of date: run npx tsx bench/gradbench/generate.ts\n`);
    return stale.length === 0 ? 0 : 1;
  }
  const modules = await generateModules();
  writeAtomically(modules.map(({ path, text }) => ({ path, text })), here);
  for (const module of modules) process.stdout.write(`wrote ${relative(root, module.path)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
