/**
 * The `tsad build` and `tsad watch` subcommands (cli.ts dispatches here).
 *
 *   tsad build [--config FILE] [--check]
 *   tsad watch [--config FILE]
 *
 * Exit status of `build`: 0 success (with --check: every generated module is up to date); 1 the
 * source cannot be differentiated, or (with --check) a generated module is missing or stale; 2
 * usage or configuration error.
 */
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { formatDiagnostic } from "../diagnostics/format.ts";
import { UsageError } from "../pipeline.ts";
import { WriteError, writeAtomically } from "../write/write.ts";
import { freshness, generateAll, matchInputs } from "./build.ts";
import { CONFIG_FILE, findConfig, type TsadConfig } from "./config.ts";
import { watch } from "./watch.ts";
import { argumentError } from "../suggest.ts";

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd?: string;
}

export const BUILD_USAGE = `Usage: tsad build [--config FILE] [--check]
       tsad watch [--config FILE]

Compiles every target named by the configuration (${CONFIG_FILE}, or a "tsad" key in
package.json, found in the current folder or above): the functions tagged @differentiate in the
files its "inputs" patterns match.

Options:
  --config FILE  the configuration file (default: the nearest ${CONFIG_FILE} or package.json)
  --check        write nothing; exit 1 if a generated module is missing or stale (for CI)
  -h, --help     show this help
`;

export async function runBuildCommand(command: "build" | "watch", argv: string[], io: CommandIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: { config: { type: "string" }, check: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    return usageError(io, argumentError(error, ["config", "check", "help"]));
  }
  if (values.help) {
    io.stdout(BUILD_USAGE);
    return 0;
  }
  if (command === "watch" && values.check) return usageError(io, "`--check` belongs to `tsad build`");
  const cwd = io.cwd ?? process.cwd();
  let config: TsadConfig | undefined;
  try {
    config = findConfig(cwd, values.config);
  } catch (error) {
    if (error instanceof DiagnosticError) return reportConfigError(io, error.diagnostics, cwd);
    throw error;
  }
  if (!config) return usageError(io, `no ${CONFIG_FILE} (or "tsad" key in package.json) in ${cwd} or above`, `create ${CONFIG_FILE} with {"inputs": ["src/**/*.ts"]}`);
  if (command === "watch") {
    const watcher = watch(config, { io, cwd });
    // Ctrl-C, and a process manager's or CI's SIGTERM, close the watcher and end the process.
    const stop = () => void watcher.close();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    // `npx tsad watch` runs tsad as a child of npm, which does not pass SIGTERM on when it is
    // stopped: a watcher whose parent is gone (it is adopted by another process) stops too.
    const parent = process.ppid;
    const orphaned = setInterval(() => process.ppid !== parent && stop(), 500);
    orphaned.unref();
    await watcher.closed;
    clearInterval(orphaned);
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    return 0;
  }
  return build(config, values.check === true, io, cwd);
}

async function build(config: TsadConfig, check: boolean, io: CommandIO, cwd: string): Promise<number> {
  if (matchInputs(config).length === 0) {
    return usageError(io, `the "inputs" of ${relative(cwd, config.file) || config.file} (${config.inputs.join(", ")}) match no file`, `patterns are relative to ${relative(cwd, config.root) || "."}, e.g. "src/**/*.ts"`);
  }
  let result;
  try {
    result = await generateAll(config);
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message);
    throw error;
  }
  const show = (path: string) => relative(cwd, path) || path;
  if (result.diagnostics.length > 0) {
    printDiagnostics(io, result.diagnostics, cwd);
    io.stderr(`\ntsad: ${result.diagnostics.length} error${result.diagnostics.length === 1 ? "" : "s"}; ${check ? "cannot check the generated modules" : "nothing was written"}.\n`);
    return 1;
  }
  if (result.modules.length === 0) {
    io.stderr(`tsad: nothing to build: no function tagged @differentiate in the files "inputs" matches (${config.inputs.join(", ")})\n`);
    return 0;
  }
  const states = result.modules.map((m) => ({ module: m, state: freshness(m) }));
  const changed = states.filter((s) => s.state !== "fresh");
  if (check) {
    for (const { module, state } of changed) io.stderr(`tsad: ${state === "missing" ? "missing" : "stale"}: ${show(module.path)} (from ${show(module.input)})\n`);
    if (changed.length > 0) {
      io.stderr(`tsad: ${changed.length} generated module${changed.length === 1 ? " is" : "s are"} out of date; run \`tsad build\`.\n`);
      return 1;
    }
    io.stderr(`tsad: ${states.length} generated module${states.length === 1 ? " is" : "s are"} up to date.\n`);
    return 0;
  }
  try {
    writeAtomically(changed.map((s) => s.module));
  } catch (error) {
    if (error instanceof WriteError) {
      io.stderr(`tsad: error: ${error.message}\n  hint: check that the output folder is writable\n`);
      return 2;
    }
    throw error;
  }
  for (const { module } of changed) io.stderr(`tsad: wrote ${show(module.path)}\n`);
  const same = states.length - changed.length;
  if (same > 0) io.stderr(`tsad: ${same} module${same === 1 ? " was" : "s were"} already up to date.\n`);
  return 0;
}

export function printDiagnostics(io: { stderr: (t: string) => void }, diagnostics: Diagnostic[], cwd: string): void {
  for (const d of diagnostics) io.stderr(formatDiagnostic(d, new Map(), cwd));
}

function reportConfigError(io: CommandIO, diagnostics: Diagnostic[], cwd: string): number {
  printDiagnostics(io, diagnostics, cwd);
  io.stderr(`\ntsad: the configuration is not valid; nothing was built.\n`);
  return 2;
}

function usageError(io: CommandIO, message: string, hint = "run `tsad build --help` for usage"): number {
  io.stderr(`tsad: error: ${message}\n  hint: ${hint}\n`);
  return 2;
}
