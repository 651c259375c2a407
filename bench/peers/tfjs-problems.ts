/**
 * The benchmark problems in TensorFlow.js (the full `@tensorflow/tfjs` package, on its CPU backend
 * (plain JavaScript) or its WebAssembly backend (`@tensorflow/tfjs-backend-wasm`, XNNPACK kernels,
 * with SIMD where the runtime has it); float32 on both), written as a TensorFlow.js user would: inputs are tensors made once, the objective
 * is built from tensor operations, and `tf.grads` differentiates it. Every function here returns
 * a `TfProblem` (bench/peer.ts): `primal()` and `gradient()` run the whole computation and read
 * the numbers back.
 *
 * This module lives in bench/peers so that TensorFlow.js (≈300 MB) stays out of tsad's install:
 * `npm ci --prefix bench/peers`.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { gmmPlacement, type GmmInput, type TfProblem } from "../peer.ts";

export async function initialise(): Promise<string> {
  await useBackend("cpu");
  return `TensorFlow.js ${tf.version.tfjs}`;
}

/**
 * Makes `backend` the one new tensors live on and operations run on. Tensors are made per backend
 * (each problem is built after its backend is chosen), so no data moves between backends while timed.
 * Returns how the backend runs: for wasm, whether SIMD and threads are on.
 */
export async function useBackend(backend: "cpu" | "wasm"): Promise<string> {
  // Without tfjs-node, tfjs prints a suggestion to install it on first use; we choose on purpose.
  const warn = console.warn;
  const log = console.log;
  console.warn = () => {};
  console.log = () => {};
  try {
    await tf.setBackend(backend);
    await tf.ready();
    tf.tidy(() => tf.scalar(1).add(1).dataSync());
  } finally {
    console.warn = warn;
    console.log = log;
  }
  if (tf.getBackend() !== backend) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
  if (backend === "cpu") return "cpu";
  const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD";
  const threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT") ? "threads" : "one thread";
  return `wasm (${simd}, ${threads})`;
}

/** Wraps an objective of tensors: `wrt` are differentiated, `data` are constants. */
function problem(objective: (...wrt: tf.Tensor[]) => tf.Scalar, wrt: tf.Tensor[]): TfProblem {
  const gradients = tf.grads((...args: tf.Tensor[]) => objective(...args));
  return {
    primal: () => tf.tidy(() => objective(...wrt).dataSync()[0]!),
    gradient: () => {
      let read: ArrayLike<number>[] = [];
      tf.tidy(() => {
        read = gradients(wrt).map((g) => g.dataSync());
      });
      return read;
    },
  };
}

export function rosenbrock(values: number[]): TfProblem {
  const x = tf.tensor1d(values);
  const n = values.length;
  return problem((v) => {
    const head = v.slice(0, n - 1);
    const tail = v.slice(1, n - 1);
    return tf.sum(tf.add(tf.square(tf.sub(1, head)), tf.mul(100, tf.square(tf.sub(tail, tf.square(head))))));
  }, [x]);
}

export function lse(values: number[]): TfProblem {
  return problem((v) => tf.logSumExp(v), [tf.tensor1d(values)]);
}

/** The design matrix t_i^j and the targets sign(t_i) are data, built once. */
export function llsq(values: number[], n: number): TfProblem {
  const m = values.length;
  const t = Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
  const design = tf.tensor2d(t.flatMap((ti) => Array.from({ length: m }, (_, j) => ti ** j)), [n, m]);
  const targets = tf.tensor2d(t.map(Math.sign), [n, 1]);
  return problem((x) => {
    const residual = tf.sub(targets, tf.matMul(design, x.reshape([m, 1])));
    return tf.mul(0.5, tf.sum(tf.square(residual)));
  }, [tf.tensor1d(values)]);
}

export function logistic(w: number[], b: number, X: number[][], y: number[]): TfProblem {
  const features = tf.tensor2d(X);
  const labels = tf.tensor1d(y);
  const bias = tf.scalar(b);
  return problem((weights) => {
    const z = tf.add(tf.matMul(features, weights.reshape([w.length, 1])).reshape([X.length]), bias);
    return tf.mean(tf.add(tf.softplus(tf.neg(z)), tf.mul(tf.sub(1, labels), z)));
  }, [tf.tensor1d(w)]);
}

/** examples/mlp.ts's loss: ReLU hidden layers, mean over samples of the squared error. */
export function mlp(layers: { W: number[][]; b: number[] }[], xs: number[][], ys: number[][]): TfProblem {
  const inputs = tf.tensor2d(xs);
  const targets = tf.tensor2d(ys);
  const params = layers.flatMap((layer) => [tf.tensor2d(layer.W), tf.tensor1d(layer.b)]);
  return problem((...p) => {
    let h: tf.Tensor = inputs;
    for (let l = 0; l < layers.length; l++) {
      const z = tf.add(tf.matMul(h, p[2 * l]!, false, true), p[2 * l + 1]!);
      h = l < layers.length - 1 ? tf.relu(z) : z;
    }
    return tf.div(tf.sum(tf.square(tf.sub(h, targets))), xs.length);
  }, params);
}

/**
 * GMM: Q_k assembled from [exp(q_k), l_k] into a d×d lower-triangular matrix, all
 * points against all components with one batched matrix product. `priorConstant` is K·C (it does
 * not depend on the parameters, so the caller computes it with the TypeScript logGamma).
 */
