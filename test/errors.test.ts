/**
 * Every error fixture (fixtures/errors/<name>/): the CLI, run in-process on a fresh copy of the
 * case, fails with the expected exit status and first diagnostic (code, file:line:column, code
 * frame, hint), prints no stack trace and nothing on stdout, and writes nothing: an output file
 * that already exists in the `--out` folder stays byte-identical.
 *
 * fixtures/errors/<name>/expected.json:
 *   args             extra CLI arguments after the input path; `${dir}` is the case's temp folder
 *   exit             expected exit status (1: the source cannot be differentiated, 2: usage error)
 *   code/line/column the first diagnostic printed (source errors only)
 *   file             the file that diagnostic is in (default: input.ts)
 *   messageIncludes  text the first diagnostic (or the usage error) contains
 *   input            optional: the path (relative to the case folder) passed instead of input.ts;
 *                    null passes no input file at all
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../cli.ts";

const ERRORS = resolve(import.meta.dirname, "../fixtures/errors");
const PREVIOUS_OUTPUT = "// An earlier tsad output that a failed run must leave exactly as it is.\nexport const previous = 1;\n";

interface Expected {
  args: string[];
  exit: number;
  code?: number;
  line?: number;
  column?: number;
  file?: string;
  messageIncludes: string;
  input?: string | null;
}

const caseNames = readdirSync(ERRORS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** Every file under `dir`, by relative path, with its bytes. */
function snapshot(dir: string, prefix = ""): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      files.set(`${key}/`, Buffer.alloc(0));
      for (const [k, v] of snapshot(path, key)) files.set(k, v);
    } else {
      files.set(key, readFileSync(path));
    }
  }
  return files;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function run(argv: string[]): Promise<{ exit: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const exit = await main(argv, io);
  return { exit, stdout, stderr };
}

describe("error fixtures", () => {
  it("cover at least 30 cases, each with an input and an expectation", () => {
    expect(caseNames.length).toBeGreaterThanOrEqual(30);
    for (const name of caseNames) {
      expect(existsSync(join(ERRORS, name, "input.ts")), `${name}/input.ts`).toBe(true);
      expect(existsSync(join(ERRORS, name, "expected.json")), `${name}/expected.json`).toBe(true);
    }
  });
});

describe.each(caseNames)("error fixture %s", (name) => {
  it("fails cleanly and writes nothing", async () => {
    const expected = JSON.parse(readFileSync(join(ERRORS, name, "expected.json"), "utf8")) as Expected;
    const dir = mkdtempSync(join(tmpdir(), `tsad-errors-${name}-`));
    temps.push(dir);
    cpSync(join(ERRORS, name), dir, { recursive: true });
    rmSync(join(dir, "expected.json"));
    const out = join(dir, "out");
    mkdirSync(out);
    writeFileSync(join(out, "input.grad.ts"), PREVIOUS_OUTPUT);
    const before = snapshot(dir);

    const input = expected.input === null ? [] : [join(dir, expected.input ?? "input.ts")];
    const args = expected.args.map((a) => a.replaceAll("${dir}", dir));
    // `--out` comes before the case's own arguments, so that a case can override it.
    const { exit, stdout, stderr } = await run([...input, "--out", out, ...args]);

    expect(exit, stderr).toBe(expected.exit);
    expect(stdout).toBe("");
    // No stack trace, nothing from tsad's own dependencies, no internal error.
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain("node_modules");
    expect(stderr).not.toContain("internal error");

    if (expected.code !== undefined) {
      const lines = stderr.split("\n");
      const first = lines.findIndex((l) => /error TSAD\d{4}:/.test(l));
      expect(first, stderr).toBeGreaterThanOrEqual(0);
      const head = lines[first]!;
      const file = escapeRegExp(expected.file ?? "input.ts");
      expect(stderr).toContain(`TSAD${expected.code}`);
      expect(head).toMatch(new RegExp(`(^|[/\\\\])${file}:${expected.line}:${expected.column} - error TSAD${expected.code}: `));
      expect(head).toContain(`:${expected.line}:${expected.column}`);
      expect(head).toContain(expected.messageIncludes);
      // The first diagnostic's code frame marks its line, and a hint follows.
      const rest = lines.slice(first + 1);
      const next = rest.findIndex((l) => /error TSAD\d{4}:/.test(l));
      const own = (next < 0 ? rest : rest.slice(0, next)).join("\n");
      expect(own).toMatch(new RegExp(`^> +${expected.line} \\|`, "m"));
      expect(own).toMatch(/^ *hint: \S/m);
    } else {
      expect(stderr).toMatch(/^tsad: error: /m);
      expect(stderr).toContain(expected.messageIncludes);
      expect(stderr).toContain("tsad --help");
      expect(stderr).not.toMatch(/TSAD\d{4}/);
    }

    // Nothing written anywhere in the case folder; the earlier output is byte-identical.
    expect(readdirSync(out)).toEqual(["input.grad.ts"]);
    expect(readFileSync(join(out, "input.grad.ts"), "utf8")).toBe(PREVIOUS_OUTPUT);
    const after = snapshot(dir);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [path, bytes] of before) expect(after.get(path)!.equals(bytes), `${path} changed`).toBe(true);
    expect(statSync(out).isDirectory()).toBe(true);
  });
});
