/**
 * `tsad explain`: for one function, the sizes of its inputs and outputs, the operation counts
 * of the primal, one JVP, one VJP and the full Jacobian by each mode, the tape reverse mode
 * needs, and the mode to use — the lecture's cost model made concrete for the user's code.
 * For a chain of array-valued stages it adds the cost of multiplying the stages' Jacobians
 * forward, backward and in the cheapest order (the matrix-chain problem).
 */
import type { ActivityOracle } from "../analysis/activity.ts";
import type { Function, Program } from "../ir/ir.ts";
import { countFunction, type Counts, type UnknownLoop } from "./count.ts";
import { add, compare, constant, evaluate, format, isConstant, mul, symbols, type Poly } from "./poly.ts";
import { countNumbers, parameterShape, type Shape } from "./shapes.ts";
import { CHUNK } from "../higher/chunks.ts";

export interface Explanation {
  function: string;
  file: string;
  line: number;
  wrt: string[];
  /** Parameters left out of the default `wrt`: no derivative flows from them to the result. */
  inert: string[];
  /** The size symbols the counts are written in (what `--size` can give values to). */
  sizeNames: string[];
  /** Formatted polynomials in the size symbols (`x.length`, `n`). */
  inputs: string;
  outputs: string;
  operations: { primal: string; jvp: string; vjp: string; jacobianForward: string; jacobianReverse: string; jacobianVector: string };
  /** Values reverse mode pushes on its tapes. */
  tape: string;
  recommended: { mode: "forward" | "reverse" | "either"; reason: string };
  chain?: ChainCost;
  /** Loops whose trip count tsad cannot express in the sizes: they appear as symbols. */
  unknownLoops: UnknownLoop[];
  /** The same as a report for people. */
  text: string;
}

export interface ChainCost {
  /** The stages' variables, input first, and their sizes d₀…d_L. */
  stages: { name: string; size: string }[];
  forward: string;
  reverse: string;
  /** Only when every size is a number (from constants or `--size`). */
  cheapest?: { cost: number; bracketing: string };
}

export interface ExplainInput {
  program: Program;
  oracle: ActivityOracle;
  fn: Function;
  wrt: boolean[];
  /** The reverse-mode function tsad generates for `fn` (its tapes are counted) and the program it lives in. */
  reverse: { program: Program; fn: Function };
  sizes: ReadonlyMap<string, number>;
  /** Parameters left out of the default `wrt` (no derivative flows from them). */
  inert?: string[];
}

export function explainFunction({ program, oracle, fn, wrt, reverse, sizes, inert = [] }: ExplainInput): Explanation {
  const unknownLoops: UnknownLoop[] = [];
  const shapes = fn.params.map((p) => parameterShape(p.name, p.type));
  const primal = countFunction(program, oracle, fn, shapes, wrt, unknownLoops);
  const tape = countFunction(reverse.program, undefined, reverse.fn, reverse.fn.params.map((p, i) => shapes[i] ?? parameterShape(p.name, p.type)), [], []).counts.tape;
  const inputs = fn.params.reduce<Poly | undefined>((total, p, i) => {
    if (!wrt[i] || !total) return total;
    const part = countNumbers(shapes[i]!, p.type);
    return part && add(total, part);
  }, constant(0))!;
  const outputs = countNumbers(primal.result, fn.returnType) ?? sizeSymbol("outputs");
  const { counts } = primal;
  const jvp = add(counts.primal, counts.tangent);
  const vjp = add(counts.primal, counts.adjoint);
  const jacobianForward = mul(inputs, jvp);
  const jacobianReverse = mul(outputs, vjp);
  // Vector mode: the primal once per chunk of directions, the tangent part once per direction.
  // The number of chunks is one symbol, named after the inputs line (a polynomial's factors are
  // joined by `·`, so the inputs' own formula cannot be a factor's name).
  const inputCount = evaluate(inputs, sizes);
  const sweeps = inputCount !== undefined ? constant(Math.ceil(inputCount / CHUNK)) : isConstant(inputs) !== undefined ? constant(Math.ceil(isConstant(inputs)! / CHUNK)) : sizeSymbol(`⌈inputs/${CHUNK}⌉`);
  const jacobianVector = add(mul(sweeps, counts.primal), mul(inputs, counts.tangent));
  const recommended = recommend(inputs, outputs, jacobianForward, jacobianReverse, sizes);
  const chain = chainCost(fn, wrt, shapes, primal.shapes, sizes);
  const explanation: Omit<Explanation, "text"> = {
    function: fn.sourceName,
    file: fn.loc.file,
    line: fn.loc.line,
    wrt: fn.params.filter((_, i) => wrt[i]).map((p) => p.name),
    inert,
    sizeNames: [...new Set([inputs, outputs, counts.primal, jvp, vjp, jacobianForward, jacobianReverse, tape].flatMap(symbols))].sort(),
    inputs: format(inputs),
    outputs: format(outputs),
    operations: { primal: format(counts.primal), jvp: format(jvp), vjp: format(vjp), jacobianForward: format(jacobianForward), jacobianReverse: format(jacobianReverse), jacobianVector: format(jacobianVector) },
    tape: format(tape),
    recommended,
    chain,
    unknownLoops,
  };
  return { ...explanation, text: render(explanation, counts, { jvp, vjp, jacobianForward, jacobianReverse, jacobianVector, inputs, outputs, tape }, sizes) };
}

