/**
 * "Did you mean …?": the names closest to a mistyped one, by edit distance, and the message for
 * an unknown command-line option. Loads nothing, so that argument errors are reported at once.
 */

/** Levenshtein distance: insertions, deletions and substitutions, one each. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidates within a third of the word's length in edits (at least 1, at most 3), closest first. */
export function closest(word: string, candidates: Iterable<string>): string[] {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  return [...new Set(candidates)]
    .map((c) => ({ c, d: c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, c) }))
    .filter(({ d }) => d <= limit)
    .sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : 1))
    .map(({ c }) => c);
}

/** ` (did you mean `a` or `b`?)`, or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const near = closest(word, candidates).slice(0, 3);
  return near.length === 0 ? "" : ` (did you mean ${near.map((c) => `\`${c}\``).join(" or ")}?)`;
}

/** A `parseArgs` error in our words: `unknown option `--fnn` (did you mean `--fn`?)`. */
export function argumentError(error: unknown, options: readonly string[]): string {
  const message = (error as Error).message;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option \`${unknown[1]}\`${didYouMean(unknown[1]!, options.map((o) => `--${o}`))}`;
  return message;
}
