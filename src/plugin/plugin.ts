/**
 * The bundler plugin (Vite, Rollup, esbuild, webpack, via unplugin): derivative modules are
 * generated in memory when the bundle imports them, and never go stale.
 *
 *   import { lossGrad } from "./model.ts?grad";    // or
 *   import { lossGrad } from "./model.grad.ts";    // the path `tsad build` would write
 *
 * Both resolve to the module generated from `model.ts` (with the configuration's `out`, the
 * generated path is where `tsad build` writes it). The module's source and everything it imports
 * are watch files, so dev servers regenerate on change. A source that cannot be differentiated
 * fails the build with tsad's diagnostic, located at the offending line, as the bundler shows
 * any error.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Project, SourceFile } from "ts-morph";
import { createUnplugin, type UnpluginContext } from "unplugin";
import { outputPathFor } from "../build/build.ts";
import { findConfig, type TsadConfig } from "../build/config.ts";
import { DiagnosticError } from "../diagnostics/diagnostic.ts";
import { formatDiagnostic } from "../diagnostics/format.ts";
import { createProject, localFiles } from "../load/load.ts";
import { compile, UsageError, type EmitKind } from "../pipeline.ts";
import type { OutputFormat } from "../options.ts";

export interface TsadPluginOptions {
  /** The configuration file (default: the nearest tsad.config.json or package.json "tsad" key, from the bundler's root). */
  config?: string;
  /** Default kinds for functions whose @differentiate tag names none (default: the config's `emit`). */
  emit?: EmitKind[];
  /** Rules modules, besides the config's. */
  rules?: string[];
  /**
   * Whether `.grad.js` imports load JavaScript (`js`, for a bundler without a TypeScript loader)
   * instead of TypeScript (default: the configuration's `format`, else `ts`).
   */
  format?: OutputFormat;
  /** Where to look for the configuration (default: the bundler's root, else the working folder). */
  root?: string;
}

const QUERY = /\?grad$/;
const GENERATED = /\.grad\.(m|c)?(t|j)s$/;

