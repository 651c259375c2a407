/**
 * The lab's experiment code (lab/), against independent references: brute-force counts, closed
 * forms, finite differences and a dense eigensolver. Every derivative the lab uses comes from
 * lab/models/mlp.grad.ts, which tsad generates; test/lab-models.test.ts checks it is current.
 */
import { describe, expect, it } from "vitest";
import { hessianSpectrum, hessianTimes, denseHessian, sharpness } from "../lab/curvature.ts";
import { ExpressionError, parseExpression } from "../lab/expression.ts";
import { largestEigenvalue, powerIteration, symmetricEigenvalues } from "../lab/linalg.ts";
import { loss, predict, predictions } from "../lab/models/mlp.ts";
import { flatten, initNetwork, parameterCount, sawtoothNetwork, unflatten, widthForBudget, type Layer } from "../lab/network.ts";
import { relativeChange, tangentKernel } from "../lab/ntk.ts";
import { activationPattern, linearRegions } from "../lab/regions.ts";
import { sawtooth } from "../lab/targets.ts";
import { grid, gradientDescent, meanSquaredError, noisySamples } from "../lab/train.ts";
import { lossGrad } from "../lab/models/mlp.grad.ts";

/** Regions on [lo, hi] counted by sampling: 1 + the changes of activation pattern between neighbouring midpoints of n cells. */
function bruteForceRegions(layers: Layer[], lo: number, hi: number, n: number): number {
  let changes = 0;
  let previous = activationPattern(layers, lo + (0.5 * (hi - lo)) / n);
  for (let i = 1; i < n; i++) {
    const pattern = activationPattern(layers, lo + ((i + 0.5) * (hi - lo)) / n);
    if (pattern !== previous) changes++;
    previous = pattern;
  }
  return changes + 1;
}

describe("linear regions", () => {
  it.each([
    [1, 12, 1],
    [2, 6, 2],
    [3, 5, 3],
    [4, 3, 4],
  ])("depth %i, width %i (seed %i): the exact count equals a brute-force count on a grid of 2^17 cells", (depth, width, seed) => {
    const layers = initNetwork({ depth, width }, { seed });
    const exact = linearRegions(layers, -1, 1);
    expect(exact.count).toBeGreaterThan(2);
    expect(exact.count).toBe(bruteForceRegions(layers, -1, 1, 2 ** 17));
    // Each breakpoint separates two different patterns, and some unit's pre-activation is zero there.
    for (const x of exact.breakpoints) {
      expect(activationPattern(layers, x - 1e-7)).not.toBe(activationPattern(layers, x + 1e-7));
    }
    expect(exact.breakpoints).toEqual([...exact.breakpoints].sort((a, b) => a - b));
  });

  it("on a wider interval too, where a random network has its kinks outside [−1, 1]", () => {
    const layers = initNetwork({ depth: 2, width: 8 }, { seed: 9 });
    expect(linearRegions(layers, -4, 3).count).toBe(bruteForceRegions(layers, -4, 3, 2 ** 18));
  });

  /*
   * The sawtooth network, f_0 = x and f_l = T(f_(l−1)) with T(f) = 2·relu(f) + 2·relu(−f) − 2 = 2|f| − 2,
   * has L hidden layers; layer l holds the units relu(f_(l−1)) and relu(−f_(l−1)). Its regions on
   * [−1, 1] are separated by the points where some f_l, l = 0 … L−1, changes sign.
   *  - f_0 = x changes sign once, at 0.
   *  - f_1 = 2|x| − 2 is ≤ 0 on [−1, 1] and zero only at the ends ±1: no change of sign inside.
   *  - f_2 = T(f_1) = 2 − 4|x|: on each half of [−1, 1], f_1 sweeps [−2, 0] monotonically and
   *    T maps [−2, 0] onto [−2, 2] monotonically; so f_2 has 2 monotone pieces, each sweeping all of [−2, 2].
   *  - T maps one monotone sweep of [−2, 2] to two (|f| folds it at 0), so for l ≥ 2 f_l has 2^(l−1)
   *    monotone pieces, each sweeping [−2, 2]: each crosses 0 once, strictly inside: 2^(l−1) sign changes.
   *  - These sets are disjoint: where f_m = 0, f_(m+1) = −2 and f_l = 2 for every l ≥ m + 2.
   * Breakpoints: 1 + 0 + Σ_(l=2)^(L−1) 2^(l−1) = 2^(L−1) − 1 for L ≥ 2, and 1 for L = 1. So the
   * network has 2 regions for L = 1 and 2^(L−1) for L ≥ 2 on [−1, 1] (on [−2, 2], where f_0 too sweeps
   * all of [−2, 2], it would have 2^L).
   */
  it.each([1, 2, 3, 4, 5, 8, 12])("the sawtooth network of depth %i has 2 regions for depth 1 and 2^(depth−1) after", (depth) => {
    const layers = sawtoothNetwork(depth);
    for (const x of [-1, -0.7, -0.3, 0, 0.2, 0.55, 0.9, 1]) {
      let f = x;
      for (let l = 1; l <= depth; l++) f = 2 * Math.max(0, f) + 2 * Math.max(0, -f) - 2;
      expect(predict(layers, x)).toBeCloseTo(f, 9);
    }
    const expected = depth === 1 ? 2 : 2 ** (depth - 1);
    const { count, breakpoints } = linearRegions(layers, -1, 1);
    expect(count).toBe(expected);
    // The breakpoints are the zeros of f_0 … f_(L−1): 0, ±1/2, ±1/4, ±3/4, …: dyadic rationals k / 2^(L−1).
    for (const x of breakpoints) expect(x * 2 ** (depth - 1)).toBeCloseTo(Math.round(x * 2 ** (depth - 1)), 6);
    // Midpoints of 2^14 cells, (2i + 1)/2^14 − 1, never fall on a breakpoint k/2^(L−1).
    if (depth <= 8) expect(count).toBe(bruteForceRegions(layers, -1, 1, 2 ** 14));
  });

  it("the sawtooth target is the network's function scaled to [−1, 1]", () => {
    const layers = sawtoothNetwork(3);
    for (const x of [-0.9, -0.1, 0.33, 0.8]) expect(sawtooth(x, 3)).toBeCloseTo(predict(layers, x) / 2, 12);
  });
});

