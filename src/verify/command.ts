/**
 * `tsad verify <file.ts>... [--fn f,g] [--wrt p,q] [--samples N] [--seed S] [--tolerance T]`:
 * checks the derivatives tsad generates for each function at sample inputs (verify.ts) and
 * prints the largest errors. Exit status: 0 no mismatch; 1 a mismatch, or the source cannot be
 * differentiated; 2 usage error. Writes nothing.
 */
import { existsSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatDiagnostic } from "../diagnostics/format.ts";
import { UsageError } from "../pipeline.ts";
import { ModuleLoadError } from "./modules.ts";
import { formatVerification } from "./report.ts";
import { verify } from "./verify.ts";

export const VERIFY_USAGE = `Usage: tsad verify <file.ts>... [--fn f,g] [--wrt p,q] [--samples N] [--seed S] [--tolerance T] [--module FILE] [--no-inline] [--tape-limit MB]

Generates each function's derivatives in memory and checks them at sample inputs: the JVP
against central finite differences, the VJP (or gradient) against the JVP by the dot-product
identity, the HVP against finite differences of the gradient. Prints, per function, the largest
relative error and the input where it occurred. Writes nothing.

Inputs come from a <file>.examples.ts module beside the source, from @example tags
(\`@example f([1, 2], 3)\`), or else from the parameter types.

Options:
  --fn f,g         functions to check (default: as for tsad: the @differentiate-tagged ones,
                   or every exported function)
  --wrt p,q        parameters to differentiate with respect to (default: as for tsad)
  --samples N      input points per function (default 8)
  --seed S         seed of the random inputs and directions (default 1)
  --tolerance T    relative tolerance against finite differences (default 1e-6)
  --no-inline      keep calls to small functions as calls, as tsad --no-inline does
  --tape-limit MB  generate as tsad --tape-limit MB does (checkpointed loops)
  --module FILE    check this module tsad wrote earlier (e.g. model.grad.ts) as it is, instead
                   of generating one (one input file; functions it lacks are not checked)

Exit status: 0 no mismatch; 1 a derivative disagrees, or the source cannot be differentiated;
2 usage error.
`;

interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export async function verifyCommand(argv: string[], io: Output): Promise<number> {
  const usage = (message: string) => {
    io.stderr(`tsad verify: error: ${message}\nRun \`tsad verify --help\` for usage.\n`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        fn: { type: "string" },
        wrt: { type: "string" },
        samples: { type: "string" },
        seed: { type: "string" },
        tolerance: { type: "string" },
        "no-inline": { type: "boolean" },
        module: { type: "string" },
        "tape-limit": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(VERIFY_USAGE);
    return 0;
  }
  if (positionals.length === 0) return usage("no input file");
  for (const file of positionals) {
    if (!existsSync(file) || !statSync(file).isFile()) return usage(`cannot find ${file}`);
  }
  const list = (value: string | undefined) => value?.split(",").map((s) => s.trim()).filter(Boolean);
  const samples = values.samples === undefined ? undefined : Number(values.samples);
  if (samples !== undefined && !(Number.isInteger(samples) && samples >= 1)) return usage(`--samples expects a whole number of at least 1, got \`${values.samples}\``);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) return usage(`--seed expects a whole number, got \`${values.seed}\``);
  const tolerance = values.tolerance === undefined ? undefined : Number(values.tolerance);
  if (tolerance !== undefined && !(tolerance > 0 && tolerance < 1)) return usage(`--tolerance expects a number between 0 and 1, got \`${values.tolerance}\``);
  const tapeLimit = values["tape-limit"] === undefined ? undefined : Number(values["tape-limit"]);
  if (tapeLimit !== undefined && !(tapeLimit > 0)) return usage(`--tape-limit expects a positive number of MB, got \`${values["tape-limit"]}\``);
  try {
    const result = await verify({ files: positionals, fn: list(values.fn), wrt: list(values.wrt), samples, seed, tolerance, inline: !values["no-inline"], module: values.module, tapeLimit });
    if (result.diagnostics.length > 0) {
      for (const d of result.diagnostics) io.stderr(formatDiagnostic(d));
      io.stderr(`\ntsad verify: ${result.diagnostics.length} error${result.diagnostics.length === 1 ? "" : "s"}; nothing was checked.\n`);
      return 1;
    }
    io.stdout(formatVerification(result));
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message);
    if (error instanceof ModuleLoadError) {
      io.stderr(`tsad verify: error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
