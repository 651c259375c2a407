/**
 * Loading: parses the input files and the local files they import with ts-morph, resolves types
 * (explicit es2022 lib, skipLibCheck: the DOM lib would make a cold start take seconds) and
 * reports syntax and type errors as diagnostics.
 *
 * The es2022 lib has no `console` (it comes with the DOM or Node types): a small ambient file
 * declares the host globals users commonly call, so that a `console.log` type-checks and the
 * fence can report it as a call tsad has no rule for, instead of a type error.
 */
import { resolve } from "node:path";
import { Node, Project, ts, type SourceFile } from "ts-morph";
import { diagnostics } from "../diagnostics/catalog.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { isGeneratedModule, isOwnDerivativesMissing } from "../nested/recognize.ts";

export interface LoadedProgram {
  project: Project;
  /** The files named by the user, in the order given. */
  inputs: SourceFile[];
}

export const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2022.d.ts"],
  types: [],
  strict: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  noEmit: true,
};

/** Where the ambient declarations live: in memory only, never written, never a user file. */
export const HOST_GLOBALS_PATH = "/__tsad__/host-globals.d.ts";

const HOST_GLOBALS = `
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  trace(...data: unknown[]): void;
  assert(condition?: boolean, ...data: unknown[]): void;
  table(data: unknown, properties?: string[]): void;
  time(label?: string): void;
  timeEnd(label?: string): void;
  timeLog(label?: string, ...data: unknown[]): void;
  count(label?: string): void;
  group(...data: unknown[]): void;
  groupEnd(): void;
  dir(item?: unknown): void;
}
declare var console: Console;
interface Performance {
  now(): number;
}
declare var performance: Performance;
`;

/** A project whose files come from `files` (path → text) when given, else from disk. */
export function createProject(files?: ReadonlyMap<string, string>): Project {
  const project = new Project({ compilerOptions, useInMemoryFileSystem: files !== undefined, skipAddingFilesFromTsConfig: true });
  if (files) for (const [path, text] of files) project.createSourceFile(path, text, { overwrite: true });
  addHostGlobals(project);
  return project;
}

function addHostGlobals(project: Project): void {
  if (!project.getSourceFile(HOST_GLOBALS_PATH)) project.createSourceFile(HOST_GLOBALS_PATH, HOST_GLOBALS);
}

export function load(paths: string[], project: Project = createProject()): { program: LoadedProgram; diagnostics: Diagnostic[] } {
  addHostGlobals(project);
  const inputs = paths.map((path) => project.getSourceFile(resolve(path)) ?? project.addSourceFileAtPath(resolve(path)));
  project.resolveSourceFileDependencies();
  const found: Diagnostic[] = [];
  for (const file of localFiles(project)) {
    if (isGeneratedModule(file.getFullText())) continue;
    const program = project.getProgram().compilerObject;
    const compiled = program.getSourceFile(file.getFilePath())!;
    const syntactic = program.getSyntacticDiagnostics(compiled);
    const reported = syntactic.length > 0 ? syntactic : program.getSemanticDiagnostics(compiled);
    for (const d of reported) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (isOwnDerivativesMissing(d.code, message, file.getFilePath())) continue;
      const at = d.file && d.start !== undefined ? positionOf(d.file.fileName, d.file, d.start) : undefined;
      found.push(syntactic.length > 0 ? diagnostics.syntaxError(message, at) : diagnostics.typeError(message, at));
    }
  }
  return { program: { project, inputs }, diagnostics: found };
}

/** The user's own files: everything loaded that is not a declaration file (libraries, tsad's host globals). */
export function localFiles(project: Project): SourceFile[] {
  return project.getSourceFiles().filter((f) => !f.isDeclarationFile() && !f.getFilePath().includes("/node_modules/") && f.getFilePath() !== HOST_GLOBALS_PATH);
}

function positionOf(file: string, source: ts.SourceFile, offset: number) {
  const { line, character } = source.getLineAndCharacterOfPosition(offset);
  return { file, line: line + 1, column: character + 1 };
}

/** The 1-based position of a node's first token. */
export function positionOfNode(node: Node) {
  const source = node.getSourceFile();
  const { line, column } = source.getLineAndColumnAtPos(node.getStart());
  return { file: source.getFilePath(), line, column };
}
