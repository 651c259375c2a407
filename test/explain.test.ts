/**
 * `tsad explain` on functions whose costs are counted by hand. The conventions: an operation is
 * an arithmetic operator or a Math call (a loop's `i++` included); a JVP adds, per active
 * operation, each partial's own operations plus one multiplication unless the partial is ±1,
 * and the additions between terms; a VJP adds the same partials and multiplications and one
 * accumulation per active operand.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../cli.ts";
import { cheapestBracketing } from "../src/explain/explain.ts";
import { explain } from "../src/pipeline.ts";

const FILE = join(import.meta.dirname, "explain", "functions.ts");

async function explanation(fn: string, sizes: Record<string, number> = {}, wrt?: string[]) {
  const result = await explain({ files: [FILE], fn: [fn], wrt, sizes: new Map(Object.entries(sizes)) });
  expect(result.diagnostics).toEqual([]);
  return result.explanations[0]!;
}

describe("tsad explain", () => {
  it("takes the parameters a @differentiate tag names, as compiling does", async () => {
    const text = "/** @differentiate wrt=q */\nexport function energy(p: number[], q: number[]): number {\n  return p[0] * p[0] - q[0] * q[1];\n}\n";
    const result = await explain({ files: [{ path: join(import.meta.dirname, "tagged.ts"), text }] });
    expect(result.diagnostics).toEqual([]);
    expect(result.explanations[0]!.wrt).toEqual(["q"]);
    expect(result.explanations[0]!.inputs).toBe("q.length");
  });

  it("writes the vector Jacobian's sweep count as one factor when the sizes are not given", async () => {
    // dot: the primal (3·x.length) once per sweep of 16 directions, the tangent part (4·x.length)
    // once per direction, x.length + y.length of them.
    const e = await explanation("dot");
    expect(e.operations.jacobianVector).toBe("3·x.length·⌈inputs/16⌉ + 4·x.length² + 4·x.length·y.length");
  });

  it("counts a dot product: 3 operations per entry, 7 with a tangent, 9 with an adjoint, no tape", async () => {
    // Per i: x[i]*y[i], s + t, i + 1. Tangent: y·dx + x·dy (2 multiplications, 1 addition) and
    // ds + dt (1 addition). Adjoint: x̄ += y·t̄, ȳ += x·t̄ (2 + 2), s̄ and t̄ from s + t (2).
    const e = await explanation("dot");
    expect(e.inputs).toBe("x.length + y.length");
    expect(e.outputs).toBe("1");
    expect(e.operations).toMatchObject({ primal: "3·x.length", jvp: "7·x.length", vjp: "9·x.length", jacobianReverse: "9·x.length" });
    expect(e.tape).toBe("0");
    expect(e.recommended.mode).toBe("reverse");
  });

  it("counts the tape of a recurrence: one saved value per step", async () => {
    // y = sin(y) n times: sin and i + 1; the tangent cos(y)·dy (2); the adjoint cos(y)·ȳ and its accumulation (3).
    const e = await explanation("iterate", {}, ["x"]);
    expect(e.operations).toMatchObject({ primal: "2·n", jvp: "4·n", vjp: "5·n" });
    expect(e.tape).toBe("n");
  });

  it("weighs forward against reverse for a map, at the sizes given", async () => {
    // Per element: a*v, + 1, the counter: 3. Tangent v·da + a·dv (3); adjoint 4 for a*v, 1 for + 1.
    const e = await explanation("scaleShift", { "x.length": 10 });
    expect(e.inputs).toBe("x.length + 1");
    expect(e.outputs).toBe("x.length");
    expect(e.operations).toMatchObject({ primal: "3·x.length", jvp: "6·x.length", vjp: "8·x.length", jacobianForward: "6·x.length² + 6·x.length", jacobianReverse: "8·x.length²" });
    // (n + 1)·6n against n·8n: reverse below n = 3, forward above; at n = 10, 660 against 800.
    expect(e.recommended.mode).toBe("forward");
    expect(e.recommended.reason).toContain("660 against 800");
    expect((await explanation("scaleShift", { "x.length": 2 })).recommended.mode).toBe("reverse");
    expect((await explanation("scaleShift", { "x.length": 4 })).recommended.mode).toBe("forward");
    expect((await explanation("scaleShift")).recommended.mode).toBe("either");
  });

  it("counts a triangular loop exactly: n(n + 1)/2 outputs", async () => {
    const e = await explanation("pairs");
    expect(e.outputs).toBe("0.5·x.length² + 0.5·x.length");
    expect(e.unknownLoops).toEqual([]);
  });

  it("prices a chain of layers forward, in reverse and in the cheapest order", async () => {
    const sizes = { "x.length": 8, "W1.length": 64, "W2.length": 64, "W3.length": 4 };
    const e = await explanation("net", sizes, ["x"]);
    expect(e.chain?.stages.map((s) => s.name)).toEqual(["x", "h1", "h2", "h3"]);
    expect(e.chain?.stages.map((s) => s.size)).toEqual(["x.length", "W1.length", "W2.length", "W3.length"]);
    // d = 8, 64, 64, 4: forward d2·d1·d0 + d3·d2·d0 = 32768 + 2048; reverse d3·d2·d1 + d3·d1·d0 = 16384 + 2048.
    expect(e.chain?.forward).toBe("W1.length·W2.length·x.length + W2.length·W3.length·x.length");
    expect(e.chain?.reverse).toBe("W1.length·W2.length·W3.length + W1.length·W3.length·x.length");
    expect(e.chain?.cheapest).toEqual({ cost: 18432, bracketing: "(J3·J2)·J1" });
    expect(e.text).toContain("cheapest bracketing (J3·J2)·J1: 18,432 multiplications");
  });

  it("solves the matrix-chain order problem (the textbook instance: 15125 multiplications)", () => {
    // A1…A6 of sizes 30×35, 35×15, 15×5, 5×10, 10×20, 20×25, as J6…J1 (J_l is d_l × d_(l−1)).
    const { cost, bracketing } = cheapestBracketing([25, 20, 10, 5, 15, 35, 30]);
    expect(cost).toBe(15125);
    expect(bracketing).toBe("(J6·(J5·J4))·((J3·J2)·J1)");
  });

  it("runs from the command line, as text and as JSON", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
    expect(await main(["explain", FILE, "--fn", "dot"], io)).toBe(0);
    expect(out.join("")).toMatch(/one VJP\s+9·x\.length/);
    out.length = 0;
    expect(await main(["explain", FILE, "--fn", "scaleShift", "--size", "x.length=10", "--json"], io)).toBe(0);
    expect(JSON.parse(out.join(""))[0].recommended.mode).toBe("forward");
    expect(await main(["explain", FILE, "--size", "x.length=lots"], io)).toBe(2);
    expect(err.join("")).toContain("--size expects name=value");
    expect(await main(["explain", FILE, "--fn", "nope"], io)).toBe(2);
  });
});
