/**
 * Type-checks generated modules in memory, in one program, with every strictness option a
 * project may turn on (what users' `tsc` will say, whatever their tsconfig).
 */
import ts from "typescript";

/**
 * `pathOf(name)` places a module where it would be written, so that an import of its source
 * (`./input.ts`, when it calls a user's derivative rule) resolves; by default under /generated.
 */
export function typeCheck(modules: ReadonlyMap<string, string>, pathOf: (name: string) => string = (name) => `/generated/${name}.grad.ts`): string[] {
  const files = new Map([...modules].map(([name, text]) => [pathOf(name), text]));
  // Every JavaScript runtime has `console` (generated code keeps the source's console calls);
  // nothing else outside the ES library is declared.
  files.set("/generated/console.d.ts", CONSOLE);
  const options: ts.CompilerOptions = {
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (path) => files.get(path) ?? readFile(path);
  host.fileExists = (path) => files.has(path) || fileExists(path);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (path, language) => (files.has(path) ? ts.createSourceFile(path, files.get(path)!, language) : getSourceFile(path, language));
  const program = ts.createProgram([...files.keys()], options, host);
  // Only the generated modules: a user's source that they import is the user's business.
  const generated = [...files.keys()].map((path) => program.getSourceFile(path)!);
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...generated.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)])];
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

export const CONSOLE = `declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  assert(condition?: boolean, ...data: unknown[]): void;
};
`;