describe("networks", () => {
  it("count, flatten and unflatten parameters in the order of tsad's dense Hessian", () => {
    const layers = initNetwork({ depth: 2, width: 3 }, { seed: 4 });
    const flat = flatten(layers);
    expect(flat).toHaveLength(parameterCount({ depth: 2, width: 3 }));
    expect(flat).toHaveLength(3 + 3 + 9 + 3 + 3 + 1);
    expect(flat.slice(0, 4)).toEqual([layers[0]!.W[0]![0], layers[0]!.W[1]![0], layers[0]!.W[2]![0], layers[0]!.b[0]]);
    expect(unflatten(flat, layers)).toEqual(layers);
    expect(parameterCount({ depth: 3, width: widthForBudget(3, 300) })).toBeGreaterThan(250);
  });

  it("the same seed gives the same network, another seed another", () => {
    expect(initNetwork({ depth: 2, width: 4 }, { seed: 3 })).toEqual(initNetwork({ depth: 2, width: 4 }, { seed: 3 }));
    expect(flatten(initNetwork({ depth: 2, width: 4 }, { seed: 3 }))).not.toEqual(flatten(initNetwork({ depth: 2, width: 4 }, { seed: 4 })));
  });
});

describe("gradient descent", () => {
  it("the generated gradient matches central differences of the loss", () => {
    const layers = initNetwork({ depth: 2, width: 4 }, { seed: 5 });
    const data = noisySamples(Math.sin, { n: 10, noise: 0.1, seed: 6 });
    const grad = flatten(lossGrad(layers, data.xs, data.ys).grad.layers);
    const theta = flatten(layers);
    const h = 1e-6;
    theta.forEach((_, k) => {
      const at = (delta: number) => loss(unflatten(theta.map((v, i) => (i === k ? v + delta : v)), layers), data.xs, data.ys);
      expect(grad[k]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 6);
    });
  });

  it("lowers the training loss, step by step at a small rate, and by far over a run", () => {
    const layers = initNetwork({ depth: 2, width: 16 }, { seed: 1 });
    const data = grid((x) => Math.sin(Math.PI * x), 32);
    const before = meanSquaredError(layers, data);
    const losses = gradientDescent(layers, data, { steps: 400, rate: 0.05 });
    const rises = losses.filter((v, i) => i > 0 && v > losses[i - 1]! * (1 + 1e-12));
    expect(rises).toEqual([]);
    expect(losses[0]).toBeCloseTo(before, 12);
    expect(meanSquaredError(layers, data)).toBeLessThan(0.5 * before);
  });

  it("minibatches: one epoch of batches of 4 visits every sample once", () => {
    const layers = initNetwork({ depth: 1, width: 4 }, { seed: 1 });
    const data = grid((x) => x * x, 12);
    const seen: number[] = [];
    gradientDescent(layers, data, { steps: 3, rate: 0, batchSize: 4, onStep: (_, batchLoss) => void seen.push(batchLoss) });
    // With rate 0 the network is fixed: the mean of three batch losses over a partition is the full loss.
    expect((seen[0]! + seen[1]! + seen[2]!) / 3).toBeCloseTo(meanSquaredError(layers, data), 12);
  });
});

