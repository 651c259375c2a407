/**
 * tsad as a GradBench tool (bench/gradbench/): the tool is started as GradBench starts it and
 * spoken to over its stdin/stdout. For every module a scripted conversation (start, define,
 * evaluate of both functions, analysis) must get well-formed responses, and the gradients the tool
 * returns must agree with central finite differences of the primal the same tool returns (and with
 * closed forms where there are some). Bad lines get an error response and the tool keeps going.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolClient, type Response } from "../bench/gradbench/client.ts";
import { staleModules } from "../bench/gradbench/generate.ts";
import { baInputs, gmmInputs, kmeansInputs, llsqInputs, lseInputs, lstmInputs, odeInputs, seededRandom } from "../bench/problems/inputs.ts";
import { htInputs } from "../bench/problems/hand-inputs.ts";

type Json = Record<string, unknown>;

/** Expects a successful evaluate response with one `evaluate` timing per run. */
function expectEvaluated(response: Response, id: number, minRuns = 1): unknown {
  expect(response).toMatchObject({ id, success: true });
  expect(response.timings!.length).toBeGreaterThanOrEqual(minRuns);
  for (const timing of response.timings!) {
    expect(timing.name).toBe("evaluate");
    expect(Number.isInteger(timing.nanoseconds) && timing.nanoseconds >= 0).toBe(true);
  }
  return response.output;
}

/** The numbers of a nested array, row by row. */
function flat(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flat) : [value as number];
}

/** Every number of the named fields of `input`, in field order then row by row, as settable slots. */
function slots(input: Json, fields: string[]): { get: () => number; set: (v: number) => void }[] {
  const out: { get: () => number; set: (v: number) => void }[] = [];
  const walk = (array: unknown[]) =>
    array.forEach((entry, i) => {
      if (Array.isArray(entry)) walk(entry);
      else out.push({ get: () => array[i] as number, set: (v) => (array[i] = v) });
    });
  for (const field of fields) walk(input[field] as unknown[]);
  return out;
}

/**
 * Central differences of `scalar(primal output)` through the tool, for every number of `fields`,
 * compared with `gradient`: |g − fd| ≤ tolerance·max(1, |fd|).
 */
