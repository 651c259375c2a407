/**
 * Running TypeScript without writing it anywhere: each module is transpiled in memory (the
 * TypeScript compiler's `transpileModule`, types stripped) and imported from a `data:` URL.
 *
 * A `data:` module cannot resolve relative imports, so every import of a local TypeScript file
 * is rewritten to that file's own `data:` URL first (its imports rewritten the same way, depth
 * first); imports of packages and JavaScript files become absolute `file:` URLs. The sources are
 * read from the ts-morph project when it holds them (text compiled from memory), else from disk.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ts, type Project } from "ts-morph";

export type LoadedModule = Record<string, unknown>;

export class ModuleLoadError extends Error {}

const TS_EXTENSIONS = [".ts", ".mts", ".tsx"];

export class InMemoryModules {
  /** `data:` URL of each local file already transpiled, by absolute path. */
  private readonly urls = new Map<string, string>();
  /** Files being transpiled (an import cycle among them cannot be expressed with `data:` URLs). */
  private readonly inProgress = new Set<string>();

  constructor(private readonly project?: Project) {}

  /** Imports the local TypeScript file at `path`. */
  async importFile(path: string): Promise<LoadedModule> {
    return this.importUrl(this.urlOf(resolve(path)));
  }

  /** Imports `text` as if it were the file at `path` (its relative imports resolve from there). */
  async importText(path: string, text: string): Promise<LoadedModule> {
    return this.importUrl(this.transpile(resolve(path), text));
  }

  private async importUrl(url: string): Promise<LoadedModule> {
    return (await import(url)) as LoadedModule;
  }

  private urlOf(path: string): string {
    const known = this.urls.get(path);
    if (known) return known;
    if (this.inProgress.has(path)) throw new ModuleLoadError(`${path} is part of an import cycle, which tsad verify cannot load`);
    this.inProgress.add(path);
    const url = this.transpile(path, this.sourceText(path));
    this.inProgress.delete(path);
    this.urls.set(path, url);
    return url;
  }

  private sourceText(path: string): string {
    const inProject = this.project?.getSourceFile(path);
    if (inProject) return inProject.getFullText();
    if (!existsSync(path)) throw new ModuleLoadError(`cannot find ${path}`);
    return readFileSync(path, "utf8");
  }

  private transpile(path: string, text: string): string {
    const rewrite = (specifier: string) => this.resolveSpecifier(specifier, path);
    const output = ts.transpileModule(text, {
      fileName: path,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, allowImportingTsExtensions: true, sourceMap: false },
      transformers: { after: [rewriteSpecifiers(rewrite)] },
    });
    return `data:text/javascript;base64,${Buffer.from(output.outputText).toString("base64")}`;
  }

  /** What an import of `specifier` from the file at `from` becomes. */
  private resolveSpecifier(specifier: string, from: string): string {
    if (specifier.startsWith("node:") || specifier.startsWith("data:")) return specifier;
    if (specifier.startsWith(".") || specifier.startsWith("/")) {
      const local = this.localTypeScript(resolve(dirname(from), specifier));
      if (local) return this.urlOf(local);
      return pathToFileURL(resolve(dirname(from), specifier)).href;
    }
    try {
      return pathToFileURL(createRequire(from).resolve(specifier)).href;
    } catch {
      return specifier; // a built-in module named without `node:`
    }
  }

  /** The TypeScript file an import path means: as written, or `.js` standing for `.ts`, or without extension. */
  private localTypeScript(target: string): string | undefined {
    const candidates = [target, target.replace(/\.(m?)js$/, ".$1ts"), ...TS_EXTENSIONS.map((ext) => target + ext), ...TS_EXTENSIONS.map((ext) => resolve(target, `index${ext}`))];
    return candidates.find((c) => TS_EXTENSIONS.some((ext) => c.endsWith(ext)) && (this.project?.getSourceFile(c) !== undefined || existsSync(c)));
  }
}

/** A transformer that replaces the module specifier of every import and export declaration. */
function rewriteSpecifiers(rewrite: (specifier: string) => string): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (file) => {
    const { factory } = context;
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        return factory.updateImportDeclaration(node, node.modifiers, node.importClause, factory.createStringLiteral(rewrite(node.moduleSpecifier.text)), node.attributes);
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        return factory.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause, factory.createStringLiteral(rewrite(node.moduleSpecifier.text)), node.attributes);
      }
      return node;
    };
    return ts.visitEachChild(file, visit, context);
  };
}
