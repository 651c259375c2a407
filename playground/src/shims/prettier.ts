/**
 * `prettier` in the browser: the compiler calls `prettier.format(text, { parser: "typescript" })`;
 * the standalone build needs its parser and printer plugins passed in.
 */
import type { Options } from "prettier";
import * as estree from "prettier/plugins/estree";
import * as typescript from "prettier/plugins/typescript";
import * as standalone from "prettier/standalone";

export function format(text: string, options: Options): Promise<string> {
  return standalone.format(text, { ...options, plugins: [typescript, estree] });
}