function sizeSymbol(name: string): Poly {
  return new Map([[name, 1]]);
}

/** The lecture's rule, on the counts: reverse for few outputs, forward for few inputs. */
function recommend(inputs: Poly, outputs: Poly, forward: Poly, reverse: Poly, sizes: ReadonlyMap<string, number>): Explanation["recommended"] {
  if (isConstant(outputs) === 1 && isConstant(inputs) !== 1) {
    return { mode: "reverse", reason: "one output: a single VJP (the gradient) gives every partial derivative" };
  }
  const order = compare(forward, reverse) ?? numericOrder(forward, reverse, sizes);
  if (order === undefined) {
    return { mode: "either", reason: `forward mode costs ${format(forward)} operations for the full Jacobian, reverse mode ${format(reverse)}: which is smaller depends on the sizes (give them with --size)` };
  }
  if (order === 0) return { mode: "either", reason: "both modes cost the same for the full Jacobian" };
  const numbers = (a: Poly, b: Poly) => {
    const [x, y] = [evaluate(a, sizes), evaluate(b, sizes)];
    return x !== undefined && y !== undefined ? ` (${x.toLocaleString("en-US")} against ${y.toLocaleString("en-US")} operations)` : "";
  };
  return order < 0
    ? { mode: "forward", reason: `the full Jacobian by forward mode (one JVP per input) costs fewer operations than by reverse mode${numbers(forward, reverse)}` }
    : { mode: "reverse", reason: `the full Jacobian by reverse mode (one VJP per output) costs fewer operations than by forward mode${numbers(reverse, forward)}` };
}

