/**
 * The choices of the command line and the configuration, in a module that loads nothing else:
 * `tsad --help` and argument checks must not wait for the compiler to load.
 */
export const EMIT_KINDS = ["grad", "jvp", "vjp", "hvp", "hessian", "jacobian", "auto"] as const;
export type EmitKind = (typeof EMIT_KINDS)[number];

export const OUTPUT_FORMATS = ["ts", "js", "both"] as const;
/** `ts`: `<name>.grad.ts`; `js`: `<name>.grad.js` and `<name>.grad.d.ts`; `both`: `.grad.ts` and `.grad.js`. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
