/**
 * How an input file writes its imports, so that a generated module imports the user's modules
 * the same way: the specifier the user wrote for a file (`./special.js` stays `./special.js`,
 * never `./special.ts`), and, for a file the input does not import (the input itself), the
 * extension style of the input's relative imports.
 */
import { dirname } from "node:path";
import type { SourceFile } from "ts-morph";

/** `.js`: `./m.js` for m.ts (what TypeScript resolves under every moduleResolution); `.ts`: `./m.ts`; `""`: `./m`. */
export type ExtensionStyle = ".js" | ".ts" | "";

export interface ImportConventions {
  /** The folder of the input file. */
  dir: string;
  /** Absolute path of an imported local file → the specifier the input wrote for it. */
  written: ReadonlyMap<string, string>;
  /** The style of the input's relative imports (`.js` when it has none: it works under every tsconfig). */
  style: ExtensionStyle;
}

export function importConventions(file: SourceFile): ImportConventions {
  const written = new Map<string, string>();
  let style: ExtensionStyle | undefined;
  for (const declaration of [...file.getImportDeclarations(), ...file.getExportDeclarations()]) {
    const specifier = declaration.getModuleSpecifierValue();
    const target = declaration.getModuleSpecifierSourceFile();
    if (!specifier || !specifier.startsWith(".") || !target) continue;
    if (!written.has(target.getFilePath())) written.set(target.getFilePath(), specifier);
    style ??= extensionStyle(specifier);
  }
  return { dir: dirname(file.getFilePath()), written, style: style ?? ".js" };
}

export function extensionStyle(specifier: string): ExtensionStyle {
  if (/\.(m|c)?tsx?$/.test(specifier)) return ".ts";
  if (/\.(m|c)?jsx?$/.test(specifier)) return ".js";
  return "";
}

/** `path` (a .ts file) as a specifier of `style`: `m.ts` → `m.js`, `m.mts` → `m.mjs`, or without its extension. */
export function withExtensionStyle(path: string, style: ExtensionStyle): string {
  if (style === ".ts") return path;
  const stem = path.replace(/\.(m|c)?tsx?$/, "");
  if (style === "") return stem;
  const extension = /\.(m|c)?tsx?$/.exec(path);
  return extension ? `${stem}.${extension[1] ?? ""}js${extension[0].endsWith("x") ? "x" : ""}` : path;
}
