/** The IR as text, for TSAD_DEBUG_IR: the emitter's output with no temporaries folded. */
import { emitFunction, printNodes } from "../emit/emit.ts";
import type { Program } from "./ir.ts";

export function printProgram(program: Program): string {
  return printNodes([...program.functions.values()].map((fn) => emitFunction(fn, false)), "");
}
