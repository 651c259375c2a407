/**
 * Nested derivatives: each derivative function a differentiated function calls (src/nested/
 * recognize.ts) is generated here as IR, by the same forward and reverse passes as any other,
 * and added to the program as an ordinary function. The outer differentiation then meets a call
 * of a function with a body and differentiates through it: forward over reverse, reverse over
 * forward, and so on, to any depth. Each level has its own variables (the inner tangent `dy` is
 * a plain value to the outer level, which gives it its own tangent `ddy`), so a perturbation of
 * one level is never mistaken for another's.
 */
import { ActivityOracle } from "../analysis/activity.ts";
import { differentiateForward } from "../forward/forward.ts";
import type { Function, Program } from "../ir/ir.ts";
import { differentiateReverse } from "../reverse/reverse.ts";
import { removeDeadCode } from "../simplify/dead-code.ts";
import { simplifyIdentities } from "../simplify/identities.ts";
import type { NestedRequest } from "./recognize.ts";
import { tapesAsArrays } from "./tapes.ts";

export interface NestedPasses {
  /** The program reverse mode works on (jumps as flags, one declaration per name). */
  structured: (program: Program) => Program;
  /** `fHvp` over the gradient `gradName` already in `program`: the wrapper and the forward-mode functions it calls. */
  hvp: (program: Program, fn: Function, wrt: boolean[], gradName: string, hvpName: string) => Function[];
}

/**
 * The program with every requested derivative function added. Requests are met innermost first
 * (a function lowered later is called by one lowered earlier), so what a derivative calls exists
 * before the derivative is made.
 */
export function addNestedDerivatives(program: Program, requests: readonly NestedRequest[], passes: NestedPasses): Program {
  let functions = new Map(program.functions);
  for (const request of [...requests].reverse()) {
    const current: Program = { functions };
    const fn = functions.get(request.sourceName)!;
    const wrt = fn.params.map((p) => request.wrt.includes(p.name));
    const made: Function[] = [];
    switch (request.kind) {
      case "jvp":
        made.push(...differentiateForward(current, new ActivityOracle(current), [{ fn: fn.name, wrt, exportName: request.name }]).functions);
        break;
      case "grad":
      case "vjp": {
        const structured = passes.structured(current);
        made.push(...differentiateReverse(structured, new ActivityOracle(structured), [{ fn: fn.name, wrt, exportName: request.name, kind: request.kind }], { wholePullbacks: true }).functions);
        break;
      }
      case "hvp": {
        const structured = passes.structured(current);
        const gradName = `${request.name}Grad`;
        const grad = differentiateReverse(structured, new ActivityOracle(structured), [{ fn: fn.name, wrt, exportName: gradName, kind: "grad" }], { wholePullbacks: true }).functions;
        const withGrad: Program = { functions: new Map([...structured.functions, ...grad.map((g) => [g.name, g] as const)]) };
        made.push(...grad, ...passes.hvp(withGrad, fn, wrt, gradName, request.name));
        break;
      }
    }
    functions = new Map([...functions, ...made.map((g) => [g.name, { ...tapesAsArrays(withoutDeadCode(g)), exported: false }] as const)]);
  }
  return { functions };
}

function withoutDeadCode(fn: Function): Function {
  return removeDeadCode(simplifyIdentities(fn));
}
