/**
 * What bench/peers offers, declared here so that tsad's own typecheck does not need the peers
 * installed: bench/run.ts loads bench/peers/tfjs-problems.ts and bench/peers/jax-problems.ts only
 * when `npm ci --prefix bench/peers` has been run.
 */
export interface TfProblem {
  primal(): number;
  /**
   * The gradient with respect to the differentiated inputs, read back from the library (typed
   * arrays, one per input, in their order): what a user of the library gets without copying.
   */
  gradient(): ArrayLike<number>[];
}

export interface GmmInput {
  alpha: number[];
  mu: number[][];
  q: number[][];
  l: number[][];
  x: number[][];
  gamma: number;
  m: number;
}

export interface LstmInput {
  main_params: number[][];
  extra_params: number[][];
  state: number[][];
  sequence: number[][];
}

/**
 * GMM's Q_k, flattened row by row, is [exp(q_k), l_k] (d + d(d−1)/2 entries) times this 0/1
 * matrix, which puts each entry in its place: the diagonal first, then l filling the strict lower
 * part column by column. The peers use a matrix product rather than a gather, whose gradient
 * neither jax-js under jit nor TensorFlow.js's wasm backend can compute.
 */
export function gmmPlacement(d: number): number[][] {
  const place: number[][] = Array.from({ length: d + (d * (d - 1)) / 2 }, () => new Array<number>(d * d).fill(0));
  for (let j = 0; j < d; j++) place[j]![j * d + j] = 1;
  let next = 0;
  for (let col = 0; col < d; col++) for (let row = col + 1; row < d; row++) place[d + next++]![row * d + col] = 1;
  return place;
}

/** The problems a peer expresses, each built from the same inputs as tsad's. */
export interface PeerProblems {
  rosenbrock(x: number[]): TfProblem;
  lse(x: number[]): TfProblem;
  llsq(x: number[], n: number): TfProblem;
  logistic(w: number[], b: number, X: number[][], y: number[]): TfProblem;
  mlp(layers: { W: number[][]; b: number[] }[], xs: number[][], ys: number[][]): TfProblem;
  gmm(input: GmmInput, priorConstant: number): TfProblem;
  lstm(input: LstmInput): TfProblem;
  odeFromState(y0: number[], x: number[], s: number): TfProblem;
}

export interface TfPeer extends PeerProblems {
  /** Selects the CPU backend; returns a line saying which TensorFlow.js this is. */
  initialise(): Promise<string>;
  /** Makes new tensors and operations use this backend; returns how it runs (SIMD, threads). */
  useBackend(backend: "cpu" | "wasm"): Promise<string>;
}

type WithDtype<F> = F extends (...args: infer A) => infer R ? (dtype: "float32" | "float64", ...args: A) => R : never;

export type JaxPeer = { [K in keyof PeerProblems]: WithDtype<PeerProblems[K]> } & {
  /** Loads jax-js and starts its wasm backend; returns a line saying which it is. */
  initialise(): Promise<string>;
};
