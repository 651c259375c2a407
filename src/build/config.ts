/**
 * The build configuration: `tsad.config.json`, or a `"tsad"` key in package.json.
 *
 *   {
 *     "inputs": ["src/**\/*.ts"],       // files to compile (tsconfig-style patterns), relative to the config
 *     "exclude": ["src/legacy/**"],     // optional
 *     "out": "src/generated",           // optional: default beside each input
 *     "emit": ["grad", "hvp"],          // optional: default kinds (a function's @differentiate emit= wins)
 *     "rules": ["src/ad-rules.ts"],     // optional: modules of @derivativeOf rules
 *     "format": "js",                   // optional: ts (default), js (.grad.js + .grad.d.ts) or both
 *     "tapeLimit": 64                   // optional: MB of reverse-mode tape before loops are checkpointed
 *   }
 *
 * The file is parsed with TypeScript's JSON parser, so that every mistake is reported at its
 * line and column, with a code frame, like any other diagnostic.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ts } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import { DiagnosticError, type Position } from "../diagnostics/diagnostic.ts";
import { EMIT_KINDS, OUTPUT_FORMATS, type EmitKind, type OutputFormat } from "../options.ts";

export const CONFIG_FILE = "tsad.config.json";

export interface TsadConfig {
  /** The file the configuration was read from. */
  file: string;
  /** The folder that patterns and paths are relative to. */
  root: string;
  inputs: string[];
  exclude: string[];
  /** Absolute output folder; undefined: beside each input. */
  out?: string;
  emit?: EmitKind[];
  /** Absolute paths of rules modules. */
  rules: string[];
  /** What files a generated module is written as (default `ts`). */
  format?: OutputFormat;
  /** `--tape-limit`, in MB. */
  tapeLimit?: number;
}

const KEYS = ["inputs", "exclude", "out", "emit", "rules", "format", "tapeLimit"] as const;
const HINT = `the keys are ${KEYS.join(", ")}; see docs/configuration.md`;

/**
 * The configuration for `cwd`: `explicit` if given, else the nearest tsad.config.json, or
 * package.json with a "tsad" key, in `cwd` or a folder above it (up to the package root).
 * Undefined when there is none. Throws a DiagnosticError for a malformed one.
 */
export function findConfig(cwd: string, explicit?: string): TsadConfig | undefined {
  if (explicit) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file) || !statSync(file).isFile()) throw new DiagnosticError([diagnostics.badConfig(`cannot find the config file ${explicit}`, `create it, or run from a folder with a ${CONFIG_FILE}`)]);
    return readConfig(file);
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const own = join(dir, CONFIG_FILE);
    if (existsSync(own)) return readConfig(own);
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      const config = readConfig(pkg);
      if (config) return config;
      return undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Reads `file` (a tsad.config.json, or a package.json whose "tsad" key holds the configuration). */
