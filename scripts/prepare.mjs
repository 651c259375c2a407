#!/usr/bin/env node
/**
 * Builds dist/ — the JavaScript and declarations that the `tsad` package ships.
 *
 * npm runs this as `prepare`: in a development checkout (`npm install`, `npm ci`), before
 * `npm pack`, and in the source folder when a project installs tsad from a folder or a git URL.
 * In that last case the folder may be a fresh clone with no node_modules at all, so the build
 * must not need a dev dependency: it uses the TypeScript compiler that `typescript` provides when
 * it is installed (development: type errors fail the build, as `tsc` would), or else the full
 * compiler that the runtime dependency ts-morph carries (its own production dependencies are
 * installed first when missing; type errors are then not reported: the sources were checked
 * where they were developed, and without @types/node they would be noise).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));

function resolvable(name) {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** A fresh clone installed by path: npm links it without installing its dependencies. */
function installRuntimeDependencies() {
  process.stderr.write("tsad: installing tsad's runtime dependencies in its folder\n");
  // The npm that runs this script leaves settings in npm_config_* variables (the installing
  // project's prefix among them): the inner install must be about this folder only.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const npm = process.env.npm_execpath;
  const [command, args] = npm && npm.endsWith(".js") ? [process.execPath, [npm]] : ["npm", []];
  const result = spawnSync(command, [...args, "install", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save"], { cwd: root, env, stdio: ["ignore", "inherit", "inherit"], shell: process.platform === "win32" && command === "npm" });
  if (result.status !== 0) {
    process.stderr.write("tsad: could not install tsad's dependencies; run `npm install --omit=dev` in its folder\n");
    process.exit(1);
  }
}

const development = resolvable("typescript");
if (!development && !resolvable("ts-morph")) installRuntimeDependencies();
const ts = development ? require("typescript") : require("ts-morph").ts;

const configPath = join(root, "tsconfig.build.json");
const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) });
// Without @types/node (not a runtime dependency) the "node" types cannot be found: leave them out.
const options = development ? parsed.options : { ...parsed.options, types: [] };
rmSync(join(root, "dist"), { recursive: true, force: true });
const program = ts.createProgram({ rootNames: parsed.fileNames, options });
const emitted = program.emit(undefined, undefined, undefined, false, { after: [requireCommonJs(["ts-morph"])] });
const errors = development ? [...parsed.errors, ...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics] : [...emitted.diagnostics];
if (errors.length > 0 || emitted.emitSkipped) fail(errors);
if (!existsSync(join(root, "dist", "cli.js"))) fail([]);
// The command's file is run directly (npm links it as `tsad`): a rebuild must keep it executable.
chmodSync(join(root, "dist", "cli.js"), 0o755);

/**
 * `import { Project, ts } from "ts-morph"` becomes `const { Project, ts } = require("ts-morph")`
 * (through `createRequire`) in the JavaScript the package ships. Node imports a CommonJS package
 * into an ES module by first scanning its source for export names, and ts-morph's re-exports
 * make that scan read the whole TypeScript compiler: about 0.12 s of every cold `tsad` run. The
 * sources keep the plain import, which their types need.
 */
function requireCommonJs(packages) {
  return (context) => (file) => {
    const f = context.factory;
    const loader = f.createUniqueName("requireCommonJs");
    let used = false;
    const statements = file.statements.flatMap((statement) => {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || !packages.includes(statement.moduleSpecifier.text)) return [statement];
      const clause = statement.importClause;
      if (!clause || clause.isTypeOnly || clause.name) return [statement];
      const bindings = clause.namedBindings;
      let target;
      if (bindings && ts.isNamespaceImport(bindings)) target = bindings.name;
      else if (bindings && ts.isNamedImports(bindings)) {
        const values = bindings.elements.filter((e) => !e.isTypeOnly);
        if (values.length === 0) return [];
        target = f.createObjectBindingPattern(values.map((e) => f.createBindingElement(undefined, e.propertyName, e.name)));
      } else return [statement];
      used = true;
      const required = f.createCallExpression(f.createCallExpression(loader, undefined, [f.createPropertyAccessExpression(f.createMetaProperty(ts.SyntaxKind.ImportKeyword, f.createIdentifier("meta")), "url")]), undefined, [f.createStringLiteral(statement.moduleSpecifier.text)]);
      return [f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(target, undefined, undefined, required)], ts.NodeFlags.Const))];
    });
    if (!used) return file;
    const importLoader = f.createImportDeclaration(undefined, f.createImportClause(false, undefined, f.createNamedImports([f.createImportSpecifier(false, f.createIdentifier("createRequire"), loader)])), f.createStringLiteral("node:module"));
    return f.updateSourceFile(file, [importLoader, ...statements]);
  };
}

function fail(diagnostics) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" };
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
  process.stderr.write("tsad: the build failed\n");
  process.exit(1);
}
