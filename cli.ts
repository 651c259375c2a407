#!/usr/bin/env node
/**
 * The `tsad` command: parses arguments, runs the pipeline, prints diagnostics, writes modules.
 * Exit status: 0 success, 1 the source cannot be differentiated, 2 usage error.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatDiagnostic } from "./src/diagnostics/format.ts";
import { compile, EMIT_KINDS, UsageError, type EmitKind } from "./src/pipeline.ts";
import { WriteError, writeAtomically } from "./src/write/write.ts";
import { runBuildCommand } from "./src/build/command.ts";
import { explainCommand } from "./src/explain/command.ts";
import { verifyCommand } from "./src/verify/command.ts";

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

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  if (argv[0] === "explain") return explainCommand(argv.slice(1), io);
  if (argv[0] === "verify") return verifyCommand(argv.slice(1), io);
  if (argv[0] === "build" || argv[0] === "watch") return runBuildCommand(argv[0], argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        fn: { type: "string" },
        wrt: { type: "string" },
        emit: { type: "string" },
        out: { type: "string" },
        stdout: { type: "boolean" },
        "no-inline": { type: "boolean" },
        "tape-limit": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    return usageError(io, (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (values.version) {
    const pkg = JSON.parse(readFileSync(new URL(import.meta.url.includes("/dist/") ? "../package.json" : "./package.json", import.meta.url), "utf8"));
    io.stdout(`${pkg.version}\n`);
    return 0;
  }
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

  try {
    const result = await compile({ files: positionals, fn: list(values.fn), wrt: list(values.wrt), emit: emit as EmitKind[] | undefined, out: values.out, inline: !values["no-inline"], tapeLimit });
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
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
