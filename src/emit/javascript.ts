/**
 * JavaScript output (`--format js`): the generated TypeScript module, transpiled by the
 * TypeScript compiler into `<name>.grad.js` and its declarations `<name>.grad.d.ts`, then
 * formatted like the TypeScript module. Generated modules annotate every exported function's
 * parameters and result, so declarations come from the module alone (isolated declarations).
 */
import * as prettier from "prettier";
import { ts } from "ts-morph";

import type { OutputFormat } from "../options.ts";

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  // Import specifiers stay as written (`./model.js` already names the JavaScript file); one
  // written `./model.ts` becomes `./model.js`, as tsc itself rewrites it.
  verbatimModuleSyntax: true,
  rewriteRelativeImportExtensions: true,
};

export interface JavaScriptModule {
  js: string;
  dts: string;
}

export async function toJavaScript(typescript: string, fileName: string): Promise<JavaScriptModule> {
  const js = ts.transpileModule(typescript, { compilerOptions: COMPILER_OPTIONS, fileName, reportDiagnostics: false }).outputText;
  const dts = ts.transpileDeclaration(typescript, { compilerOptions: COMPILER_OPTIONS, fileName }).outputText;
  const options: prettier.Options = { parser: "typescript", printWidth: 100 };
  return { js: await prettier.format(js, options), dts: await prettier.format(dts, options) };
}

/**
 * The files of one generated module in `format`, from its TypeScript text at `tsPath`
 * (`dir/model.grad.ts`). `both` writes no declarations: the TypeScript module declares its types.
 */
export async function outputFiles(tsPath: string, typescript: string, format: OutputFormat): Promise<{ path: string; text: string }[]> {
  if (format === "ts") return [{ path: tsPath, text: typescript }];
  const stem = tsPath.replace(/\.ts$/, "");
  const { js, dts } = await toJavaScript(typescript, tsPath);
  if (format === "both") return [{ path: tsPath, text: typescript }, { path: `${stem}.js`, text: js }];
  return [{ path: `${stem}.js`, text: js }, { path: `${stem}.d.ts`, text: dts }];
}
