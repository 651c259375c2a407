/**
 * Reading an experiment's options from text (the command line's `--name value`, the page's form
 * fields), typed like the experiment's defaults and checked against what the experiments can run:
 * a depth of 0, one sample on a grid or a step count of 1.5 would otherwise give NaN figures, an
 * endless loop or a crash deep inside training.
 */
import { TARGETS } from "./targets.ts";

/** A value that does not fit its option; the message says what it wants (the caller names the option). */
export class OptionError extends Error {}

interface Rule {
  whole?: boolean;
  min: number;
  /** The least value is excluded (a rate of 0 never moves; 2/η is drawn). */
  exclusive?: boolean;
}

const COUNT: Rule = { whole: true, min: 1 };
const RULES: Record<string, Rule> = {
  // Depth 0 is a linear model: no regions to count, a kernel that never moves.
  depth: { whole: true, min: 0 },
  width: COUNT,
  steps: COUNT,
  seeds: COUNT,
  maxDepth: COUNT,
  budget: COUNT,
  widths: COUNT,
  train: COUNT,
  test: COUNT,
  sweepWidths: COUNT,
  sweepSteps: COUNT,
  every: COUNT,
  iterations: COUNT,
  spectrumDepth: { whole: true, min: 0 },
  spectrumWidth: COUNT,
  spectrumSteps: COUNT,
  // A grid of n points on [−1, 1] spaces them 2/(n − 1) apart.
  samples: { whole: true, min: 2 },
  points: { whole: true, min: 2 },
  // 0: every sample in each step.
  batchSize: { whole: true, min: 0 },
  sweepBatches: { whole: true, min: 0 },
  seed: { whole: true, min: -Infinity },
  noise: { min: 0 },
  rate: { min: 0 },
  rates: { min: 0, exclusive: true },
  initScale: { min: 0 },
  sweepScales: { min: 0 },
};

function describe(rule: Rule | undefined, list: boolean): string {
  const kind = list ? (rule?.whole ? "whole numbers" : "numbers") : rule?.whole ? "a whole number" : "a number";
  const bound = !rule || rule.min === -Infinity ? "" : ` ${rule.exclusive ? ">" : "≥"} ${rule.min}`;
  return list ? `${kind}${bound}, comma-separated` : `${kind}${bound}`;
}

function fits(rule: Rule | undefined, text: string): boolean {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) return false;
  if (!rule) return true;
  return (!rule.whole || Number.isInteger(value)) && (rule.exclusive ? value > rule.min : value >= rule.min);
}

/**
 * One option's value from its text, typed like `defaults[name]`: a list of numbers
 * (comma-separated), a number, or a string (the target must be one the lab knows).
 */
export function parseOption(defaults: object, name: string, text: string): unknown {
  const like = (defaults as Record<string, unknown>)[name];
  const rule = RULES[name];
  if (Array.isArray(like) || typeof like === "number") {
    const list = Array.isArray(like);
    const items = list ? text.split(",") : [text];
    if (!items.every((item) => fits(rule, item))) throw new OptionError(`wants ${describe(rule, list)}, not '${text}'`);
    return list ? items.map(Number) : Number(text);
  }
  if (name === "target" && !Object.hasOwn(TARGETS, text) && text !== "custom") throw new OptionError(`wants one of ${[...Object.keys(TARGETS), "custom"].join(", ")}, not '${text}'`);
  return text;
}
