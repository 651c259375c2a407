/**
 * `npm run bench -- --deopts` reads V8's --trace-opt / --trace-deopt-verbose output. The trace
 * here was captured from `node --trace-opt --trace-deopt-verbose test/support/deopt-trace/sample.mjs`
 * (Node 20; the script's path replaced by file:///SAMPLE/sample.mjs): an adjoint array born as
 * small integers deopts its function when doubles arrive after the warm-up.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace, settling } from "../bench/deopt-trace.ts";
import { deoptReport, deoptRows } from "../bench/deopts.ts";

const trace = readFileSync(join(import.meta.dirname, "support", "deopt-trace", "trace.txt"), "utf8");

describe("V8 trace parsing", () => {
  it("splits the trace at the markers and finds each deopt's function, kind, reason and position", () => {
    const phases = parseTrace(trace);
    expect(phases.map((p) => `${p.phase}/${p.contender}`)).toEqual(["/", "warm-up/grad", "measured/grad", "done/grad"]);
    const [, warm, measured] = phases;
    expect(warm!.deopts).toEqual([]);
    expect(warm!.optimised).toEqual(["inner", "grad"]);
    expect(measured!.deopts).toEqual([
      { fn: "grad", kind: "eager", reason: "wrong map", at: [{ file: "file:///SAMPLE/sample.mjs", line: 4, column: 28 }] },
      { fn: "inner", kind: "eager", reason: "not a Smi", at: [{ file: "file:///SAMPLE/sample.mjs", line: 2, column: 41 }] },
    ]);
    expect(measured!.optimised).toEqual(["inner", "grad"]);
  });

  it("reads inlined positions innermost first, and the older trace format", () => {
    const text = [
      "@@deopts measured f",
      "[bailout (kind: deopt-soft, reason: Insufficient type feedback for generic named access): begin. deoptimizing 0x1 <JSFunction f (sfi = 0x2)>, 0x3 <Code TURBOFAN>, opt id 4, bytecode offset 5, deopt exit 6, FP to SP delta 7, caller SP 0x8, pc 0x9]",
      "            ;;; deoptimize at <file:///a.ts:3:14> inlined at <file:///a.ts:20:5>",
      "[deoptimizing (DEOPT lazy): begin 0x1 <JSFunction g (sfi = 0x2)> (opt id 3) node id 4, bytecode offset 5, deopt exit 6, FP to SP delta 7, caller SP 0x8, pc 0x9]",
      "            ;;; deoptimize at <file:///b.ts:1:2>, wrong call target",
    ].join("\n");
    const [, phase] = parseTrace(text);
    expect(phase!.deopts).toEqual([
      { fn: "f", kind: "soft", reason: "Insufficient type feedback for generic named access", at: [{ file: "file:///a.ts", line: 3, column: 14 }, { file: "file:///a.ts", line: 20, column: 5 }] },
      { fn: "g", kind: "lazy", reason: "wrong call target", at: [{ file: "file:///b.ts", line: 1, column: 2 }] },
    ]);
  });

  it("reports per function the deopts after the warm-up, with their source line", () => {
    const callMs = [9, 8, 7, ...Array.from({ length: 40 }, () => 1)];
    const rows = deoptRows(trace, { problem: "sample", size: "n=200", results: [{ contender: "grad", callMs }], sourceMaps: {} });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.warmUp).toHaveLength(0);
    expect(rows[0]!.after.map((d) => `${d.fn}: ${d.reason}`)).toEqual(["grad: wrong map", "inner: not a Smi"]);
    expect(rows[0]!.settledAt).toBe(4);
    const report = deoptReport(rows, {});
    expect(report).toContain("| sample  | n=200 | grad     | 43    |");
    expect(report).toContain("2: grad: wrong map; inner: not a Smi");
    expect(report).toMatch(/- grad — eager, wrong map ×1 at \/SAMPLE\/sample\.mjs:4:28/);
  });
});

describe("settling", () => {
  it("is the first call within 10% of the steady time from which every window's median stays so", () => {
    const slowStart = [50, 40, 30, 12, 10.5, 10, 10, 9.8, 10.2, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10];
    expect(settling(slowStart)).toEqual({ steadyMs: 10, settledAt: 5 });
  });

  it("ignores a single slow call (a collection) once settled, but not a lasting slowdown", () => {
    const spike = [10, 10, 10, 10, 10, 30, 10, 10, 10, 10, 10, 10];
    expect(settling(spike).settledAt).toBe(1);
    const deoptLate = [...Array.from({ length: 30 }, () => 10), ...Array.from({ length: 12 }, () => 20), ...Array.from({ length: 30 }, () => 10)];
    expect(settling(deoptLate).settledAt).toBe(43);
  });

  it("never settles when the last calls are still off the steady time", () => {
    const drifting = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(settling(drifting).settledAt).toBeUndefined();
  });
});
