/**
 * `tsad watch` in a temporary project: the first build, an edit (regenerated), an edit to an
 * imported file (its dependents regenerated, others left alone), an error (diagnostic, last good
 * output kept), the fix (recovered, computing the new derivative), and a configuration change.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readConfig } from "../src/build/config.ts";
import { watch, type BuildEvent } from "../src/build/watch.ts";
import { importGenerated } from "./support/generate.ts";

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const model = (k: number) => `import { square } from "./util.ts";

/** @differentiate wrt=x */
export function energy(x: number[]): number {
  let total = 0;
  for (let i = 0; i < x.length; i++) total += ${k} * square(x[i]);
  return total;
}
`;
const util = (power: number) => `export function square(v: number): number {
  return v ** ${power};
}
`;
const other = `/** @differentiate */\nexport function other(y: number): number { return Math.sin(y); }\n`;

/** Build events, awaited one at a time. */
class Events {
  private readonly queue: BuildEvent[] = [];
  private waiting: ((e: BuildEvent) => void) | undefined;
  push = (event: BuildEvent) => {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(event);
    } else this.queue.push(event);
  };
  next(): Promise<BuildEvent> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no rebuild within 20 s")), 20_000);
      this.waiting = (e) => {
        clearTimeout(timer);
        resolve(e);
      };
    });
  }
}

describe("tsad watch", () => {
  it("rebuilds on edits, keeps the last good output on errors, and recovers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsad-watch-"));
    temps.push(dir);
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "tsad.config.json"), `{ "inputs": ["src/**/*.ts"] }`);
    writeFileSync(join(dir, "src/model.ts"), model(3));
    writeFileSync(join(dir, "src/util.ts"), util(2));
    writeFileSync(join(dir, "src/other.ts"), other);
    const output = join(dir, "src/model.grad.ts");
    const otherOutput = join(dir, "src/other.grad.ts");
    const gradientOf = async (name: string) => {
      const m = await importGenerated(`watch-${name}`, readFileSync(output, "utf8"));
      return ((m.energyGrad as Function)([0.5, -2]) as { grad: { x: number[] } }).grad.x;
    };

    let log = "";
    const events = new Events();
    const watcher = watch(readConfig(join(dir, "tsad.config.json"))!, { io: { stdout: (t) => void (log += t), stderr: (t) => void (log += t) }, cwd: dir, onBuild: events.push });
    try {
      let event = await events.next();
      await watcher.ready;
      expect(event.ok).toBe(true);
      expect(event.wrote.sort()).toEqual([output, otherOutput].sort());
      // d/dx 3x² = 6x
      expect(await gradientOf("first")).toEqual([3, -12]);
      const otherWritten = statSync(otherOutput).mtimeMs;

      // A one-line edit: only the edited file's module is rebuilt.
      writeFileSync(join(dir, "src/model.ts"), model(5));
      event = await events.next();
      expect(event).toMatchObject({ ok: true, wrote: [output], changed: [join(dir, "src/model.ts")] });
      expect(await gradientOf("edit")).toEqual([5, -20]);

      // An edit to an imported file rebuilds its dependents.
      writeFileSync(join(dir, "src/util.ts"), util(3));
      event = await events.next();
      expect(event).toMatchObject({ ok: true, wrote: [output] });
      // d/dx 5x³ = 15x²
      expect(await gradientOf("import")).toEqual([3.75, 60]);

      // An error: a diagnostic, and the last good output stays as it was.
      const good = readFileSync(output, "utf8");
      writeFileSync(join(dir, "src/model.ts"), model(5).replace("let total = 0;", "let total = 0;\n  try {} finally {}"));
      event = await events.next();
      expect(event.ok).toBe(false);
      expect(event.diagnostics.map((d) => [d.code, d.at?.line])).toEqual([[2005, 6]]);
      expect(log).toContain("src/model.ts:6:3 - error TSAD2005");
      expect(log).toContain("kept the last good output");
      expect(readFileSync(output, "utf8")).toBe(good);

      // The fix: recovered, with the new derivative.
      writeFileSync(join(dir, "src/model.ts"), model(7));
      event = await events.next();
      expect(event).toMatchObject({ ok: true, wrote: [output] });
      expect(await gradientOf("fixed")).toEqual([5.25, 84]);
      expect(statSync(otherOutput).mtimeMs).toBe(otherWritten);

      // A change to the configuration reloads it and rebuilds everything.
      writeFileSync(join(dir, "tsad.config.json"), `{ "inputs": ["src/**/*.ts"], "emit": ["grad", "jvp"] }`);
      event = await events.next();
      expect(event.ok).toBe(true);
      expect(event.wrote.sort()).toEqual([output, otherOutput].sort());
      expect(readFileSync(output, "utf8")).toMatch(/export function energyJvp\(/);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- watch log ---\n${log}`);
    } finally {
      await watcher.close();
    }
  });
});