export const unplugin = createUnplugin((options: TsadPluginOptions | undefined = {}) => {
  let root = options.root;
  let config: TsadConfig | undefined | null = null;
  let project: Project | undefined;
  /** Generated module path → the source it comes from. */
  const sources = new Map<string, string>();
  /** Generated module path → the files it was generated from (the source, what it imports, rules modules). */
  const dependencies = new Map<string, Set<string>>();

  /** A malformed configuration, reported by the first generated module the bundle loads. */
  let configProblem: DiagnosticError | undefined;
  const getConfig = (): TsadConfig | undefined => {
    if (config !== null) return config;
    try {
      config = findConfig(root ?? process.cwd(), options.config);
    } catch (error) {
      if (!(error instanceof DiagnosticError)) throw error;
      configProblem = error;
      config = undefined;
    }
    return config;
  };
  /** `js`: generated modules are JavaScript (`model.grad.js`), else TypeScript (`model.grad.ts`). */
  const format = (): "ts" | "js" => ((options.format ?? getConfig()?.format) === "js" ? "js" : "ts");
  const generatedPath = (source: string): string => {
    const c = getConfig();
    const path = c ? outputPathFor(source, c) : outputPathFor(source, { file: "", root: dirname(source), inputs: [], exclude: [], rules: [] });
    return format() === "js" ? path.replace(/\.ts$/, ".js") : path;
  };
  /** The source a generated path comes from: a resolved `?grad` import, or `x.grad.ts` beside `x.ts`. */
  const sourceOf = (generated: string): string | undefined => {
    const known = sources.get(generated);
    if (known) return known;
    const beside = generated.replace(GENERATED, ".ts");
    return existsSync(beside) && generatedPath(beside) === generated.replace(GENERATED, `.grad.${format()}`) ? beside : undefined;
  };

  /** The generated module an import names: a `?grad` import, or a `.grad.ts`/`.grad.js` path whose source exists. */
  const resolveGenerated = (id: string, importer: string | undefined): string | null => {
      if (QUERY.test(id)) {
        const base = resolve(importer ? dirname(importer) : (root ?? process.cwd()), id.replace(QUERY, ""));
        const source = existsSync(base) ? base : [".ts", ".mts"].map((ext) => base + ext).find(existsSync);
        if (!source) return null;
        const generated = generatedPath(source);
        sources.set(generated, source);
        return generated;
      }
      if (GENERATED.test(id) && (id.startsWith(".") || id.startsWith("/"))) {
        const generated = resolve(importer ? dirname(importer) : (root ?? process.cwd()), id);
        // `./model.grad.js` names the module generated from model.ts (TypeScript's convention).
        const canonical = generated.replace(GENERATED, `.grad.${format()}`);
        if (sourceOf(canonical)) return canonical;
      }
      return null;
    };

  return {
    name: "tsad",
    enforce: "pre",
    vite: {
      configResolved(resolved) {
        root ??= resolved.root;
      },
      // A dev server reloads a module when its own file changes; a generated module has none, so
      // an edit to any file it was generated from invalidates it and joins the update.
      hotUpdate({ file, modules }) {
        const graph = this.environment.moduleGraph;
        const affected = [...dependencies].filter(([, files]) => files.has(file)).flatMap(([id]) => graph.getModuleById(id) ?? []);
        if (affected.length === 0) return;
        for (const module of affected) graph.invalidateModule(module);
        return [...modules, ...affected];
      },
    },
    resolveId(id, importer, resolveOptions) {
      const resolved = resolveGenerated(id, importer);
      // Vite's dependency scan reads what it resolves from disk, where a generated module is not.
      // It imports nothing but the user's own files, so the scan may skip it: an id with a NUL
      // byte is one the scan treats as virtual and leaves out.
      if (resolved && (resolveOptions as { scan?: boolean } | undefined)?.scan) return `\0${resolved}`;
      return resolved;
    },
    loadInclude(id) {
      return GENERATED.test(id) && sourceOf(id) !== undefined;
    },
    async load(id) {
      const source = sourceOf(id);
      if (!source) return null;
      const c = getConfig();
      if (configProblem) return fail(this, { message: `tsad: the configuration is not valid:\n${configProblem.diagnostics.map((d) => formatDiagnostic(d)).join("\n")}`, id: configProblem.diagnostics[0]?.at?.file });
      const rules = [...(c?.rules ?? []), ...(options.rules ?? [])];
      project ??= createProject();
      // The bundler decides when to reload: bring every file tsad has read up to date first.
      for (const file of localFiles(project)) file.refreshFromFileSystemSync();
      let result;
      try {
        result = await compile({ files: [source], out: dirname(id), defaultEmit: options.emit ?? c?.emit, rules, project, format: format() });
      } catch (error) {
        if (error instanceof UsageError) return fail(this, { message: `tsad: ${error.message}`, id: source });
        throw error;
      }
      const used = generatedFrom(project.getSourceFileOrThrow(source), rules);
      dependencies.set(id, used);
      for (const file of used) this.addWatchFile(file);
      if (result.diagnostics.length > 0) {
        const first = result.diagnostics[0]!.at;
        const text = result.diagnostics.map((d) => formatDiagnostic(d)).join("\n");
        return fail(this, { message: `tsad cannot differentiate ${source}:\n${text}`, id: first?.file ?? source, loc: first ? { file: first.file, line: first.line, column: first.column - 1 } : undefined });
      }
      // In the js format, the JavaScript (the declarations are for editors, not for the bundle).
      return (result.modules.find((m) => m.path === id) ?? result.modules[0]!).text;
    },
  };
});

/** `source`, the local files it imports (directly or not) and the rules modules. */
function generatedFrom(source: SourceFile, rules: string[]): Set<string> {
  const found = new Set<string>(rules);
  const visit = (file: SourceFile) => {
    if (found.has(file.getFilePath()) || file.isDeclarationFile() || file.isInNodeModules()) return;
    found.add(file.getFilePath());
    file.getReferencedSourceFiles().forEach(visit);
  };
  visit(source);
  for (const rule of rules) {
    const file = source.getProject().getSourceFile(rule);
    if (file) file.getReferencedSourceFiles().forEach(visit);
  }
  return found;
}

function fail(context: UnpluginContext, error: Parameters<UnpluginContext["error"]>[0]): never {
  context.error(error);
  throw new Error(typeof error === "string" ? error : error.message);
}

export default unplugin;
