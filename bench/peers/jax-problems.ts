/**
 * The benchmark problems in jax-js (JAX for JavaScript, its WebAssembly backend), written as a
 * jax-js user would: the objective is built from `numpy` operations on whole arrays, and
 * `jit(valueAndGrad(objective))` traces it once and fuses it into WebAssembly kernels. jax-js has
 * no loop primitive (no `scan`, no `fori_loop`), so loops over time (the ODE's steps, the LSTM's
 * characters) are unrolled while tracing, as JAX does with a Python loop under `jit`.
 *
 * jax-js counts references: every array passed to a function is consumed, so a value used twice
 * is passed as `x.ref` the first time. `dataSync()` and `js()` consume the array they read.
 *
 * Node 20 lacks two globals jax-js looks for: `navigator` (it reads `navigator.gpu`) and
 * `Float16Array` (only for `instanceof` tests); both are set to empty stand-ins before loading it.
 */
import { gmmPlacement, type GmmInput, type TfProblem } from "../peer.ts";

type Jax = typeof import("@jax-js/jax");
type JArray = InstanceType<Jax["numpy"]["Array"]>;
type Dtype = "float32" | "float64";

let jax: Jax;

/**
 * Unrolled loops longer than this are left out: tracing and compiling the LSTM's 1,023 characters
 * ran for over ten minutes and past a gigabyte without finishing; 127 characters take seconds.
 */
const UNROLL_LIMIT = 200;

function unrolled(steps: number, what: string): void {
  if (steps > UNROLL_LIMIT) throw new Error(`jax-js would unroll ${steps} ${what} while tracing (no loop primitive); more than ${UNROLL_LIMIT} is left out`);
}

export async function initialise(): Promise<string> {
  const g = globalThis as { navigator?: object; Float16Array?: unknown };
  g.navigator ??= {};
  g.Float16Array ??= class Float16Array {};
  jax = await import("@jax-js/jax");
  await jax.init("wasm");
  jax.defaultDevice("wasm");
  return `jax-js 0.1.25, backend wasm`;
}

/**
 * `objective(params, data)`: params are differentiated, data are constants passed in at every call
 * (so that the traced program does not consume them). The gradient is one typed array per param.
 */
function problem(dtype: Dtype, objective: (p: JArray[], d: JArray[]) => JArray, params: number[][] | number[][][], data: (number[] | number[][])[]): TfProblem {
  const np = jax.numpy;
  const p = (params as unknown[]).map((v) => np.array(v as number[], { dtype: np[dtype] }));
  const d = data.map((v) => np.array(v as number[], { dtype: np[dtype] }));
  const primal = jax.jit((ps: JArray[], ds: JArray[]) => objective(ps, ds));
  const both = jax.jit(jax.valueAndGrad((ps: JArray[], ds: JArray[]) => objective(ps, ds)));
  const refs = (xs: JArray[]) => xs.map((x) => x.ref);
  return {
    primal: () => (primal(refs(p), refs(d)) as JArray).js() as number,
    gradient: () => {
      const [value, grads] = both(refs(p), refs(d)) as unknown as [JArray, JArray[]];
      value.dispose();
      return grads.map((g) => g.dataSync());
    },
  };
}

export function rosenbrock(dtype: Dtype, x: number[]): TfProblem {
  const n = x.length;
  return problem(dtype, ([v]) => {
    const head = v!.ref.slice([0, n - 1]);
    const tail = v!.slice([1, n]);
    const a = jax.numpy.square(head.ref.neg().add(1));
    const b = jax.numpy.square(tail.sub(jax.numpy.square(head))).mul(100);
    return a.add(b).sum();
  }, [x], []);
}

export function lse(dtype: Dtype, x: number[]): TfProblem {
  return problem(dtype, ([v]) => jax.nn.logsumexp(v!), [x], []);
}

export function llsq(dtype: Dtype, x: number[], n: number): TfProblem {
  const m = x.length;
  const t = Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
  const design = t.map((ti) => Array.from({ length: m }, (_, j) => ti ** j));
  return problem(dtype, ([v], [A, y]) => {
    const residual = y!.sub(jax.numpy.matmul(A!, v!));
    return jax.numpy.square(residual).sum().mul(0.5);
  }, [x], [design, t.map(Math.sign)]);
}

export function logistic(dtype: Dtype, w: number[], b: number, X: number[][], y: number[]): TfProblem {
  return problem(dtype, ([weights], [features, labels]) => {
    const z = jax.numpy.matmul(features!, weights!).add(b);
    return jax.nn.softplus(z.ref.neg()).add(labels!.neg().add(1).mul(z)).mean();
  }, [w], [X, y]);
}

export function mlp(dtype: Dtype, layers: { W: number[][]; b: number[] }[], xs: number[][], ys: number[][]): TfProblem {
  const count = layers.length;
  return problem(dtype, (p, [inputs, targets]) => {
    let h = inputs!;
    for (let l = 0; l < count; l++) {
      const z = jax.numpy.matmul(h, p[2 * l]!.transpose()).add(p[2 * l + 1]!);
      h = l < count - 1 ? jax.nn.relu(z) : z;
    }
    return jax.numpy.square(h.sub(targets!)).sum().div(xs.length);
  }, layers.flatMap((layer) => [layer.W, layer.b]) as number[][][], [xs, ys]);
}

