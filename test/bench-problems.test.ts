/**
 * The benchmark problems' derivative modules (bench/problems/*.grad.ts): they are what tsad
 * generates now (regenerated in memory, compared byte for byte), their values equal the primal's,
 * their gradients match central finite differences on small seeded inputs, and each JVP equals
 * the gradient's inner product with its direction.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { benchTargets, generateTarget } from "../bench/generate.ts";
import { gmmInputs, kmeansInputs, lstmInputs, seededRandom, uniformMatrix, uniformVector } from "../bench/problems/inputs.ts";
import { gmmObjective } from "../bench/problems/gmm.ts";
import { gmmObjectiveGrad, gmmObjectiveJvp } from "../bench/problems/gmm.grad.ts";
import { lstmObjective } from "../bench/problems/lstm.ts";
import { lstmObjectiveGrad, lstmObjectiveJvp } from "../bench/problems/lstm.grad.ts";
import { lse } from "../bench/problems/lse.ts";
import { lseGrad, lseJvp } from "../bench/problems/lse.grad.ts";
import { llsq } from "../bench/problems/llsq.ts";
import { llsqGrad, llsqJvp } from "../bench/problems/llsq.grad.ts";
import { ode, odeLast } from "../bench/problems/ode.ts";
import { odeLastGrad, odeLastJvp } from "../bench/problems/ode.grad.ts";
import { odeLastFrom } from "../bench/problems/ode-from-state.ts";
import { odeLastFromGrad, odeLastFromJvp } from "../bench/problems/ode-from-state.grad.ts";
import { rosenbrock } from "../bench/problems/rosenbrock.ts";
import { rosenbrockGrad, rosenbrockJvp } from "../bench/problems/rosenbrock.grad.ts";
import { logisticLoss } from "../bench/problems/logistic.ts";
import { logisticLossGrad } from "../bench/problems/logistic.grad.ts";
import { kmeansCost } from "../bench/problems/kmeans.ts";
import { kmeansCostGrad } from "../bench/problems/kmeans.grad.ts";

type Nested = number | Nested[];

function flatten(value: Nested): number[] {
  return typeof value === "number" ? [value] : value.flatMap(flatten);
}

/** A deep copy of `value` with its leaf number `index` (depth first) moved by `delta`. */
function nudged(value: Nested, index: number, delta: number): Nested {
  let position = 0;
  const walk = (v: Nested): Nested => {
    if (typeof v !== "number") return v.map(walk);
    return position++ === index ? v + delta : v;
  };
  return walk(value);
}

/** A value shaped like `value` with seeded entries in [−1, 1). */
function directionLike(value: Nested, random: () => number): Nested {
  return typeof value === "number" ? 2 * random() - 1 : value.map((v) => directionLike(v, random));
}

interface Case {
  name: string;
  args: Nested[];
  /** The indices of the arguments the gradient is taken with respect to, and their names. */
  wrt: [number, string][];
  primal: (...args: never[]) => number;
  grad: (...args: never[]) => { value: number; grad: Record<string, Nested> };
  jvp?: (...args: never[]) => { value: number; tangent: number };
}

const gmm = gmmInputs(3, 4, 7, 11);
const lstm = lstmInputs(2, 5, 4, 12);
const kmeans = kmeansInputs(3, 12, 2, 23);
const cases: Case[] = [
  {
    name: "gmm (d=3, K=4, n=7)",
    args: [gmm.alpha, gmm.mu, gmm.q, gmm.l, gmm.x, gmm.gamma, gmm.m],
    wrt: [[0, "alpha"], [1, "mu"], [2, "q"], [3, "l"]],
    primal: gmmObjective as Case["primal"],
    grad: gmmObjectiveGrad as Case["grad"],
    jvp: gmmObjectiveJvp as Case["jvp"],
  },
  {
    name: "gmm with a Wishart prior of m=2, gamma=1.5 (d=2, K=3, n=5)",
    args: (() => {
      const g = gmmInputs(2, 3, 5, 13);
      return [g.alpha, g.mu, g.q, g.l, g.x, 1.5, 2];
    })(),
    wrt: [[0, "alpha"], [1, "mu"], [2, "q"], [3, "l"]],
    primal: gmmObjective as Case["primal"],
    grad: gmmObjectiveGrad as Case["grad"],
    jvp: gmmObjectiveJvp as Case["jvp"],
  },
  {
    name: "lstm (l=2, c=5, b=4)",
    args: [lstm.main_params, lstm.extra_params, lstm.state, lstm.sequence],
    wrt: [[0, "mainParams"], [1, "extraParams"]],
    primal: lstmObjective as Case["primal"],
    grad: lstmObjectiveGrad as Case["grad"],
    jvp: lstmObjectiveJvp as Case["jvp"],
  },
  { name: "lse (n=9)", args: [uniformVector(9, -3, 3, 14)], wrt: [[0, "x"]], primal: lse as Case["primal"], grad: lseGrad as Case["grad"], jvp: lseJvp as Case["jvp"] },
  { name: "llsq (n=16, m=5)", args: [uniformVector(5, 0, 1, 15), 16], wrt: [[0, "x"]], primal: llsq as Case["primal"], grad: llsqGrad as Case["grad"], jvp: llsqJvp as Case["jvp"] },
  { name: "ode (n=5, s=7)", args: [uniformVector(5, 0, 1, 16), 7], wrt: [[0, "x"]], primal: odeLast as Case["primal"], grad: odeLastGrad as Case["grad"], jvp: odeLastJvp as Case["jvp"] },
  {
    name: "ode from a state (n=4, s=6)",
    args: [uniformVector(4, -1, 1, 17), uniformVector(4, 0, 1, 18), 6],
    wrt: [[0, "y0"], [1, "x"]],
    primal: odeLastFrom as Case["primal"],
    grad: odeLastFromGrad as Case["grad"],
    jvp: odeLastFromJvp as Case["jvp"],
  },
  { name: "rosenbrock (n=8)", args: [uniformVector(8, -1.5, 1.5, 19)], wrt: [[0, "x"]], primal: rosenbrock as Case["primal"], grad: rosenbrockGrad as Case["grad"], jvp: rosenbrockJvp as Case["jvp"] },
  {
    name: "logistic (N=6, d=3)",
    args: [uniformVector(3, -1, 1, 20), 0.3, uniformMatrix(6, 3, -2, 2, 21), [0, 1, 1, 0, 1, 0]],
    wrt: [[0, "w"], [1, "b"]],
    primal: logisticLoss as Case["primal"],
    grad: logisticLossGrad as Case["grad"],
  },
  {
    name: "kmeans (k=3, n=12, d=2)",
    args: [kmeans.points, kmeans.centroids],
    wrt: [[1, "centroids"]],
    primal: kmeansCost as Case["primal"],
    grad: kmeansCostGrad as Case["grad"],
  },
];