describe("curvature", () => {
  const layers = initNetwork({ depth: 2, width: 4 }, { seed: 2 });
  const data = grid((x) => Math.abs(x), 16);

  it("the dense Hessian's rows are central differences of the gradient, in the flattened order", () => {
    const H = denseHessian(layers, data);
    const theta = flatten(layers);
    expect(H).toHaveLength(theta.length);
    const h = 1e-6;
    const gradAt = (k: number, delta: number) => flatten(lossGrad(unflatten(theta.map((v, i) => (i === k ? v + delta : v)), layers), data.xs, data.ys).grad.layers);
    for (const k of [0, 3, 7, 12, theta.length - 1]) {
      const [plus, minus] = [gradAt(k, h), gradAt(k, -h)];
      H[k]!.forEach((v, j) => expect(v).toBeCloseTo((plus[j]! - minus[j]!) / (2 * h), 5));
    }
  });

  it("the Hessian-vector product is the dense Hessian times the vector", () => {
    const H = denseHessian(layers, data);
    const v = flatten(layers).map((_, i) => Math.cos(i));
    const Hv = hessianTimes(layers, data, v);
    H.forEach((row, i) => expect(Hv[i]).toBeCloseTo(row.reduce((s, h, j) => s + h * v[j]!, 0), 10));
  });

  it("power iteration on the HVP finds the dense Hessian's largest eigenvalue", () => {
    const spectrum = hessianSpectrum(layers, data);
    const largest = spectrum.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
    expect(largest).toBe(spectrum.at(-1));
    const power = sharpness(layers, data, { iterations: 2000, tolerance: 1e-13 });
    expect(power.value).toBeCloseTo(largest, 6);
  });

  it("the Jacobi eigensolver: the closed-form spectrum of the second-difference matrix, and a trace and determinant", () => {
    const n = 12;
    const T = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 2 : Math.abs(i - j) === 1 ? -1 : 0)));
    const expected = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1))).sort((a, b) => a - b);
    symmetricEigenvalues(T).forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 10));
    const A = [[4, 1, -2], [1, 2, 0], [-2, 0, 3]];
    const values = symmetricEigenvalues(A);
    expect(values.reduce((a, b) => a + b)).toBeCloseTo(9, 10);
    const det = 4 * (2 * 3) - 1 * (1 * 3) + -2 * (0 - 2 * -2);
    expect(values.reduce((a, b) => a * b)).toBeCloseTo(det, 9);
    expect(powerIteration((v) => A.map((row) => row.reduce((s, a, j) => s + a * v[j]!, 0)), 3, { iterations: 1000, tolerance: 1e-14 }).value).toBeCloseTo(values[2]!, 9);
  });
});