export function readConfig(file: string): TsadConfig | undefined {
  const text = readFileSync(file, "utf8");
  const source = ts.parseJsonText(file, text);
  const at = (node: ts.Node): Position => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    return { file, line: line + 1, column: character + 1 };
  };
  const syntax = (source as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (syntax.length > 0) {
    const d = syntax[0]!;
    const { line, character } = source.getLineAndCharacterOfPosition(d.start ?? 0);
    throw new DiagnosticError([diagnostics.badConfig(`${file.endsWith("package.json") ? "package.json" : CONFIG_FILE} is not valid JSON: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`, "fix the JSON syntax (comments and trailing commas are allowed, as in tsconfig.json)", { file, line: line + 1, column: character + 1 })]);
  }
  const root = source.statements[0]?.expression;
  if (!root || !ts.isObjectLiteralExpression(root)) throw new DiagnosticError([diagnostics.badConfig("the configuration must be a JSON object", HINT, root ? at(root) : { file, line: 1, column: 1 })]);

  let object: ts.ObjectLiteralExpression = root;
  if (file.endsWith("package.json")) {
    const key = root.properties.find((p) => propertyName(p) === "tsad");
    if (!key || !ts.isPropertyAssignment(key)) return undefined;
    if (!ts.isObjectLiteralExpression(key.initializer)) throw new DiagnosticError([diagnostics.badConfig('the "tsad" key of package.json must hold an object', HINT, at(key.initializer))]);
    object = key.initializer;
  }

  const dir = dirname(file);
  const config: TsadConfig = { file, root: dir, inputs: [], exclude: [], rules: [] };
  let sawInputs = false;
  const errors = [];
  for (const property of object.properties) {
    try {
      const name = propertyName(property);
      if (!ts.isPropertyAssignment(property) || name === undefined) throw new DiagnosticError([diagnostics.badConfig("expected a `\"key\": value` pair", HINT, at(property))]);
      const value = property.initializer;
      switch (name) {
        case "inputs":
          config.inputs = strings(value, name, at, true);
          sawInputs = true;
          break;
        case "exclude":
          config.exclude = strings(value, name, at, true);
          break;
        case "out":
          config.out = resolve(dir, string(value, name, at));
          break;
        case "emit": {
          const kinds = strings(value, name, at, true).flatMap((k) => k.split(",").map((s) => s.trim()).filter(Boolean));
          const unknown = kinds.find((k) => !(EMIT_KINDS as readonly string[]).includes(k));
          if (unknown) throw new DiagnosticError([diagnostics.unknownEmitKind(unknown, EMIT_KINDS, at(value))]);
          config.emit = kinds as EmitKind[];
          break;
        }
        case "rules": {
          const list = ts.isArrayLiteralExpression(value) ? value.elements : [value];
          for (const element of list) {
            const path = resolve(dir, string(element, name, at));
            if (!existsSync(path)) throw new DiagnosticError([diagnostics.badConfig(`the rules module ${string(element, name, at)} does not exist`, "name a .ts file, relative to the config file", at(element))]);
            config.rules.push(path);
          }
          break;
        }
        case "format": {
          const format = string(value, name, at);
          if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new DiagnosticError([diagnostics.badConfig(`unknown format "${format}"`, `choose from ${OUTPUT_FORMATS.join(", ")}`, at(value))]);
          config.format = format as OutputFormat;
          break;
        }
        case "tapeLimit":
          if (!ts.isNumericLiteral(value) || !(Number(value.text) > 0)) throw new DiagnosticError([diagnostics.badConfig("`tapeLimit` must be a positive number of MB", "write for example \"tapeLimit\": 64", at(value))]);
          config.tapeLimit = Number(value.text);
          break;
        case "$schema":
          break;
        default:
          throw new DiagnosticError([diagnostics.badConfig(`unknown key "${name}"`, HINT, at(property.name))]);
      }
    } catch (error) {
      if (error instanceof DiagnosticError) errors.push(...error.diagnostics);
      else throw error;
    }
  }
  if (errors.length > 0) throw new DiagnosticError(errors);
  if (!sawInputs || config.inputs.length === 0) throw new DiagnosticError([diagnostics.badConfig('the configuration names no "inputs"', 'add "inputs": ["src/**/*.ts"] (patterns of the files to compile)', at(object))]);
  return config;
}

function propertyName(property: ts.ObjectLiteralElementLike): string | undefined {
  const name = property.name;
  return name && (ts.isStringLiteral(name) || ts.isIdentifier(name)) ? name.text : undefined;
}

function string(node: ts.Node, key: string, at: (n: ts.Node) => Position): string {
  if (!ts.isStringLiteral(node)) throw new DiagnosticError([diagnostics.badConfig(`"${key}" must be a string here`, HINT, at(node))]);
  return node.text;
}

/** A string or an array of strings. */
function strings(node: ts.Node, key: string, at: (n: ts.Node) => Position, allowOne: boolean): string[] {
  if (allowOne && ts.isStringLiteral(node)) return [node.text];
  if (!ts.isArrayLiteralExpression(node)) throw new DiagnosticError([diagnostics.badConfig(`"${key}" must be an array of strings`, HINT, at(node))]);
  return node.elements.map((e) => string(e, key, at));
}
