/**
 * What bench/peers/tfjs-problems.ts offers, declared here so that tsad's own typecheck does not
 * need TensorFlow.js installed: bench/run.ts loads that module only when `npm ci --prefix
 * bench/peers` has been run.
 */
export interface TfProblem {
  primal(): number;
  /** The gradient with respect to the differentiated inputs, flattened in their order. */
  gradient(): number[];
}

export interface TfPeer {
  /** Selects the CPU backend; returns a line saying which TensorFlow.js this is. */
  initialise(): Promise<string>;
  rosenbrock(x: number[]): TfProblem;
  lse(x: number[]): TfProblem;
  llsq(x: number[], n: number): TfProblem;
  logistic(w: number[], b: number, X: number[][], y: number[]): TfProblem;
  mlp(layers: { W: number[][]; b: number[] }[], xs: number[][], ys: number[][]): TfProblem;
  gmm(input: { alpha: number[]; mu: number[][]; q: number[][]; l: number[][]; x: number[][]; gamma: number; m: number }, priorConstant: number): TfProblem;
  lstm(input: { main_params: number[][]; extra_params: number[][]; state: number[][]; sequence: number[][] }): TfProblem;
  odeFromState(y0: number[], x: number[], s: number): TfProblem;
}