/** GMM, all points against all components at once (K × n × d arrays). */
export function gmm(dtype: Dtype, input: GmmInput, priorConstant: number): TfProblem {
  const K = input.alpha.length;
  const n = input.x.length;
  const d = input.x[0]!.length;
  const place = gmmPlacement(d);
  const { gamma, m } = input;
  const constant = -0.5 * n * d * Math.log(2 * Math.PI) + priorConstant;
  return problem(dtype, ([alpha, mu, q, l], [points, placement]) => {
    const np = jax.numpy;
    const diag = np.exp(q!.ref);
    const sumQ = q!.sum(1);
    const Q = np.matmul(np.concatenate([diag.ref, l!.ref], 1), placement!).reshape([K, d, d]);
    const centered = points!.slice(null, [], []).sub(mu!.slice([], null, [])); // K × n × d
    const transformed = np.matmul(centered, Q.transpose([0, 2, 1])); // (Q_k · (x_i − μ_k))ᵀ
    const beta = alpha!.ref.add(sumQ.ref).slice([], null).sub(np.square(transformed).sum(2).mul(0.5)); // K × n
    const data = jax.nn.logsumexp(beta, 0).sum().sub(jax.nn.logsumexp(alpha!).mul(n));
    const frobenius = np.square(diag).sum(1).add(np.square(l!).sum(1));
    const prior = frobenius.mul(-0.5 * gamma * gamma).add(sumQ.mul(m)).sum();
    return data.add(prior).add(constant);
  }, [input.alpha, input.mu, input.q, input.l] as unknown as number[][][], [input.x, place]);
}

/** LSTM: the suites' definition step by step, unrolled over the characters while tracing. */
export function lstm(dtype: Dtype, input: { main_params: number[][]; extra_params: number[][]; state: number[][]; sequence: number[][] }): TfProblem {
  const layers = input.main_params.length / 2;
  const b = input.sequence[0]!.length;
  const c = input.sequence.length;
  unrolled(c - 1, "characters");
  return problem(dtype, ([main, extra], [sequence, state]) => {
    const np = jax.numpy;
    const gate = (row: number, k: number) => main!.ref.slice(row, [k * b, (k + 1) * b]);
    const weights = Array.from({ length: layers }, (_, layer) => [0, 1, 2, 3].map((k) => [gate(2 * layer, k), gate(2 * layer + 1, k)] as const));
    main!.dispose();
    const [inWeight, outWeight, outBias] = [0, 1, 2].map((row) => extra!.ref.slice(row));
    extra!.dispose();
    const characters = Array.from({ length: c }, (_, t) => sequence!.ref.slice(t));
    sequence!.dispose();
    const hidden = Array.from({ length: layers }, (_, layer) => state!.ref.slice(2 * layer));
    const cell = Array.from({ length: layers }, (_, layer) => state!.ref.slice(2 * layer + 1));
    state!.dispose();
    let total: JArray | undefined;
    for (let t = 0; t < c - 1; t++) {
      let x = characters[t]!.mul(inWeight!.ref);
      for (let layer = 0; layer < layers; layer++) {
        const [[wf, bf], [wi, bi], [wo, bo], [wc, bc]] = weights[layer]!;
        const h = hidden[layer]!;
        const forget = jax.nn.sigmoid(x.ref.mul(wf.ref).add(bf.ref));
        const ingate = jax.nn.sigmoid(h.ref.mul(wi.ref).add(bi.ref));
        const outgate = jax.nn.sigmoid(x.mul(wo.ref).add(bo.ref));
        const change = np.tanh(h.mul(wc.ref).add(bc.ref));
        cell[layer] = cell[layer]!.mul(forget).add(ingate.mul(change));
        hidden[layer] = outgate.mul(np.tanh(cell[layer]!.ref));
        x = hidden[layer]!.ref;
      }
      const prediction = x.mul(outWeight!.ref).add(outBias!.ref);
      const normaliser = np.log(np.exp(prediction.ref).sum().add(2));
      const term = characters[t + 1]!.ref.mul(prediction.sub(normaliser)).sum();
      total = total ? total.add(term) : term;
    }
    return total!.neg().div((c - 1) * b);
  }, [input.main_params, input.extra_params] as unknown as number[][][], [input.sequence, input.state]);
}

/** The RK4 ODE from an initial state: the last element after s steps, w.r.t. y0 and x; unrolled. */
export function odeFromState(dtype: Dtype, y0: number[], x: number[], s: number): TfProblem {
  const n = x.length;
  const h = 2 / s;
  unrolled(s, "steps");
  return problem(dtype, ([start, params]) => {
    const np = jax.numpy;
    const first = params!.ref.slice([0, 1]);
    const rest = params!.slice([1, n]);
    const derivative = (y: JArray) => np.concatenate([first.ref, rest.ref.mul(y.slice([0, n - 1]))]);
    let y = start!;
    for (let step = 0; step < s; step++) {
      const k1 = derivative(y.ref);
      const k2 = derivative(y.ref.add(k1.ref.mul(h / 2)));
      const k3 = derivative(y.ref.add(k2.ref.mul(h / 2)));
      const k4 = derivative(y.ref.add(k3.ref.mul(h)));
      y = y.add(k1.add(k2.mul(2)).add(k3.mul(2)).add(k4).mul(h / 6));
    }
    first.dispose();
    rest.dispose();
    return y.slice(n - 1);
  }, [y0, x], []);
}
