/**
 * Every diagnostic tsad can report, in one place: code, message and the hint that tells the user
 * what to do instead. Passes create diagnostics through these constructors only.
 */
import type { Diagnostic, Position } from "./diagnostic.ts";

function make(code: number, message: string, hint: string) {
  return (at?: Position): Diagnostic => ({ code, message, hint, at });
}

export const diagnostics = {
  // 1xxx: the file itself is not valid TypeScript.
  syntaxError: (message: string, at?: Position) =>
    make(1001, message, "fix the syntax error; tsad reads the same TypeScript that tsc accepts")(at),
  typeError: (message: string, at?: Position) =>
    make(1002, message, "fix the type error first: tsad needs the types tsc infers to know what is differentiable")(at),

  // 2xxx: valid TypeScript outside the language tsad differentiates.
  classOrThis: make(2001, "a class used this way cannot be differentiated", "tsad turns a class declared at the top level of a file into plain data and functions: create its instances with `new` and call their methods; the class itself as a value (`typeof C`, static calls), a class declared inside a function and `this` outside a method are not supported"),
  classFeature: (what: string, at?: Position) =>
    make(2001, `${what} cannot be differentiated`, "tsad turns a class into plain data and functions when it has no `extends`, `static` members, `#private` fields or setters; take those out, or write the computation as top-level functions")(at),
  asyncCode: make(2002, "async functions and `await` cannot be differentiated", "make the numeric part a plain synchronous function and differentiate that"),
  generator: make(2003, "generators and `yield` cannot be differentiated", "build an array in a loop instead of yielding values"),
  evalCode: make(2004, "`eval` and `new Function` cannot be differentiated", "write the code out as an ordinary function"),
  tryCatch: make(2005, "`try`/`catch`/`throw` cannot be differentiated", "validate inputs before calling the differentiated function, or return a sentinel value"),
  mutableModuleState: (name: string, at?: Position) =>
    make(2006, `the function uses mutable module-level state \`${name}\``, "pass the value as a parameter, or declare it `const` and never write to it")(at),
  moduleConstantWritten: (name: string, at?: Position) =>
    make(2006, `this writes into the module-level constant \`${name}\`, which makes it mutable module-level state`, "copy it inside the function (`[...x]`, `{ ...o }`) and write into the copy, or pass the value as a parameter")(at),
  moduleConstantNotLiteral: (name: string, at?: Position) =>
    make(2006, `the module-level constant \`${name}\` is not written as a literal, so tsad cannot tell that it never changes`, "write its value out as an array or object literal (numbers, strings, other constants, `Math`), or pass the value as a parameter")(at),
  moduleConstantEscapes: (name: string, at?: Position) =>
    make(2006, `the module-level constant \`${name}\` is stored where tsad cannot tell whether it is written to`, "read the values you need from it, copy it inside the function, or pass the value as a parameter")(at),
  unknownCallee: (name: string, at?: Position) =>
    make(2007, `\`${name}\` has no source tsad can read and no derivative rule`, "call a function defined in this file or in a relatively imported local file, or a `Math` function; for a function of numbers from a package, give tsad its derivative with a `@derivativeOf` rule (docs/language.md: \"Derivative rules\")")(at),
  anyType: (what: string, at?: Position) =>
    make(2008, `${what} has type \`any\``, "give it an explicit type: number, an array or typed array of numbers, a tuple or an object type")(at),
  unsupportedSyntax: (what: string, at?: Position) =>
    make(2009, `${what} is not supported`, "see docs/language.md for what tsad differentiates")(at),
  recursionWrites: (name: string, param: string, at?: Position) =>
    make(2010, `\`${name}\` is recursive and writes into its parameter \`${param}\`: reverse mode cannot differentiate such functions yet`, "copy the parameter inside the function and write into the copy, rewrite the recursion as a loop, or use forward mode (`--emit jvp`)")(at),
  recursiveType: (type: string, at?: Position) =>
    make(2011, `\`${type}\` contains itself (a recursive type): tsad differentiates values whose shape the types fix`, "keep the links as indices into arrays (a tree as `values: number[]` and `children: number[][]`)")(at),
  unsupportedType: (type: string, at?: Position) =>
    make(2011, `values of type \`${type}\` cannot be differentiated or passed through`, "use numbers, booleans, strings, arrays, typed arrays, tuples and object types (no unions, Map or Set)")(at),
  localRecursion: (name: string, at?: Position) =>
    make(2010, `the local function \`${name}\` calls itself; local functions are inlined where they are called, so they cannot recurse`, "move it to the top level: top-level functions may be recursive")(at),
  switchFallthrough: make(2012, "a `case` that runs on into the next one is not supported", "end each non-empty case with `break`, `return` or `continue`"),
  closure: make(2013, "a function defined inside another function is not supported", "move it to the top level and pass what it uses as parameters; arrows are fine as arguments of array methods and `Array.from`, and stored in a `const` that is only called"),
  unsupportedMethod: (name: string, at?: Position) =>
    make(2014, `the method \`${name}\` is not supported`, "use indexing and loops, or one of `.map`, `.reduce`, `.forEach`, `.filter`, `.some`, `.every`, `.find`, `.findIndex`, `.indexOf`, `.includes`, `.push`, `.slice`, `.concat`, `.at`, `.fill`, `.reverse`, `.sort`")(at),

  // 3xxx: what was asked for does not make sense for this function.
  noDifferentiableOutput: (name: string, at?: Position) =>
    make(3001, `\`${name}\` returns no differentiable value`, "differentiate a function that returns a number, an array of numbers, a tuple or an object with number fields")(at),
  noDifferentiableInput: (name: string, at?: Position) =>
    make(3002, `\`${name}\` has no differentiable parameter to differentiate with respect to`, "pass the values to differentiate as parameters of type number, number[], Float64Array or objects of those")(at),
  scalarModeOnVector: (name: string, mode: string, at?: Position) =>
    make(3003, `\`--emit ${mode}\` needs a function returning \`number\`, but \`${name}\` returns a vector`, "use `--emit jvp,vjp` or `--emit jacobian` for vector-valued functions")(at),
  notDifferentiableParam: (param: string, fn: string, at?: Position) =>
    make(3004, `parameter \`${param}\` of \`${fn}\` has no differentiable type`, "differentiate with respect to parameters of type number, number arrays, typed arrays, tuples or objects with number fields")(at),

  // 4xxx: how the build is set up (JSDoc tags, the config file, derivative rules).
  badTagOption: (word: string, at?: Position) =>
    make(4001, `\`${word}\` is not an option of @differentiate`, "write `@differentiate`, optionally followed by `wrt=a,b` and `emit=grad,hvp`")(at),
  tagWrtNotAParameter: (name: string, fn: string, params: string[], at?: Position) =>
    make(4002, `\`${name}\` in \`wrt=\` is not a parameter of \`${fn}\``, `name parameters of \`${fn}\`: ${params.join(", ") || "it has none"}`)(at),
  unknownEmitKind: (kind: string, kinds: readonly string[], at?: Position) =>
    make(4003, `\`${kind}\` is not something tsad can emit`, `choose from ${kinds.join(", ")}`)(at),
  repeatedTag: (tag: string, fn: string, at?: Position) =>
    make(4004, `\`${fn}\` has more than one @${tag} tag`, "keep one tag and list every option in it")(at),
  badConfig: (message: string, hint: string, at?: Position) => make(4010, message, hint)(at),
  ruleTargetNotFound: (name: string, at?: Position) =>
    make(4020, `@derivativeOf names \`${name}\`, but no function of that name is visible here`, "name a function declared or imported in this file")(at),
  ruleSignature: (message: string, at?: Position) =>
    make(4021, message, "a derivative rule takes the same number parameters as the function and returns its derivative (one parameter) or a tuple of its partial derivatives, one per parameter")(at),
  ruleTargetNotExported: (name: string, at?: Position) =>
    make(4022, `\`${name}\` has a derivative rule but is not exported, so the generated module cannot call it`, `export \`${name}\` from its module`)(at),
  ruleRepeated: (name: string, at?: Position) =>
    make(4023, `\`${name}\` has more than one derivative rule`, "keep one @derivativeOf function per differentiated function")(at),
  badCheckpointTag: (text: string, at?: Position) =>
    make(4030, `\`@checkpoint ${text}\` is not a checkpoint request`, "write `@checkpoint` alone, or followed by the most snapshots to keep, a whole number: `@checkpoint 40`")(at),

  // 5xxx: the sample inputs `tsad verify` is given.
  exampleNotData: (what: string, at?: Position) =>
    make(5001, `${what} in an @example tag is not a literal value`, "write the arguments as literals: numbers, strings, booleans, arrays, objects, `new Float64Array([...])`; or put computed examples in a `.examples.ts` module")(at),
  exampleArity: (fn: string, given: number, expected: number, at?: Position) =>
    make(5002, `an example of \`${fn}\` gives ${given} argument${given === 1 ? "" : "s"}, but it takes ${expected}`, "give one value per parameter, in order")(at),
  examplesExport: (name: string, at?: Position) =>
    make(5003, `the export \`${name}\` of the examples module is neither a list of argument lists nor a function returning one argument list`, "export `const f = [[arg1, arg2], ...]` or `function f(random: () => number) { return [arg1, arg2]; }`, named like the function it is for")(at),
};