async function expectFiniteDifferences(
  tool: ToolClient,
  module: string,
  primal: string,
  input: Json,
  fields: string[],
  gradient: number[],
  scalar: (output: unknown) => number = (o) => o as number,
): Promise<void> {
  const probe = structuredClone(input);
  const params = slots(probe, fields);
  expect(gradient).toHaveLength(params.length);
  const h = 1e-5;
  const at = async () => scalar((await tool.send({ kind: "evaluate", module, function: primal, input: { ...probe, min_runs: 1, min_seconds: 0 } })).output);
  for (const [i, param] of params.entries()) {
    const original = param.get();
    param.set(original + h);
    const plus = await at();
    param.set(original - h);
    const minus = await at();
    param.set(original);
    const fd = (plus - minus) / (2 * h);
    expect(Math.abs(gradient[i]! - fd), `${module} parameter ${i}: gradient ${gradient[i]} vs finite differences ${fd}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
  }
}

/**
 * One eval's conversation: start and define, evaluate the primal and the gradient (3 runs each),
 * check the gradient against finite differences, send the eval's verdict; returns both outputs.
 */
async function converse(module: string, primal: string, gradient: string, input: Json, fields: string[], scalar?: (o: unknown) => number) {
  const tool = new ToolClient();
  try {
    expect(await tool.send({ id: 0, kind: "start", eval: module })).toEqual({ id: 0, tool: "tsad" });
    const defined = await tool.send({ id: 1, kind: "define", module });
    expect(defined).toMatchObject({ id: 1, success: true });
    const runs = { min_runs: 3, min_seconds: 0 };
    const value = expectEvaluated(await tool.send({ id: 2, kind: "evaluate", module, function: primal, input: { ...input, ...runs }, description: "small" }), 2, 3);
    const grad = expectEvaluated(await tool.send({ id: 3, kind: "evaluate", module, function: gradient, input: { ...input, ...runs }, description: "small" }), 3, 3);
    expect(await tool.send({ id: 4, kind: "analysis", of: 3, valid: true })).toEqual({ id: 4 });
    const gradientByField = Array.isArray(grad) ? flat(grad) : fields.flatMap((field) => flat((grad as Json)[field]));
    await expectFiniteDifferences(tool, module, primal, input, fields, gradientByField, scalar);
    expect(await tool.close()).toBe(0);
    return { value, grad };
  } finally {
    if (tool.running) await tool.close();
  }
}

describe("the GradBench tool", () => {
  it("hello: square and its generated derivative double, as the hello eval alternates them", async () => {
    const tool = new ToolClient();
    expect(await tool.send({ id: 0, kind: "start", eval: "hello" })).toEqual({ id: 0, tool: "tsad" });
    expect(await tool.send({ id: 1, kind: "define", module: "hello" })).toMatchObject({ id: 1, success: true });
    let x = 1;
    for (let round = 0; round < 4; round++) {
      const squared = expectEvaluated(await tool.send({ id: 2 + 4 * round, kind: "evaluate", module: "hello", function: "square", input: x }), 2 + 4 * round);
      expect(squared).toBe(x * x);
      expect(await tool.send({ id: 3 + 4 * round, kind: "analysis", of: 2 + 4 * round, valid: true })).toEqual({ id: 3 + 4 * round });
      const doubled = expectEvaluated(await tool.send({ id: 4 + 4 * round, kind: "evaluate", module: "hello", function: "double", input: squared }), 4 + 4 * round);
      expect(doubled).toBe(2 * x * x);
      x = doubled as number;
    }
    expect(await tool.close()).toBe(0);
  });

  it("hello.grad.ts is what tsad generates from hello.ts now", async () => {
    expect(await staleModules()).toEqual([]);
  });

  it("llsq: the gradient agrees with finite differences; at x = 0 the value is ½·#{t_i ≠ 0}", async () => {
    await converse("llsq", "primal", "gradient", llsqInputs(9, 4, 3), ["x"]);
    const { value } = await converse("llsq", "primal", "gradient", { x: [0, 0, 0], n: 9 }, ["x"]);
    expect(value).toBe(4); // t_4 = 0 has sign 0; the other 8 points have s_i² = 1
  });

  it("lse: the gradient agrees with finite differences; equal entries give a + log n and 1/n", async () => {
    await converse("lse", "primal", "gradient", lseInputs(7, 5), ["x"]);
    const { value, grad } = await converse("lse", "primal", "gradient", { x: [0.25, 0.25, 0.25, 0.25] }, ["x"]);
    expect(value).toBeCloseTo(0.25 + Math.log(4), 14);
    for (const g of grad as number[]) expect(g).toBeCloseTo(0.25, 14);
  });

  it("ode: RK4 is exact for n = 4 (y_i(2) = 2^(i+1)·x_0⋯x_i/(i+1)!); the gradient of y_last agrees with it and with finite differences", async () => {
    const last = (y: unknown) => (y as number[]).at(-1)!;
    await converse("ode", "primal", "gradient", odeInputs(6, 3, 7), ["x"], last);
    const x = [0.5, 0.8, 1.2, 0.9];
    const { value, grad } = await converse("ode", "primal", "gradient", { x, s: 2 }, ["x"], last);
    let product = 1;
    let factorial = 1;
    const exact = x.map((xi, i) => ((product *= xi), (factorial *= i + 1), (2 ** (i + 1) * product) / factorial));
    (value as number[]).forEach((y, i) => expect(y).toBeCloseTo(exact[i]!, 13));
    (grad as number[]).forEach((g, i) => expect(g).toBeCloseTo(exact[3]! / x[i]!, 13));
  });

  it("gmm: the jacobian has the inputs' shapes and agrees with finite differences", async () => {
    const input = gmmInputs(3, 2, 8, 11) as unknown as Json;
    const { grad } = await converse("gmm", "objective", "jacobian", input, ["alpha", "mu", "q", "l"]);
    const { alpha, mu, q, l } = grad as { alpha: number[]; mu: number[][]; q: number[][]; l: number[][] };
    expect([alpha.length, mu.length, mu[0]!.length, q.length, q[0]!.length, l.length, l[0]!.length]).toEqual([2, 2, 3, 2, 3, 2, 3]);
    expect(Object.keys(grad as Json).sort()).toEqual(["alpha", "l", "mu", "q"]);
  });

  it("gmm: one component in one dimension is the Gaussian log-density plus the Wishart prior", async () => {
    const [x, mu, q, alpha] = [0.3, 0.1, 0.2, 0.7];
    const input = { d: 1, k: 1, n: 1, x: [[x]], m: 0, gamma: 1, alpha: [alpha], mu: [[mu]], q: [[q]], l: [[]] };
    const { value } = await converse("gmm", "objective", "jacobian", input, ["alpha", "mu", "q", "l"]);
    // log N(x; μ, e^(−2q)) − ½·e^(2q) (the prior's Frobenius term) + C, C = 2·(log 1 − ½ log 2) − log Γ(1).
    const density = -0.5 * Math.log(2 * Math.PI) + q - 0.5 * Math.exp(2 * q) * (x - mu) ** 2;
    expect(value).toBeCloseTo(density - 0.5 * Math.exp(2 * q) - Math.log(2), 12);
  });

  it("gmm: d = 4, K = 2 is the log-likelihood of a Gaussian mixture with Σ⁻¹ = QᵀQ (l filling Q column by column) plus the Wishart prior", async () => {
    const input = gmmInputs(4, 2, 3, 17);
    const { value } = await converse("gmm", "objective", "jacobian", input as unknown as Json, ["alpha", "mu", "q", "l"]);
    const d = 4;
    const Q = input.q.map((qk, k) => {
      const matrix = Array.from({ length: d }, (_, row) => Array.from({ length: d }, (_, col) => (row === col ? Math.exp(qk[row]!) : 0)));
      let next = 0;
      for (let col = 0; col < d; col++) for (let row = col + 1; row < d; row++) matrix[row]![col] = input.l[k]![next++]!;
      return matrix;
    });
    const weights = input.alpha.map(Math.exp);
    const weightSum = weights.reduce((a, b) => a + b);
    let logLikelihood = 0;
    for (const point of input.x) {
      let density = 0;
      Q.forEach((Qk, k) => {
        const centered = point.map((xj, j) => xj - input.mu[k]![j]!);
        // (x − μ)ᵀ QᵀQ (x − μ), through the precision matrix rather than ‖Q(x − μ)‖².
        const precision = Qk.map((_, i) => Qk.map((__, j) => Qk.reduce((sum, row) => sum + row[i]! * row[j]!, 0)));
        const quadratic = centered.reduce((sum, ci, i) => sum + ci * precision[i]!.reduce((inner, pij, j) => inner + pij * centered[j]!, 0), 0);
        const determinant = Qk.reduce((product, row, i) => product * row[i]!, 1);
        density += (weights[k]! / weightSum) * (2 * Math.PI) ** (-d / 2) * determinant * Math.exp(-quadratic / 2);
      });
      logLikelihood += Math.log(density);
    }
    // Wishart prior with γ = 1, m = 0: −½‖Q_k‖²_F per component, plus K·C with n_w = d + 1 = 5:
    // C = n_w·d·(−½ log 2) − log Γ_4(5/2), log Γ_4(5/2) = 3 log π + log Γ(5/2) + log Γ(2) + log Γ(3/2) + log Γ(1).
    const frobenius = Q.reduce((sum, Qk) => sum + Qk.flat().reduce((inner, v) => inner + v * v, 0), 0);
    const C = -10 * Math.log(2) - (3 * Math.log(Math.PI) + Math.log(0.75 * Math.sqrt(Math.PI)) + Math.log(Math.sqrt(Math.PI) / 2));
    expect(value).toBeCloseTo(logLikelihood - frobenius / 2 + 2 * C, 10);
  });

  it("lstm: the jacobian is main_params then extra_params row by row (8lb + 3b numbers) and agrees with finite differences", async () => {
    const input = lstmInputs(2, 3, 14, 13) as unknown as Json;
    const { grad } = await converse("lstm", "objective", "jacobian", input, ["main_params", "extra_params"]);
    expect(grad as number[]).toHaveLength(8 * 2 * 14 + 3 * 14);
  });

  it("lstm: with zero weights every prediction is 0, so the loss is Σ_t k_t·log(14 + 2) / ((c−1)·b) and d/d out_bias_j = −Σ_t (s_(t+1),j − k_t/16) / ((c−1)·b)", async () => {
    const b = 14;
    const sequence = [
      [1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1],
      [0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0],
      [1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0],
    ];
    const zeros = (rows: number, columns: number) => Array.from({ length: rows }, () => new Array<number>(columns).fill(0));
    const state = [new Array<number>(b).fill(0.3), new Array<number>(b).fill(-0.7)];
    const input = { main_params: zeros(2, 4 * b), extra_params: zeros(3, b), state, sequence };
    const { value, grad } = await converse("lstm", "objective", "jacobian", input, ["main_params", "extra_params"]);
    const ones = sequence.slice(1).map((row) => row.reduce((a, v) => a + v, 0));
    expect(value).toBeCloseTo(((ones[0]! + ones[1]!) * Math.log(16)) / (2 * b), 14);
    const outBias = (grad as number[]).slice(8 * b + 2 * b);
    outBias.forEach((g, j) => expect(g).toBeCloseTo(-(sequence[1]![j]! - ones[0]! / 16 + sequence[2]![j]! - ones[1]! / 16) / (2 * b), 14));
  });

  describe("kmeans, ba, ht, det, particle and saddle", () => {
    let tool: ToolClient;
    beforeAll(async () => {
      tool = new ToolClient();
      for (const module of ["kmeans", "ba", "ht"]) expect(await tool.send({ kind: "define", module })).toMatchObject({ success: true });
    });
    afterAll(async () => {
      expect(await tool.close()).toBe(0);
    });
    const once = { min_runs: 1, min_seconds: 0 };
    const call = async (module: string, fn: string, input: Json) => {
      const response = await tool.send({ kind: "evaluate", module, function: fn, input: { ...input, ...once } });
      return expectEvaluated(response, response.id!);
    };

    it("kmeans: cost is Σ min squared distance; dir is each centroid minus its cluster's mean, and gradient ÷ second difference of the cost", async () => {
      const input = kmeansInputs(3, 20, 2, 5);
      const { points, centroids } = input;
      const nearest = points.map((p) => {
        const distances = centroids.map((c) => c.reduce((s, cj, j) => s + (cj - p[j]!) ** 2, 0));
        return distances.indexOf(Math.min(...distances));
      });
      const cost = points.reduce((s, p, i) => s + centroids[nearest[i]!]!.reduce((t, cj, j) => t + (cj - p[j]!) ** 2, 0), 0);
      expect(await call("kmeans", "cost", input)).toBeCloseTo(cost, 12);
      const dir = (await call("kmeans", "dir", input)) as number[][];
      centroids.forEach((c, k) => {
        const members = points.filter((_, i) => nearest[i] === k);
        c.forEach((cj, j) => expect(dir[k]![j]).toBeCloseTo(cj - members.reduce((s, p) => s + p[j]!, 0) / members.length, 12));
      });
      const h = 1e-4;
      for (let k = 0; k < 3; k++) {
        for (let j = 0; j < 2; j++) {
          const at = async (delta: number) => {
            const moved = structuredClone(input);
            moved.centroids[k]![j]! += delta;
            return (await call("kmeans", "cost", moved)) as number;
          };
          const [plus, zero, minus] = [await at(h), await at(0), await at(-h)];
          const newton = (plus - minus) / (2 * h) / ((plus - 2 * zero + minus) / (h * h));
          expect(Math.abs(dir[k]![j]! - newton)).toBeLessThanOrEqual(1e-6);
        }
      }
    });

    it("ba: the first observation's 2 × 15 block agrees with finite differences of the objective; the sparse layout is GradBench's", async () => {
      const input = baInputs(3, 4, 12, 9) as unknown as Json;
      const objective = (await call("ba", "objective", input)) as { reproj_error: { elements: number[]; repeated: number }; w_err: { element: number; repeated: number } };
      expect(objective.reproj_error.repeated).toBe(12);
      expect(objective.w_err).toEqual({ element: 1 - (input.w as number) ** 2, repeated: 12 });
      const { rows, cols, vals } = (await call("ba", "jacobian", input)) as { rows: number[]; cols: number[]; vals: number[] };
      const [n, m, p] = [3, 4, 12];
      // Rows 0 … 2p − 1 hold 15 entries each, the p weight rows one each.
      const rowStarts = Array.from({ length: 30 }, (_, k) => (k <= 2 * p ? 15 * k : 30 * p + (k - 2 * p)));
      expect(rows).toEqual([...rowStarts, 31 * p]);
      const firstRowColumns = [...Array.from({ length: 11 }, (_, j) => j), 11 * n, 11 * n + 1, 11 * n + 2, 11 * n + 3 * m];
      expect(cols).toEqual([...firstRowColumns, ...firstRowColumns, 11 * n + 3 * m + p - 1]);
      expect(vals.at(-1)).toBeCloseTo(-2 * (input.w as number), 14);
      const probe = structuredClone(input);
      const params = slots(probe, ["cam", "x"]);
      params.push({ get: () => probe.w as number, set: (v) => (probe.w = v) });
      const h = 1e-6;
      for (const [i, param] of params.entries()) {
        const original = param.get();
        const step = h * Math.max(1, Math.abs(original));
        param.set(original + step);
        const plus = ((await call("ba", "objective", probe)) as typeof objective).reproj_error.elements;
        param.set(original - step);
        const minus = ((await call("ba", "objective", probe)) as typeof objective).reproj_error.elements;
        param.set(original);
        for (const row of [0, 1]) {
          const fd = (plus[row]! - minus[row]!) / (2 * step);
          expect(Math.abs(vals[15 * row + i]! - fd), `row ${row}, column ${i}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(fd)));
        }
      }
    });

    it("ba: without rotation and distortion the reprojection error is w·(f·(X − C)_xy / (X − C)_z + principal point − feature)", async () => {
      const cam = [0, 0, 0, 0.1, -0.2, 0.3, 400, 2, -3, 0, 0];
      const input = { n: 1, m: 1, p: 1, cam, x: [0.5, 0.25, -4], w: 0.8, feat: [10, 20] };
      const { reproj_error } = (await call("ba", "objective", input)) as { reproj_error: { elements: number[] } };
      const z = -4 - 0.3;
      expect(reproj_error.elements[0]).toBeCloseTo(0.8 * ((400 * (0.5 - 0.1)) / z + 2 - 10), 12);
      expect(reproj_error.elements[1]).toBeCloseTo(0.8 * ((400 * (0.25 + 0.2)) / z - 3 - 20), 12);
      const { vals } = (await call("ba", "jacobian", input)) as { vals: number[] };
      expect(vals[14]).toBeCloseTo((400 * (0.5 - 0.1)) / z + 2 - 10, 12); // d/dw
      expect(vals[6]).toBeCloseTo((0.8 * (0.5 - 0.1)) / z, 12); // d/df
      expect(vals[11]).toBeCloseTo((0.8 * 400) / z, 12); // d/dX_x
    });

    async function expectHandJacobian(input: Json, us: boolean): Promise<number[][]> {
      const jacobian = (await call("ht", "jacobian", input)) as number[][];
      const c = ((input.data as Json).correspondences as number[]).length;
      expect(jacobian).toHaveLength(3 * c);
      for (const row of jacobian) expect(row).toHaveLength(us ? 28 : 26);
      const probe = structuredClone(input);
      const theta = probe.theta as number[];
      const columns: { set: (delta: number) => void }[] = [];
      if (us) {
        for (const lane of [0, 1]) columns.push({ set: (delta) => (probe.us as number[][]).forEach((pair, i) => (pair[lane] = (input.us as number[][])[i]![lane]! + delta)) });
      }
      theta.forEach((value, j) => columns.push({ set: (delta) => (theta[j] = value + delta) }));
      const h = 1e-6;
      for (const [column, { set }] of columns.entries()) {
        set(h);
        const plus = (await call("ht", "objective", probe)) as number[];
        set(-h);
        const minus = (await call("ht", "objective", probe)) as number[];
        set(0);
        plus.forEach((value, row) => {
          const fd = (value - minus[row]!) / (2 * h);
          expect(Math.abs(jacobian[row]![column]! - fd), `row ${row}, column ${column}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
        });
      }
      return jacobian;
    }

    it("ht, simple: the 3c × 26 Jacobian agrees with finite differences; at rest the residuals are point − vertex and the translation columns are −I", async () => {
      const input = htInputs(4, { vertices: 30, triangles: 20, seed: 3 });
      await expectHandJacobian(input as unknown as Json, false);
      const rest = { ...input, theta: new Array<number>(26).fill(0) };
      const errors = (await call("ht", "objective", rest as unknown as Json)) as number[];
      const { correspondences, points, model } = input.data;
      correspondences.forEach((v, i) => [0, 1, 2].forEach((j) => expect(errors[3 * i + j]).toBeCloseTo(points[i]![j]! - model.base_positions[v]![j]!, 14)));
      const jacobian = await expectHandJacobian(rest as unknown as Json, false);
      jacobian.forEach((row, r) => [3, 4, 5].forEach((column) => expect(row[column]).toBe(r % 3 === column - 3 ? -1 : 0)));
    });

    it("ht, complicated: the u and v columns then theta's 26 agree with finite differences; at rest du = C − A and dv = C − B; us as pairs or flat", async () => {
      const input = htInputs(4, { complicated: true, vertices: 30, triangles: 20, seed: 4 });
      await expectHandJacobian(input as unknown as Json, true);
      const rest = { ...input, theta: new Array<number>(26).fill(0) };
      const jacobian = await expectHandJacobian(rest as unknown as Json, true);
      const { correspondences, model } = input.data;
      correspondences.forEach((t, i) => {
        const [a, b, c] = model.triangles[t]!.map((v) => model.base_positions[v]!);
        [0, 1, 2].forEach((j) => {
          expect(jacobian[3 * i + j]![0]).toBeCloseTo(c![j]! - a![j]!, 14);
          expect(jacobian[3 * i + j]![1]).toBeCloseTo(c![j]! - b![j]!, 14);
        });
      });
      const flat = { ...input, us: input.us.flat() };
      expect(await call("ht", "jacobian", flat as unknown as Json)).toEqual(await call("ht", "jacobian", input as unknown as Json));
    });
    it("particle and saddle: every variant gives the point the evals expect, to 1e-9 relative (the evals accept 1e-4)", async () => {
      // The evals' expected outputs for their default inputs: particle from w = 0, saddle from (1, 1).
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.abs(b);
      for (const module of ["particle", "saddle"]) expect(await tool.send({ kind: "define", module })).toMatchObject({ success: true });
      for (const variant of ["ff", "fr", "rf", "rr"]) {
        const w = (await call("particle", variant, { w: 0 })) as number;
        expect(close(w, 0.2071918746486116), `particle ${variant}: ${w}`).toBe(true);
        const point = (await call("saddle", variant, { start: [1, 1] })) as number[];
        expect(point).toHaveLength(4);
        for (const coordinate of point) expect(close(coordinate, 8.246324826140356e-6), `saddle ${variant}: ${point}`).toBe(true);
      }
    });

    it("det: the gradient agrees with finite differences and with the cofactor matrix; a triangular matrix's determinant is its diagonal's product", async () => {
      expect(await tool.send({ kind: "define", module: "det" })).toMatchObject({ success: true });
      const ell = 4;
      const random = seededRandom(21);
      const input = { A: Array.from({ length: ell * ell }, () => random()), ell };
      const gradient = (await call("det", "gradient", input)) as number[];
      expect(gradient).toHaveLength(ell * ell);
      const h = 1e-6;
      for (let k = 0; k < ell * ell; k++) {
        const at = async (delta: number) => (await call("det", "primal", { ...input, A: input.A.map((v, i) => (i === k ? v + delta : v)) })) as number;
        const fd = ((await at(h)) - (await at(-h))) / (2 * h);
        expect(Math.abs(gradient[k]! - fd), `entry ${k}`).toBeLessThanOrEqual(1e-8);
      }
      expect(await call("det", "primal", { A: [2, 5, 7, 0, 3, 11, 0, 0, 0.5], ell: 3 })).toBeCloseTo(3, 14);
      // The gradient of det [[a, b], [c, d]] = ad − bc is [[d, −c], [−b, a]].
      const [a, b, c, d] = [1.5, -2, 0.25, 4];
      expect(await call("det", "gradient", { A: [a, b, c, d], ell: 2 })).toEqual([d, -c, -b, a]);
    });
  });

  describe("bad messages", () => {
    let tool: ToolClient;
    beforeAll(() => {
      tool = new ToolClient();
    });
    afterAll(async () => {
      await tool.close();
    });

    it("an eval it does not implement gets success: false, on define and on evaluate", async () => {
      expect(await tool.send({ id: 10, kind: "define", module: "no_such_eval" })).toMatchObject({ id: 10, success: false, error: expect.stringContaining("no_such_eval") });
      expect(await tool.send({ id: 11, kind: "evaluate", module: "no_such_eval", function: "objective", input: {} })).toMatchObject({ id: 11, success: false });
      expect(await tool.send({ id: 12, kind: "evaluate", module: "hello", function: "cube", input: 2 })).toMatchObject({ id: 12, success: false, error: expect.stringContaining("cube") });
    });

    it("a line that is not JSON, a message without an id and an unknown kind get an error response; the tool keeps answering", async () => {
      expect(await tool.sendLine("{not json")).toMatchObject({ id: null, success: false, error: expect.stringContaining("not a JSON message") });
      expect(await tool.sendLine('{"kind": "start"}')).toMatchObject({ id: null, success: false });
      expect(await tool.sendLine('{"id": 20, "kind": "explode"}')).toMatchObject({ id: 20, success: false, error: expect.stringContaining("explode") });
      expect(await tool.sendLine('{"id": 21, "kind": "evaluate", "module": "lse"}')).toMatchObject({ id: 21, success: false });
      expect(await tool.send({ id: 22, kind: "evaluate", module: "hello", function: "square", input: 5 })).toMatchObject({ id: 22, success: true, output: 25 });
      expect(tool.running).toBe(true);
    });

    it("an input of the wrong shape gets success: false naming the field", async () => {
      const response = await tool.send({ id: 30, kind: "evaluate", module: "gmm", function: "objective", input: { ...gmmInputs(2, 2, 3), mu: [[1, 2]] } });
      expect(response).toMatchObject({ id: 30, success: false, error: "mu must have 2 rows, not 1" });
    });

    it("runs at least min_runs times and until min_seconds have passed (or `runs` times), one timing each", async () => {
      const input = { ...lseInputs(1000), min_runs: 5, min_seconds: 0 };
      expect((await tool.send({ id: 40, kind: "evaluate", module: "lse", function: "gradient", input })).timings).toHaveLength(5);
      const timed = await tool.send({ id: 41, kind: "evaluate", module: "lse", function: "primal", input: { ...input, min_runs: 1, min_seconds: 0.05 } });
      const total = timed.timings!.reduce((sum, t) => sum + t.nanoseconds, 0);
      expect(total).toBeGreaterThanOrEqual(0.05e9);
      const older = await tool.send({ id: 42, kind: "evaluate", module: "lse", function: "primal", input: { ...lseInputs(10), runs: 4 } });
      expect(older.timings).toHaveLength(4); // the `runs` field of older evals
    });
  });
});
