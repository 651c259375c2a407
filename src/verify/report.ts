/** The text `tsad verify` prints: one block per function, the largest errors and the worst input. */
import { relative } from "node:path";
import type { CheckName } from "./check.ts";
import { describeValue } from "./values.ts";
import type { CheckSummary, FunctionVerification, VerifyResult } from "./verify.ts";

const WHAT: Record<CheckName, string> = {
  value: "values against the function's",
  arguments: "arguments left unchanged",
  jvp: "JVP against finite differences",
  vjp: "VJP against the JVP (dot product)",
  hvp: "HVP against differences of the gradient",
};

const SOURCE: Record<FunctionVerification["inputs"], string> = {
  given: "given examples",
  "examples module": "the examples module",
  "@example": "@example tags",
  types: "the parameter types",
};

export function formatVerification(result: VerifyResult, cwd = process.cwd()): string {
  const lines: string[] = [];
  for (const f of result.functions) {
    const where = `${relative(cwd, f.file) || f.file}:${f.line}`;
    const status = !f.ok ? "MISMATCH" : f.checked === 0 ? "NOT CHECKED" : "ok";
    lines.push(`${f.name} (${where}): ${status}, ${f.checked} point${f.checked === 1 ? "" : "s"} from ${SOURCE[f.inputs]}${f.resampled > 0 ? `, ${f.resampled} resampled` : ""}`);
    for (const c of f.checks) {
      if ((c.check === "value" || c.check === "arguments") && c.failures === 0) continue;
      if (f.checked === 0) continue;
      const verdict = c.failures > 0 ? `  FAILED at ${c.failures} of ${f.checked} points (tolerance ${formatError(c.tolerance)})` : "";
      const error = c.check === "arguments" ? "" : `  largest relative error ${formatError(c.maxError)}`;
      const what = c.check === "vjp" && !f.checks.some((other) => other.check === "jvp") ? "VJP against finite differences" : WHAT[c.check];
      lines.push(`  ${what.padEnd(42)}${error}${verdict}`);
    }
    const worst = worstCheck(f.checks);
    if (worst?.worst) lines.push(`  worst input (${worst.check}): ${describeArguments(worst.worst, f.parameters)}`);
    for (const message of f.messages) lines.push(`  ${message}`);
    if (f.unusable > 0) lines.push(`  ${f.unusable} sample${f.unusable === 1 ? "" : "s"} found no usable point: ${f.unusableReasons.join("; ")}`);
  }
  const failed = result.functions.filter((f) => !f.ok).length;
  const unchecked = result.functions.filter((f) => f.ok && f.checked === 0).length;
  lines.push("");
  lines.push(
    failed > 0
      ? `tsad verify: ${failed} of ${result.functions.length} function${result.functions.length === 1 ? "" : "s"} disagree with their derivatives.`
      : `tsad verify: ${result.functions.length - unchecked} function${result.functions.length - unchecked === 1 ? "" : "s"} checked, no mismatch${unchecked > 0 ? `; ${unchecked} could not be checked (no point where the function is finite and smooth)` : ""}.`,
  );
  return `${lines.join("\n")}\n`;
}

/** The check furthest above (or closest to) its tolerance. */
function worstCheck(checks: readonly CheckSummary[]): CheckSummary | undefined {
  const ratio = (c: CheckSummary) => (c.tolerance === 0 ? (c.maxError > 0 ? Infinity : 0) : c.maxError / c.tolerance);
  const order: CheckName[] = ["jvp", "vjp", "hvp", "value", "arguments"];
  const candidates = [...checks].filter((c) => c.worst).sort((a, b) => order.indexOf(a.check) - order.indexOf(b.check));
  return candidates.sort((a, b) => ratio(b) - ratio(a))[0];
}

function describeArguments(args: readonly unknown[], names: readonly string[]): string {
  return args.map((a, i) => `${names[i] ?? `#${i + 1}`} = ${describeValue(a)}`).join(", ");
}

function formatError(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  return x.toExponential(1);
}
