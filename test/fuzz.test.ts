/**
 * Random-program differential testing (issue 6) with a fixed seed: every program is compiled in
 * forward and reverse mode (and, for scalar outputs, with `--emit hvp`), with loops tagged
 * `@checkpoint` at random, with its k-lane JVP (every other program), and every fourth one also
 * called from a function that is differentiated in turn (nested), all checked numerically (see
 * test/fuzz/check.ts and check-vector.ts). Each failure names the command that reproduces it and shrinks it to
 * a minimal program:
 *
 *   npx tsx test/fuzz/run.ts --seed 6 --start <index> --count 1 --hvp
 *
 * Run at length with `npx tsx test/fuzz/run.ts --count 2000 --seed <any> [--hvp]`.
 *
 * Programs are checked in batches (one test per batch): a test per program costs vitest more
 * than the check itself.
 */
import { describe, expect, it } from "vitest";
import { checkProgram } from "./fuzz/check.ts";
import { DEFAULT_OPTIONS, generateProgram, programSeed } from "./fuzz/generate.ts";
import { printProgram } from "./fuzz/program.ts";

const SEED = 6;
const COUNT = 200;
const BATCH = 20;
/** Check Hessian-vector products too, for every program (inlined or not). */
const HVP = true;
/** The chance that a loop is tagged `@checkpoint` (tags never change the program otherwise). */
const CHECKPOINT = 0.2;

describe(`random programs (seed ${SEED})`, () => {
  let passed = 0;
  let skipped = 0;

  const batches = Array.from({ length: COUNT / BATCH }, (_, b) => [b * BATCH, b * BATCH + BATCH - 1] as const);
  // Twenty programs a batch, each compiled and checked in every mode: the first batch also loads
  // the compiler, and on two busy cores that can take longer than the default minute.
  it.each(batches)("programs %i to %i", async (first, last) => {
    const problems: string[] = [];
    for (let index = first; index <= last; index++) {
      const program = generateProgram(programSeed(SEED, index), { ...DEFAULT_OPTIONS, checkpoint: CHECKPOINT });
      const text = printProgram(program);
      // Every other program keeps its calls as calls, so that split callees stay under test too.
      const inline = index % 2 === 0;
      const hvp = HVP;
      // Every other program checks its k-lane JVP lane by lane; every fourth is also called from a
      // function that is differentiated in turn (forward over its gradient against finite
      // differences, reverse over it against that by the dot-product identity).
      const lanes = index % 2 === 1;
      const nested = index % 4 === 1;
      const outcome = await checkProgram(text, program.args, { hvp, inline, lanes, nested, ...(program.wrt ? { wrt: program.wrt } : {}) });
      const reproduce = `npx tsx test/fuzz/run.ts --seed ${SEED} --start ${index} --count 1${hvp ? " --hvp" : ""}${lanes ? " --lanes" : ""}${nested ? " --nested" : ""}${inline ? "" : " --no-inline"} --checkpoint ${CHECKPOINT}`;
      if (outcome.status === "pass") passed++;
      else if (outcome.status === "skip") skipped++;
      else if (outcome.status === "invalid") problems.push(`program ${index}: the generator made an invalid program (${outcome.reason})\n  ${reproduce}\n${text}`);
      else problems.push(`program ${index}: ${outcome.failure.check}: ${outcome.failure.message}\n  reproduce and shrink: ${reproduce}\n${program.wrt ? `(--wrt ${program.wrt.join(",")})\n` : ""}${text}`);
    }
    expect(problems.join("\n\n")).toBe("");
  }, 240_000);

  it("checks most programs conclusively", () => {
    // Finite differences are inconclusive only near kinks and branch switches: if many programs
    // were skipped, the generator would be testing little.
    expect(skipped).toBeLessThan(COUNT / 10);
    expect(passed).toBeGreaterThan(0);
  });
});