describe("the largest eigenvalue", () => {
  // Q·diag(λ)·Qᵀ with Q a product of two plane rotations: known eigenvalues, no zero entries.
  const withEigenvalues = (values: number[]) => {
    const n = values.length;
    const rotation = (p: number, q: number, angle: number) =>
      Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? (i === p || i === q ? Math.cos(angle) : 1) : i === p && j === q ? -Math.sin(angle) : i === q && j === p ? Math.sin(angle) : 0)));
    const times = (A: number[][], B: number[][]) => A.map((row) => B[0]!.map((_, j) => row.reduce((s, a, k) => s + a * B[k]![j]!, 0)));
    const Q = times(rotation(0, 2, 0.7), rotation(1, 2, -1.1));
    const QT = Q[0]!.map((_, j) => Q.map((row) => row[j]!));
    return times(times(Q, values.map((v, i) => values.map((_, j) => (i === j ? v : 0)))), QT);
  };
  const product = (A: number[][]) => (v: number[]) => A.map((row) => row.reduce((s, a, j) => s + a * v[j]!, 0));

  it("is the most positive one even when a negative eigenvalue is larger in magnitude", () => {
    const A = withEigenvalues([-5, 1, 2]);
    expect(powerIteration(product(A), 3, { iterations: 2000, tolerance: 1e-14 }).value).toBeCloseTo(-5, 8);
    expect(largestEigenvalue(product(A), 3, { iterations: 2000, tolerance: 1e-14 }).value).toBeCloseTo(2, 8);
  });

  it("is power iteration's answer when the dominant eigenvalue is positive", () => {
    expect(largestEigenvalue(product(withEigenvalues([-1, 0.5, 3])), 3, { iterations: 2000, tolerance: 1e-14 }).value).toBeCloseTo(3, 8);
  });
});

describe("the neural tangent kernel", () => {
  it("equals J·Jᵀ with J by central differences of the outputs", () => {
    const layers = initNetwork({ depth: 2, width: 3 }, { seed: 8 });
    const xs = [-0.8, -0.1, 0.35, 0.9];
    const theta = flatten(layers);
    const h = 1e-6;
    const J = xs.map(() => new Array<number>(theta.length).fill(0));
    theta.forEach((_, k) => {
      const at = (delta: number) => predictions(unflatten(theta.map((v, i) => (i === k ? v + delta : v)), layers), xs);
      const [plus, minus] = [at(h), at(-h)];
      xs.forEach((_, i) => (J[i]![k] = (plus[i]! - minus[i]!) / (2 * h)));
    });
    const kernel = tangentKernel(layers, xs);
    kernel.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(J[i]!.reduce((s, a, p) => s + a * J[j]![p]!, 0), 6)));
  });

  it("moves less in training for a wide network than for a narrow one", () => {
    const data = grid((x) => Math.sin(Math.PI * x), 8);
    const movement = (width: number) =>
      [1, 2, 3].map((seed) => {
        const layers = initNetwork({ depth: 1, width }, { seed });
        const before = tangentKernel(layers, data.xs);
        gradientDescent(layers, data, { steps: 100, rate: 0.5 });
        return relativeChange(before, tangentKernel(layers, data.xs));
      });
    const narrow = movement(8);
    const wide = movement(512);
    // Each wide run moves less than every narrow one, and the means differ by far more than seed noise.
    expect(Math.max(...wide)).toBeLessThan(Math.min(...narrow));
    expect(wide.reduce((a, b) => a + b) / 3).toBeLessThan((narrow.reduce((a, b) => a + b) / 3) / 4);
  });
});

describe("typed targets", () => {
  const at = (text: string, x: number) => parseExpression(text)(x);
  it("precedence, powers, implicit products, functions and constants", () => {
    expect(at("1 + 2 * 3 ^ 2", 0)).toBe(19);
    expect(at("-x^2", 3)).toBe(-9);
    expect(at("2^3^2", 0)).toBe(512);
    expect(at("2x + 3(x - 1)", 2)).toBe(7);
    expect(at("x sin(x)", 1)).toBeCloseTo(Math.sin(1), 15);
    expect(at("sin(pi x) + abs(x)/2 - max(x, 0.5)", 0.25)).toBeCloseTo(Math.sin(Math.PI / 4) + 0.125 - 0.5, 15);
    expect(at("exp(-x**2) * cos(3x)", 0.4)).toBeCloseTo(Math.exp(-0.16) * Math.cos(1.2), 15);
    expect(at("1.5e-1 * step(x) + relu(-x)", -2)).toBe(2);
  });

  it.each([
    ["sin(x", "missing ')' at the end", 5],
    ["x + ", "the expression ends too early", 4],
    ["foo(x)", "unknown name 'foo'", 0],
    ["max(x)", "'max' takes 2 arguments, not 1", 0],
    ["x; alert(1)", "unexpected character ';'", 1],
    ["constructor(x)", "unknown name 'constructor'", 0],
    ["__proto__(x)", "unknown name '__proto__'", 0],
    ["sin", "'sin' is a function", 0],
  ])("rejects %j: %s", (text, message, at) => {
    let error: unknown;
    try {
      parseExpression(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).message).toContain(message);
    expect((error as ExpressionError).at).toBe(at);
  });
});
