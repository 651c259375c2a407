/** Operations on derivative expressions (rules.ts builds them, builder.ts materializes them). */
import type { Operand } from "../ir/ir.ts";
import type { D } from "./rules.ts";

const sameOperand = (a: Operand, b: Operand) => a.kind === "var" && b.kind === "var" && a.name === b.name;

export function mentions(d: D, operand: Operand): boolean {
  switch (d.kind) {
    case "operand":
      return sameOperand(d.value, operand);
    case "neg":
      return mentions(d.arg, operand);
    case "binary":
      return mentions(d.left, operand) || mentions(d.right, operand);
    case "math":
    case "call":
      return d.args.some((a) => mentions(a, operand));
    case "select":
      return mentions(d.cond, operand) || mentions(d.whenTrue, operand) || mentions(d.whenFalse, operand);
  }
}

export function substitute(d: D, from: Operand, to: Operand): D {
  switch (d.kind) {
    case "operand":
      return sameOperand(d.value, from) ? { kind: "operand", value: to } : d;
    case "neg":
      return { kind: "neg", arg: substitute(d.arg, from, to) };
    case "binary":
      return { ...d, left: substitute(d.left, from, to), right: substitute(d.right, from, to) };
    case "math":
    case "call":
      return { ...d, args: d.args.map((a) => substitute(a, from, to)) };
    case "select":
      return { kind: "select", cond: substitute(d.cond, from, to), whenTrue: substitute(d.whenTrue, from, to), whenFalse: substitute(d.whenFalse, from, to) };
  }
}
