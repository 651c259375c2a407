/**
 * `gmm`: input `{d, k, n, x: n×d, m, gamma, alpha: k, mu: k×d, q: k×d, l: k×(d(d−1)/2)}`;
 * `objective` → double, `jacobian` → `{alpha, mu, q, l}` in the inputs' shapes.
 */
import { gmmObjective } from "../../problems/gmm.ts";
import { gmmObjectiveGrad } from "../../problems/gmm.grad.ts";
import { double, integer, matrix, record, vector } from "../decode.ts";
import { evaluation, type GradBenchModule } from "./module.ts";

interface GmmArguments {
  alpha: number[];
  mu: number[][];
  q: number[][];
  l: number[][];
  x: number[][];
  gamma: number;
  m: number;
}

function read(input: unknown): GmmArguments {
  const fields = record(input);
  const d = integer(fields.d, "d");
  const k = integer(fields.k, "k");
  const n = integer(fields.n, "n");
  return {
    alpha: vector(fields.alpha, "alpha", k),
    mu: matrix(fields.mu, "mu", k, d),
    q: matrix(fields.q, "q", k, d),
    l: matrix(fields.l, "l", k, (d * (d - 1)) / 2),
    x: matrix(fields.x, "x", n, d),
    gamma: double(fields.gamma, "gamma"),
    m: integer(fields.m, "m"),
  };
}

export const functions: GradBenchModule = {
  objective: (input) => {
    const { alpha, mu, q, l, x, gamma, m } = read(input);
    return evaluation(() => gmmObjective(alpha, mu, q, l, x, gamma, m), (value) => value);
  },
  jacobian: (input) => {
    const { alpha, mu, q, l, x, gamma, m } = read(input);
    return evaluation(
      () => gmmObjectiveGrad(alpha, mu, q, l, x, gamma, m),
      ({ grad }) => ({ alpha: grad.alpha, mu: grad.mu, q: grad.q, l: grad.l }),
    );
  },
};
