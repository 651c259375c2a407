/**
 * Checkpointing beyond the fixtures (checkpoint-*): `--tape-limit` (tiny and generous limits give
 * right gradients and HVPs), its configuration key and flag, and loops that do not qualify
 * (they keep their tape: the module is the one generated without the tag).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../cli.ts";
import { findConfig } from "../src/build/config.ts";
import { DiagnosticError } from "../src/diagnostics/diagnostic.ts";
import { compile } from "../src/pipeline.ts";
import { verify } from "../src/verify/verify.ts";

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tsad-checkpoint-"));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const RECURRENCE = `export function f(x: number[], steps: number): number {
  const y = x.slice();
  let s = 0;
  for (let i = 0; i < steps; i++) {
    for (let k = 0; k < y.length; k++) y[k] = Math.sin(y[k]) * 1.01 + 0.1 * x[(k + 1) % x.length];
    s += y[0] * y[0];
  }
  return s + y[1];
}
`;
const EXAMPLES = `export const f = [[[0.3, -0.2, 0.5, 0.9], 7], [[0.1, 0.4, -0.6], 12], [[0.1, 0.4, -0.6], 1], [[0.2, 0.5], 0]];\n`;

describe("--tape-limit", () => {
  it.each([0.00001, 0.001, 100])("with a limit of %f MB the gradient and the HVP are right", async (limit) => {
    const dir = tempProject({ "model.ts": RECURRENCE, "model.examples.ts": EXAMPLES });
    const result = await verify({ files: [join(dir, "model.ts")], tapeLimit: limit, samples: 6 });
    expect(result.diagnostics).toEqual([]);
    expect(result.functions[0]!.messages).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.functions[0]!.checked).toBe(6);
  });

  it("checkpoints the outermost loop, with the limit in the schedule and in the header", async () => {
    const dir = tempProject({ "model.ts": RECURRENCE });
    const { modules } = await compile({ files: [join(dir, "model.ts")], emit: ["grad"], tapeLimit: 2 });
    const text = modules[0]!.text;
    expect(text).toMatch(/--tape-limit 2\n/);
    expect(text).toMatch(/reverse the checkpointed loop \(line 4\)/);
    expect(text).toMatch(/\* 8 <= 2097152/);
  });

  it("is read from tsad.config.json and checked there; the flag wants a positive number", async () => {
    const good = tempProject({ "tsad.config.json": `{ "inputs": ["*.ts"], "tapeLimit": 64 }` });
    expect(findConfig(good)?.tapeLimit).toBe(64);
    const bad = tempProject({ "tsad.config.json": `{ "inputs": ["*.ts"], "tapeLimit": "lots" }` });
    expect(() => findConfig(bad)).toThrow(DiagnosticError);
    let stderr = "";
    const code = await main([join(tempProject({ "model.ts": RECURRENCE }), "model.ts"), "--tape-limit", "0", "--stdout"], { stdout: () => {}, stderr: (t) => (stderr += t) });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--tape-limit expects a positive number of MB/);
  });
});

describe("loops that cannot be checkpointed keep their tape", () => {
  it.each([
    ["nested in an if", (body: string) => `  if (steps > 0) {\n  // @checkpoint\n${body}  }\n`],
    ["growing its state", (body: string) => `  // @checkpoint\n${body.replace("s += y[0] * y[0];", "s += y[0] * y[0];\n    grown.push(s);")}`],
  ])("a tagged loop %s", async (_name, wrap) => {
    const loop = RECURRENCE.slice(RECURRENCE.indexOf("  for (let i"), RECURRENCE.indexOf("  return"));
    const tagged = RECURRENCE.replace(loop, wrap(loop)).replace("let s = 0;", "let s = 0;\n  const grown: number[] = [];");
    const untagged = tagged.replace("// @checkpoint", "// (no tag)");
    const dir = tempProject({ "tagged.ts": tagged, "untagged.ts": untagged });
    const [a, b] = await Promise.all(["tagged.ts", "untagged.ts"].map((f) => compile({ files: [join(dir, f)], emit: ["grad"], command: "tsad" })));
    expect(a!.diagnostics).toEqual([]);
    expect(a!.modules[0]!.text).not.toMatch(/checkpointed/);
    expect(a!.modules[0]!.text.replace(/tagged\.ts/g, "")).toBe(b!.modules[0]!.text.replace(/untagged\.ts/g, ""));
  });
});
