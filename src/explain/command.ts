/**
 * `tsad explain <file.ts> --fn f [--wrt p,q] [--size name=value,…] [--json]`: prints what
 * src/explain/explain.ts works out, for each function named (or every exported one).
 */
import { existsSync, statSync } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { formatDiagnostic } from "../diagnostics/format.ts";
import { explain, UsageError } from "../pipeline.ts";
import { argumentError, didYouMean } from "../suggest.ts";

export const EXPLAIN_USAGE = `Usage: tsad explain <file.ts>... [--fn f,g] [--wrt p,q] [--size name=value,...] [--json]

Prints, for each function: the sizes of its inputs and outputs (in terms of its arguments,
e.g. x.length), operation counts of the primal, one JVP, one VJP and the full Jacobian by
each mode, the tape reverse mode needs, and the mode to use.

Options:
  --fn f,g             functions to explain (default: every exported function)
  --wrt p,q            parameters to differentiate with respect to (default: every differentiable one)
  --size name=value    values for sizes, e.g. --size x.length=1000,n=20 (evaluates the counts,
                       decides between modes, finds the cheapest bracketing of a chain)
  --json               print the explanations as JSON
`;

interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export async function explainCommand(argv: string[], io: Output): Promise<number> {
  const usage = (message: string) => {
    io.stderr(`tsad explain: error: ${message}\nRun \`tsad explain --help\` for usage.\n`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { fn: { type: "string" }, wrt: { type: "string" }, size: { type: "string", multiple: true }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    return usage(argumentError(error, ["fn", "wrt", "size", "json", "help"]));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(EXPLAIN_USAGE);
    return 0;
  }
  if (positionals.length === 0) return usage("no input file");
  for (const file of positionals) {
    if (!existsSync(file) || !statSync(file).isFile()) return usage(`cannot find ${file}`);
  }
  const list = (value: string | undefined) => value?.split(",").map((s) => s.trim()).filter(Boolean);
  const sizes = new Map<string, number>();
  for (const entry of (values.size ?? []).flatMap((s) => list(s) ?? [])) {
    const match = /^(.+?)=(.+)$/.exec(entry);
    const value = match ? Number(match[2]) : NaN;
    if (!match || !Number.isFinite(value) || value < 0) return usage(`--size expects name=value with a non-negative number, got \`${entry}\``);
    sizes.set(match[1]!.trim(), value);
  }
  try {
    const result = await explain({ files: positionals, fn: list(values.fn), wrt: list(values.wrt), sizes });
    if (result.diagnostics.length > 0) {
      for (const d of result.diagnostics) io.stderr(formatDiagnostic(d));
      return 1;
    }
    // A size no count is written in would change nothing: most likely a typo.
    const known = new Set(result.explanations.flatMap((e) => e.sizeNames));
    for (const name of sizes.keys()) {
      if (!known.has(name)) return usage(`--size ${name}: no count depends on \`${name}\`${didYouMean(name, known)}${known.size > 0 ? ` (the sizes: ${[...known].join(", ")})` : " (every count is a number)"}`);
    }
    if (values.json) io.stdout(`${JSON.stringify(result.explanations.map(({ text: _text, ...rest }) => rest), null, 2)}\n`);
    // Paths relative to where the command runs, as diagnostics print them.
    else io.stdout(result.explanations.map((e) => e.text.replace(e.file, relative(process.cwd(), e.file) || e.file)).join("\n"));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message);
    throw error;
  }
}
