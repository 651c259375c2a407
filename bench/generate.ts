/**
 * `npm run bench:generate`: regenerates the derivative modules of the benchmark problems
 * (bench/problems/*.grad.ts) with tsad's `compile`. Those files are never edited by hand;
 * test/bench-problems.test.ts fails when they are older than what tsad generates now.
 */
import { join, resolve } from "node:path";
import { compile, type EmitKind } from "../src/pipeline.ts";
import { formatDiagnostic } from "../src/diagnostics/format.ts";
import { writeAtomically, type OutputFile } from "../src/write/write.ts";

export const problemsDir = resolve(import.meta.dirname, "problems");

export interface BenchTarget {
  /** A file in bench/problems/. */
  file: string;
  /** Omitted: the functions tagged `@differentiate`, each as its tag says. */
  fn?: string[];
  wrt?: string[];
  emit?: EmitKind[];
}

/** What each problem file gets differentiated for: one compile per file, one module per file. */
export const benchTargets: BenchTarget[] = [
  { file: "gmm.ts", fn: ["gmmObjective"], wrt: ["alpha", "mu", "q", "l"], emit: ["grad", "jvp"] },
  { file: "lstm.ts", fn: ["lstmObjective"], wrt: ["mainParams", "extraParams"], emit: ["grad", "jvp"] },
  { file: "lse.ts", fn: ["lse"], emit: ["grad", "jvp"] },
  { file: "llsq.ts", fn: ["llsq"], wrt: ["x"], emit: ["grad", "jvp"] },
  { file: "ode.ts", fn: ["odeLast"], wrt: ["x"], emit: ["grad", "jvp"] },
  { file: "ode-from-state.ts", fn: ["odeLastFrom"], wrt: ["y0", "x"], emit: ["grad", "jvp"] },
  { file: "rosenbrock.ts", fn: ["rosenbrock"], emit: ["grad", "jvp", "hvp"] },
  { file: "logistic.ts", fn: ["logisticLoss"], wrt: ["w", "b"], emit: ["grad"] },
  { file: "kmeans.ts", fn: ["kmeansCost"], wrt: ["centroids"], emit: ["grad", "hvp"] },
  { file: "ba.ts" },
  { file: "ht.ts" },
  { file: "hand-pose.ts", fn: ["handPose"], wrt: ["theta"], emit: ["jvp", "jvpN", "jacobian"] },
  { file: "pair-energy.ts", fn: ["pairEnergy"], emit: ["grad", "hvp", "hessian"] },
  // Nested: each module imports its own generated derivatives; the tags choose what is made.
  { file: "saddle.ts", fn: ["saddleObjective", "innerMaxReverse", "innerMaxForward"], emit: ["grad", "jvp"] },
  { file: "particle.ts", fn: ["potential", "crossingReverse", "crossingForward"], emit: ["grad", "jvp"] },
  { file: "det.ts", fn: ["det"], wrt: ["a"], emit: ["grad"] },
];

/** Compiles one target; throws with tsad's formatted diagnostics if it cannot. */
export async function generateTarget(target: BenchTarget): Promise<OutputFile> {
  const result = await compile({ files: [join(problemsDir, target.file)], fn: target.fn, wrt: target.wrt, emit: target.emit });
  if (result.diagnostics.length > 0) {
    throw new Error(`tsad cannot compile bench/problems/${target.file}:\n${result.diagnostics.map((d) => formatDiagnostic(d)).join("\n")}`);
  }
  const module = result.modules[0]!;
  return { path: module.path, text: module.text };
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const targets = only.length > 0 ? benchTargets.filter((t) => only.includes(t.file)) : benchTargets;
  const files: OutputFile[] = [];
  const failures: string[] = [];
  for (const target of targets) {
    try {
      files.push(await generateTarget(target));
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  writeAtomically(files, problemsDir);
  for (const file of files) console.log(`wrote ${file.path}`);
  if (failures.length > 0) {
    console.error(failures.join("\n\n"));
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