describe("benchmark problems", () => {
  it.each(benchTargets.map((t) => [t.file, t] as const))("bench/problems/%s: the committed .grad.ts is what tsad generates now", async (_file, target) => {
    const generated = await generateTarget(target);
    expect(generated.text).toBe(readFileSync(generated.path, "utf8"));
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s: value equals the primal, gradient matches central differences", (_name, c) => {
    const { value, grad } = c.grad(...(c.args as never[]));
    expect(value).toBe(c.primal(...(c.args as never[])));
    for (const [index, name] of c.wrt) {
      const analytic = flatten(grad[name]!);
      const count = flatten(c.args[index]!).length;
      expect(analytic).toHaveLength(count);
      for (let k = 0; k < count; k++) {
        const h = 1e-5;
        const at = (delta: number) => c.primal(...(c.args.map((a, i) => (i === index ? nudged(a, k, delta) : a)) as never[]));
        const numeric = (at(h) - at(-h)) / (2 * h);
        expect(Math.abs(analytic[k]! - numeric), `${name}[${k}]: ${analytic[k]} vs ${numeric}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(numeric)));
      }
    }
  });

  it.each(cases.filter((c) => c.jvp).map((c) => [c.name, c] as const))("%s: the JVP is the gradient's inner product with the direction", (_name, c) => {
    const random = seededRandom(99);
    const tangent = Object.fromEntries(c.wrt.map(([index, name]) => [name, directionLike(c.args[index]!, random)]));
    const { value, tangent: directional } = c.jvp!(...([...c.args, tangent] as never[]));
    const { grad } = c.grad(...(c.args as never[]));
    const expected = c.wrt.reduce((sum, [, name]) => {
      const g = flatten(grad[name]!);
      const v = flatten(tangent[name]!);
      return sum + g.reduce((s, gi, i) => s + gi * v[i]!, 0);
    }, 0);
    expect(value).toBe(c.primal(...(c.args as never[])));
    expect(Math.abs(directional - expected)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(expected)));
  });

  it("ode returns the whole solution, whose last element is odeLast", () => {
    const x = uniformVector(6, 0, 1, 22);
    const y = ode(x, 5);
    expect(y).toHaveLength(6);
    expect(y[5]).toBe(odeLast(x, 5));
    // y_0' = x_0 from y_0(0) = 0 integrates exactly to 2·x_0 at t = 2.
    expect(y[0]).toBeCloseTo(2 * x[0]!, 12);
  });
});

describe("the GMM prior's logGamma", () => {
  it("matches closed forms: Γ(n) = (n−1)!, Γ(½) = √π, Γ(n + ½) = (2n)!·√π / (4ⁿ·n!)", async () => {
    const { logGamma } = await import("../bench/problems/gmm.ts");
    const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
    for (let n = 1; n <= 20; n++) expect(logGamma(n)).toBeCloseTo(Math.log(factorial(n - 1)), 11);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    for (let n = 1; n <= 10; n++) expect(logGamma(n + 0.5)).toBeCloseTo(Math.log((factorial(2 * n) * Math.sqrt(Math.PI)) / (4 ** n * factorial(n))), 11);
  });
});