export function gmm(input: GmmInput, priorConstant: number): TfProblem {
  const K = input.alpha.length;
  const n = input.x.length;
  const d = input.x[0]!.length;
  const place = gmmPlacement(d);
  const placement = tf.tensor2d(place);
  const points = tf.tensor2d(input.x);
  const { gamma, m } = input;
  return problem((alpha, mu, q, l) => {
    const diag = tf.exp(q);
    const sumQ = tf.sum(q, 1);
    const Q = tf.matMul(tf.concat([diag, l], 1), placement).reshape([K, d, d]);
    const centered = tf.sub(points.expandDims(0), mu.expandDims(1)); // K × n × d
    const transformed = tf.matMul(centered, Q, false, true); // (Q_k · (x_i − μ_k))ᵀ
    const beta = tf.sub(tf.add(alpha, sumQ).expandDims(1), tf.mul(0.5, tf.sum(tf.square(transformed), 2))); // K × n
    const data = tf.sub(tf.sum(tf.logSumExp(beta, 0)), tf.mul(n, tf.logSumExp(alpha)));
    const frobenius = tf.add(tf.sum(tf.square(diag), 1), tf.sum(tf.square(l), 1));
    const prior = tf.sum(tf.add(tf.mul(-0.5 * gamma * gamma, frobenius), tf.mul(m, sumQ)));
    return tf.add(tf.add(data, prior), -0.5 * n * d * Math.log(2 * Math.PI) + priorConstant) as tf.Scalar;
  }, [tf.tensor1d(input.alpha), tf.tensor2d(input.mu), tf.tensor2d(input.q), tf.tensor2d(input.l)]);
}

/** LSTM: the suites' definition step by step, b-wide vectors per layer and character. */
export function lstm(input: { main_params: number[][]; extra_params: number[][]; state: number[][]; sequence: number[][] }): TfProblem {
  const layers = input.main_params.length / 2;
  const b = input.sequence[0]!.length;
  const c = input.sequence.length;
  const characters = input.sequence.map((row) => tf.tensor1d(row));
  const state = input.state.map((row) => tf.tensor1d(row));
  return problem((main, extra) => {
    const gate = (row: number, k: number) => main.slice([row, k * b], [1, b]).reshape([b]);
    const weights = Array.from({ length: layers }, (_, layer) => [0, 1, 2, 3].map((k) => [gate(2 * layer, k), gate(2 * layer + 1, k)] as const));
    const [inWeight, outWeight, outBias] = [0, 1, 2].map((row) => extra.slice([row, 0], [1, b]).reshape([b]));
    const hidden = Array.from({ length: layers }, (_, layer) => state[2 * layer]!);
    const cell = Array.from({ length: layers }, (_, layer) => state[2 * layer + 1]!);
    let total: tf.Tensor = tf.scalar(0);
    for (let t = 0; t < c - 1; t++) {
      let x: tf.Tensor = tf.mul(characters[t]!, inWeight!);
      for (let layer = 0; layer < layers; layer++) {
        const [[wf, bf], [wi, bi], [wo, bo], [wc, bc]] = weights[layer]!;
        const h = hidden[layer]!;
        const forget = tf.sigmoid(tf.add(tf.mul(x, wf), bf));
        const ingate = tf.sigmoid(tf.add(tf.mul(h, wi), bi));
        const outgate = tf.sigmoid(tf.add(tf.mul(x, wo), bo));
        const change = tf.tanh(tf.add(tf.mul(h, wc), bc));
        cell[layer] = tf.add(tf.mul(cell[layer]!, forget), tf.mul(ingate, change));
        hidden[layer] = tf.mul(outgate, tf.tanh(cell[layer]!));
        x = hidden[layer]!;
      }
      const prediction = tf.add(tf.mul(x, outWeight!), outBias!);
      const lse = tf.log(tf.add(tf.sum(tf.exp(prediction)), 2));
      total = tf.add(total, tf.sum(tf.mul(characters[t + 1]!, tf.sub(prediction, lse))));
    }
    return tf.div(tf.neg(total), (c - 1) * b) as tf.Scalar;
  }, [tf.tensor2d(input.main_params), tf.tensor2d(input.extra_params)]);
}

/** The RK4 ODE from an initial state: gradient of the last element w.r.t. y0 and x. */
export function odeFromState(y0: number[], x: number[], s: number): TfProblem {
  const n = x.length;
  const h = 2 / s;
  return problem((start, params) => {
    const first = params.slice(0, 1);
    const rest = params.slice(1, n - 1);
    const derivative = (y: tf.Tensor) => tf.concat([first, tf.mul(rest, y.slice(0, n - 1))]);
    let y = start;
    for (let step = 0; step < s; step++) {
      const k1 = derivative(y);
      const k2 = derivative(tf.add(y, tf.mul(h / 2, k1)));
      const k3 = derivative(tf.add(y, tf.mul(h / 2, k2)));
      const k4 = derivative(tf.add(y, tf.mul(h, k3)));
      y = tf.add(y, tf.mul(h / 6, tf.add(tf.add(k1, tf.mul(2, k2)), tf.add(tf.mul(2, k3), k4))));
    }
    return y.slice(n - 1, 1).reshape([]) as tf.Scalar;
  }, [tf.tensor1d(y0), tf.tensor1d(x)]);
}
