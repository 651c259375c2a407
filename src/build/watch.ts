/**
 * `tsad watch`: builds once, then rebuilds whenever a source file, a file it imports, a rules
 * module or the configuration changes.
 *
 * The ts-morph project is loaded once and kept: a change refreshes only the files that changed,
 * and TypeScript reuses everything else, so a one-line edit recompiles in a fraction of the cold
 * start. Only the inputs that depend on a changed file are regenerated, and only modules whose
 * text changed are written. A build that fails prints its diagnostics and writes nothing: the last
 * good output stays, and the next good build replaces it.
 */
import { watch as watchFiles, type FSWatcher } from "chokidar";
import { relative, resolve } from "node:path";
import { FileSystemRefreshResult, type Project, type SourceFile } from "ts-morph";
import { DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { formatDiagnostic } from "../diagnostics/format.ts";
import { createProject } from "../load/load.ts";
import { UsageError } from "../pipeline.ts";
import { WriteError, writeAtomically } from "../write/write.ts";
import { freshness, generateAll } from "./build.ts";
import { readConfig, type TsadConfig } from "./config.ts";

export interface BuildEvent {
  ok: boolean;
  /** Milliseconds from the start of the rebuild to the last write. */
  ms: number;
  /** Modules written (absolute paths). */
  wrote: string[];
  diagnostics: Diagnostic[];
  /** The files whose change started this build (empty for the first build). */
  changed: string[];
}

export interface WatchOptions {
  io: { stdout: (t: string) => void; stderr: (t: string) => void };
  cwd?: string;
  /** Called after every build, good or bad (tests and tools hook in here). */
  onBuild?: (event: BuildEvent) => void;
  /**
   * How long to wait for more changes before rebuilding (editors save in bursts). Longer than
   * chokidar's 50 ms change throttle: a save it swallows is then still read by this rebuild.
   */
  debounceMs?: number;
}

export interface Watcher {
  /** Resolves after the first build, once file watching is running. */
  ready: Promise<void>;
  /** Resolves when the watcher is closed. */
  closed: Promise<void>;
  close(): Promise<void>;
}

export function watch(initialConfig: TsadConfig, options: WatchOptions): Watcher {
  const { io } = options;
  const cwd = options.cwd ?? process.cwd();
  const show = (path: string) => relative(cwd, path) || path;
  let config = initialConfig;
  let project: Project = createProject();
  /** What we last wrote to each output, so that our own writes do not trigger a rebuild. */
  const written = new Map<string, string>();
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let files: FSWatcher | undefined;
  let closeWatcher!: () => void;
  const closed = new Promise<void>((done) => (closeWatcher = done));

  const rebuild = async (changed: string[]): Promise<void> => {
    const started = performance.now();
    let only: Set<string> | undefined;
    if (changed.some((p) => p === config.file)) {
      try {
        config = readConfig(config.file) ?? config;
      } catch (error) {
        if (!(error instanceof DiagnosticError)) throw error;
        report({ ok: false, ms: performance.now() - started, wrote: [], diagnostics: error.diagnostics, changed });
        return;
      }
      project = createProject();
    } else if (changed.length > 0) {
      only = refresh(project, changed, config);
      if (only && only.size === 0) return;
    }
    let result;
    try {
      result = await generateAll(config, project, only);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(`tsad: error: ${error.message}\n`);
      report({ ok: false, ms: performance.now() - started, wrote: [], diagnostics: [], changed });
      return;
    }
    if (result.diagnostics.length > 0) {
      report({ ok: false, ms: performance.now() - started, wrote: [], diagnostics: result.diagnostics, changed });
      return;
    }
    const stale = result.modules.filter((m) => written.get(m.path) !== m.text && freshness(m) !== "fresh");
    try {
      writeAtomically(stale);
    } catch (error) {
      if (!(error instanceof WriteError)) throw error;
      io.stderr(`tsad: error: ${error.message}\n`);
      report({ ok: false, ms: performance.now() - started, wrote: [], diagnostics: [], changed });
      return;
    }
    for (const m of result.modules) written.set(m.path, m.text);
    report({ ok: true, ms: performance.now() - started, wrote: stale.map((m) => m.path), diagnostics: [], changed });
  };

  const report = (event: BuildEvent) => {
    for (const d of event.diagnostics) io.stderr(formatDiagnostic(d, new Map(), cwd));
    const what = event.changed.length > 0 ? `${event.changed.map(show).join(", ")} changed: ` : "";
    if (event.ok) {
      const wrote = event.wrote.length > 0 ? `wrote ${event.wrote.map(show).join(", ")}` : "outputs unchanged";
      io.stderr(`tsad: ${what}built in ${Math.round(event.ms)} ms, ${wrote}\n`);
    } else {
      io.stderr(`tsad: ${what}${event.diagnostics.length} error${event.diagnostics.length === 1 ? "" : "s"}; kept the last good output. Waiting for changes…\n`);
    }
    options.onBuild?.(event);
  };

  const schedule = (path: string) => {
    const absolute = resolve(path);
    if (written.has(absolute)) return;
    if (!/\.(m|c)?ts$/.test(absolute) && absolute !== config.file) return;
    pending.add(absolute);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = [...pending];
      pending = new Set();
      running = running.then(() => rebuild(batch)).catch((error) => {
        io.stderr(`tsad: internal error: ${(error as Error).message}\nThis is a bug in tsad, not in your code.\n`);
      });
    }, Math.max(options.debounceMs ?? 80, 60));
  };

  const ready = (async () => {
    await (running = rebuild([]));
    files = watchFiles(config.root, {
      ignoreInitial: true,
      ignored: (path) => /(^|[\\/])(node_modules|\.git)([\\/]|$)/.test(path),
    });
    files.on("add", schedule).on("change", schedule).on("unlink", schedule);
    await new Promise<void>((done) => files!.once("ready", () => done()));
    io.stderr(`tsad: watching ${relative(cwd, config.root) || "."} for changes (Ctrl-C to stop)\n`);
  })();

  return {
    ready,
    closed,
    async close() {
      clearTimeout(timer);
      await ready.catch(() => undefined);
      await files?.close();
      await running;
      closeWatcher();
    },
  };
}

/**
 * Brings the project up to date with the changed files and returns the inputs to rebuild: those
 * that are, or import (directly or not), a changed file. Undefined means everything (a rules
 * module changed).
 */
function refresh(project: Project, changed: string[], config: TsadConfig): Set<string> | undefined {
  const affected = new Set<string>();
  let everything = false;
  for (const path of changed) {
    if (config.rules.includes(path)) everything = true;
    const file = project.getSourceFile(path);
    if (!file) {
      affected.add(path);
      continue;
    }
    const dependents = dependentsOf(file);
    if (file.refreshFromFileSystemSync() === FileSystemRefreshResult.Deleted) everything = true;
    for (const dependent of dependents) affected.add(dependent);
  }
  return everything ? undefined : affected;
}

/** `file` and every file that imports it, directly or not. */
function dependentsOf(file: SourceFile): Set<string> {
  const found = new Set<string>();
  const visit = (f: SourceFile) => {
    if (found.has(f.getFilePath())) return;
    found.add(f.getFilePath());
    f.getReferencingSourceFiles().forEach(visit);
  };
  visit(file);
  return found;
}
