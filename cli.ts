#!/usr/bin/env node
/**
 * The `tsad` command: parses arguments, runs the pipeline, prints diagnostics, writes modules.
 * Exit status: 0 success, 1 the source cannot be differentiated, 2 usage error.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
// Only what checking the arguments needs is loaded up front: the compiler (ts-morph, prettier)
// loads when there is something to compile, so `tsad --help` answers at once.
import { EMIT_KINDS, OUTPUT_FORMATS, type EmitKind, type OutputFormat } from "./src/options.ts";
import { argumentError } from "./src/suggest.ts";
import { cacheDir, enableCompileCache } from "./src/compile-cache.ts";

const USAGE = `Usage: tsad <file.ts>... [options]
       tsad explain <file.ts> [--fn f] [--size name=value,...]   (costs of each mode; see tsad explain --help)
       tsad verify <file.ts>... [--fn f] [--samples N] [--seed S]   (check the derivatives at sample inputs)
       tsad build [--check]   compile what tsad.config.json names (tsad build --help)
       tsad watch             the same, again on every change

Generates derivative modules (<name>.grad.ts) for TypeScript functions.

Options:
  --fn f,g       functions to differentiate (default: the @differentiate-tagged ones,
                 or every exported function in a file without tags)
  --wrt p,q      parameters to differentiate with respect to (default: every differentiable one)
  --emit KINDS   comma list of ${EMIT_KINDS.join(", ")}
                 (default: grad for functions returning number, jvp,vjp otherwise)
  --out DIR      output folder (default: beside each input)
  --format F     ts (default): <name>.grad.ts; js: <name>.grad.js and <name>.grad.d.ts;
                 both: <name>.grad.ts and <name>.grad.js
  --stdout       print the generated module instead of writing it
  --no-inline    keep calls to small functions as calls (by default they are inlined first)
  --tape-limit MB  bound reverse mode's tape: checkpoint the outermost loops, running them with
                 their tape only where it fits (see docs/checkpointing.md)
  -h, --help     show this help
  -v, --version  show the version
`;

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIO: CliIO = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

const OPTIONS = {
  fn: { type: "string" },
  wrt: { type: "string" },
  emit: { type: "string" },
  out: { type: "string" },
  format: { type: "string" },
  stdout: { type: "boolean" },
  "no-inline": { type: "boolean" },
  "tape-limit": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  if (argv[0] === "explain") return (await import("./src/explain/command.ts")).explainCommand(argv.slice(1), io);
  if (argv[0] === "verify") return (await import("./src/verify/command.ts")).verifyCommand(argv.slice(1), io);
  if (argv[0] === "build" || argv[0] === "watch") return (await import("./src/build/command.ts")).runBuildCommand(argv[0], argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    return usageError(io, argumentError(error, Object.keys(OPTIONS)));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (values.version) {
    const pkg = JSON.parse(readFileSync(new URL(import.meta.url.includes("/dist/") ? "../package.json" : "./package.json", import.meta.url), "utf8")) as { version: string };
    io.stdout(`${pkg.version}\n`);
    return 0;
  }
  const format = values.format ?? "ts";
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) return usageError(io, `unknown --format \`${format}\` (choose from ${OUTPUT_FORMATS.join(", ")})`);
  if (positionals.length === 0) return usageError(io, "no input file");
  for (const file of positionals) {
    if (!existsSync(file)) return usageError(io, `cannot find ${file}`);
    if (!statSync(file).isFile()) return usageError(io, `${file} is not a file`);
  }
  const list = (value: string | undefined) => value?.split(",").map((s) => s.trim()).filter(Boolean);
  const emit = list(values.emit);
  for (const kind of emit ?? []) {
    if (!(EMIT_KINDS as readonly string[]).includes(kind)) return usageError(io, `unknown --emit kind \`${kind}\` (choose from ${EMIT_KINDS.join(", ")})`);
  }
  const tapeLimit = values["tape-limit"] === undefined ? undefined : Number(values["tape-limit"]);
  if (tapeLimit !== undefined && !(tapeLimit > 0)) return usageError(io, `--tape-limit expects a positive number of MB, got \`${values["tape-limit"]}\``);
  if (values.out && existsSync(values.out) && !statSync(values.out).isDirectory()) return usageError(io, `--out ${values.out} is a file, not a folder`);
  // Two inputs whose modules would be written to one path: say so before compiling anything.
  const writers = new Map<string, string>();
  for (const file of positionals) {
    const target = join(values.out ? resolve(values.out) : dirname(resolve(file)), `${basename(file).replace(/\.(m|c)?tsx?$/, "")}.grad.ts`);
    const other = writers.get(target);
    if (other !== undefined && resolve(other) !== resolve(file)) return usageError(io, `${other} and ${file} would both be written to ${target}${values.out ? "; compile them with different --out folders" : ""}`);
    writers.set(target, file);
  }

  const [{ compile, UsageError }, { formatDiagnostic }, { WriteError, writeAtomically }] = await Promise.all([import("./src/pipeline.ts"), import("./src/diagnostics/format.ts"), import("./src/write/write.ts")]);
  try {
    const result = await compile({ files: [...new Set(positionals.map((p) => resolve(p)))].map((p) => positionals.find((q) => resolve(q) === p)!), fn: list(values.fn), wrt: list(values.wrt), emit: emit as EmitKind[] | undefined, out: values.out, format: format as OutputFormat, inline: !values["no-inline"], tapeLimit });
    if (result.diagnostics.length > 0) {
      for (const d of result.diagnostics) io.stderr(formatDiagnostic(d));
      io.stderr(`\ntsad: ${result.diagnostics.length} error${result.diagnostics.length === 1 ? "" : "s"}; nothing was written.\n`);
      return 1;
    }
    if (values.stdout) {
      for (const m of result.modules) io.stdout(m.text);
      return 0;
    }
    writeAtomically(result.modules, values.out);
    for (const m of result.modules) io.stderr(`tsad: wrote ${m.path}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message);
    if (error instanceof WriteError) {
      io.stderr(`tsad: error: ${error.message}\n  hint: choose a writable --out folder\n`);
      return 2;
    }
    io.stderr(`tsad: internal error: ${(error as Error).message}\nThis is a bug in tsad, not in your code. Please report it with the input file.\n`);
    if (process.env.TSAD_DEBUG) io.stderr(`${(error as Error).stack}\n`);
    return 70;
  }
}

function usageError(io: CliIO, message: string): number {
  io.stderr(`tsad: error: ${message}\nRun \`tsad --help\` for usage.\n`);
  return 2;
}

/** Run when started as a program (`npx tsad`, a symlink in node_modules/.bin), not when imported. */
function isEntryPoint(): boolean {
  const started = process.argv[1];
  if (!started) return false;
  try {
    return realpathSync(started) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const cache = process.env.TSAD_NO_CACHE ? undefined : cacheDir(dirname(fileURLToPath(import.meta.url)));
  if (cache) enableCompileCache(cache);
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