function numericOrder(a: Poly, b: Poly, sizes: ReadonlyMap<string, number>): -1 | 0 | 1 | undefined {
  const x = evaluate(a, sizes);
  const y = evaluate(b, sizes);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * `h₁ = g₁(x); h₂ = g₂(h₁); …`: top-level stages, each computed by a call from the previous
 * one, starting at a selected array parameter and ending at the returned value.
 */
function chainCost(fn: Function, wrt: boolean[], shapes: Shape[], finalShapes: ReadonlyMap<string, Shape>, sizes: ReadonlyMap<string, number>): ChainCost | undefined {
  const start = fn.params.findIndex((p, i) => wrt[i] && p.type.kind === "array");
  if (start < 0) return undefined;
  const stages: { name: string; size: Poly }[] = [];
  const first = fn.params[start]!;
  const firstSize = countNumbers(shapes[start]!, first.type);
  if (!firstSize) return undefined;
  stages.push({ name: first.name, size: firstSize });
  for (const s of fn.body) {
    if (s.kind !== "let" || s.type.kind !== "array" || !s.init) continue;
    const current = stages[stages.length - 1]!;
    // `const h = t` after `const t = g(…)`: the stage takes the user's name.
    if (s.init.kind === "operand" && s.init.value.kind === "var" && s.init.value.name === current.name && stages.length > 1) {
      current.name = s.name;
      continue;
    }
    if (s.init.kind !== "call" || !s.init.args.some((a) => a.kind === "var" && a.name === current.name)) continue;
    const size = countNumbers(finalShapes.get(s.name) ?? {}, s.type);
    if (!size) return undefined;
    stages.push({ name: s.name, size });
  }
  const last = [...fn.body].reverse().find((s) => s.kind === "return");
  if (stages.length < 3 || last?.kind !== "return" || last.value?.kind !== "var" || last.value.name !== stages[stages.length - 1]!.name) return undefined;
  const d = stages.map((s) => s.size);
  const L = d.length - 1;
  // Forward accumulates J₂·J₁ first; reverse Jₗ·Jₗ₋₁ first: the two one-sided bracketings.
  let forward: Poly = constant(0);
  for (let l = 2; l <= L; l++) forward = add(forward, mul(mul(d[l]!, d[l - 1]!), d[0]!));
  let reverse: Poly = constant(0);
  for (let l = 0; l <= L - 2; l++) reverse = add(reverse, mul(mul(d[L]!, d[l + 1]!), d[l]!));
  const numeric = d.map((p) => evaluate(p, sizes));
  return {
    stages: stages.map((s) => ({ name: s.name, size: format(s.size) })),
    forward: format(forward),
    reverse: format(reverse),
    cheapest: numeric.every((v) => v !== undefined) ? cheapestBracketing(numeric as number[]) : undefined,
  };
}

/** The matrix-chain order problem over J_L·…·J₁, where J_l is d_l × d_(l−1). */
export function cheapestBracketing(d: number[]): { cost: number; bracketing: string } {
  const L = d.length - 1;
  // cost[i][j]: cheapest product J_j·…·J_i (1 ≤ i ≤ j ≤ L).
  const cost: number[][] = Array.from({ length: L + 1 }, () => new Array<number>(L + 1).fill(0));
  const split: number[][] = Array.from({ length: L + 1 }, () => new Array<number>(L + 1).fill(0));
  for (let span = 1; span < L; span++) {
    for (let i = 1; i + span <= L; i++) {
      const j = i + span;
      cost[i]![j] = Infinity;
      for (let k = i; k < j; k++) {
        // (J_j…J_(k+1)) · (J_k…J_i): a d_j × d_k matrix times a d_k × d_(i−1) one.
        const c = cost[k + 1]![j]! + cost[i]![k]! + d[j]! * d[k]! * d[i - 1]!;
        if (c < cost[i]![j]!) {
          cost[i]![j] = c;
          split[i]![j] = k;
        }
      }
    }
  }
  const show = (i: number, j: number): string => (i === j ? `J${i}` : `(${show(split[i]![j]! + 1, j)}·${show(i, split[i]![j]!)})`);
  const bracketing = show(1, L);
  return { cost: cost[1]![L]!, bracketing: bracketing.startsWith("(") ? bracketing.slice(1, -1) : bracketing };
}

function render(e: Omit<Explanation, "text">, counts: Counts, polys: Record<string, Poly>, sizes: ReadonlyMap<string, number>): string {
  const at = (p: Poly) => {
    const value = evaluate(p, sizes);
    return value !== undefined && symbols(p).length > 0 ? `  (${value.toLocaleString("en-US")} at the given sizes)` : "";
  };
  const ratio = (p: Poly) => {
    const a = evaluate(p, sizes) ?? evaluate(p, new Map(symbols(p).map((s) => [s, 1000])));
    const b = evaluate(counts.primal, sizes) ?? evaluate(counts.primal, new Map(symbols(counts.primal).map((s) => [s, 1000])));
    return a !== undefined && b ? `  ≈ ${(a / b).toFixed(2)}× the primal` : "";
  };
  const lines = [
    `${e.function} (${e.file}:${e.line}), with respect to ${e.wrt.join(", ")}`,
    ...(e.inert.length > 0 ? [`  left out: ${e.inert.join(", ")} (no derivative can flow from ${e.inert.length === 1 ? "it" : "them"} to the result: used only as an index or in a test)`] : []),
    "",
    `  inputs        ${e.inputs} ${e.inputs === "1" ? "number" : "numbers"}${at(polys.inputs!)}`,
    `  outputs       ${e.outputs} ${e.outputs === "1" ? "number" : "numbers"}${at(polys.outputs!)}`,
    "",
    "  operations (arithmetic and Math calls; derivatives as tsad's rule table writes them)",
    `    primal              ${e.operations.primal}${at(counts.primal)}`,
    `    one JVP             ${e.operations.jvp}${at(polys.jvp!)}${ratio(polys.jvp!)}`,
    `    one VJP             ${e.operations.vjp}${at(polys.vjp!)}${ratio(polys.vjp!)}`,
    `    Jacobian, forward   ${e.operations.jacobianForward}${at(polys.jacobianForward!)}  (one JVP per input)`,
    `    Jacobian, reverse   ${e.operations.jacobianReverse}${at(polys.jacobianReverse!)}  (one VJP per output)`,
    `    Jacobian, vector    ${e.operations.jacobianVector}${at(polys.jacobianVector!)}  (fJvpN: the primal once per ${CHUNK} inputs, their tangents together)`,
    "",
    `  tape (reverse mode)   ${e.tape} values, 8 bytes each${at(polys.tape!)}`,
    "",
    `  recommended: ${e.recommended.mode === "either" ? "either mode" : `${e.recommended.mode} mode`}: ${e.recommended.reason}`,
  ];
  if (e.chain) {
    lines.push("", `  chain of ${e.chain.stages.length - 1} stages: ${e.chain.stages.map((s, l) => `d${l} = ${s.size} (${s.name})`).join(", ")}`);
    lines.push(`    multiplying the stages' Jacobians forward (J2·J1 first)   ${e.chain.forward}`);
    lines.push(`    multiplying them in reverse (JL·JL−1 first)               ${e.chain.reverse}`);
    lines.push(e.chain.cheapest ? `    cheapest bracketing ${e.chain.cheapest.bracketing}: ${e.chain.cheapest.cost.toLocaleString("en-US")} multiplications` : "    cheapest bracketing: give every size with --size to compute it");
  }
  if (e.unknownLoops.length > 0) {
    lines.push("", `  loops with a trip count tsad cannot express in the sizes: ${e.unknownLoops.map((u) => `${u.symbol} (line ${u.line})`).join(", ")}`);
  }
  return lines.join("\n") + "\n";
}
