/** `npm run bench`'s command line: a mistake is a message and exit 2, never a run of minutes that ignored it. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BenchUsageError, parseBenchArgs } from "../bench/args.ts";

const NAMES = ["gmm", "gmm", "lstm", "ode", "ode gradbench"];

function mistake(argv: string[]): string {
  try {
    parseBenchArgs(argv, NAMES);
  } catch (error) {
    expect(error).toBeInstanceOf(BenchUsageError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${argv.join(" ")}`);
}

describe("npm run bench's arguments", () => {
  it("reads the flags it documents", () => {
    expect(parseBenchArgs([], NAMES)).toMatchObject({ noPeers: false, check: false, deopts: false, help: false, only: undefined, json: undefined });
    expect(parseBenchArgs(["--only", "GMM", "--no-peers", "--json", "out.json"], NAMES)).toMatchObject({ only: "gmm", noPeers: true, json: "out.json" });
    expect(parseBenchArgs(["--deopts", "--only", "ode"], NAMES)).toMatchObject({ deopts: true, only: "ode" });
    expect(parseBenchArgs(["--check", "--problem", "3", "--result", "r.json"], NAMES)).toMatchObject({ check: true, problem: 3, result: "r.json" });
  });

  it("names the flag it does not know, the value that is missing, and the runs that do not go together", () => {
    expect(mistake(["--deopt"])).toContain("'--deopt'");
    expect(mistake(["--only"])).toContain("--only");
    expect(mistake(["--only", "--deopts"])).toBe("Option '--only' argument is ambiguous.");
    expect(mistake(["--json", ""])).toBe("--json wants a value");
    expect(mistake(["gmm"])).toContain("'gmm'");
    expect(mistake(["--check", "--deopts"])).toContain("choose one");
    expect(mistake(["--deopts", "--json", "x.json"])).toContain("--deopts prints its report only");
    expect(mistake(["--only", "rosen"])).toBe("no problem's name contains 'rosen'; the problems are gmm, lstm, ode, ode gradbench");
    expect(mistake(["--problem", "5", "--result", "r.json"])).toContain("--problem wants an index below 5");
  });

  it("exits 2 with the message and the usage, no stack trace, before any problem is built", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "..", "bench", "run.ts"), "--deopt"], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^bench: Unknown option '--deopt'/);
    expect(run.stderr).toContain("usage: npm run bench");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe("");
  }, 30_000);
});
