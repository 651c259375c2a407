/**
 * Gaussian mixture model objective with a Wishart prior, as ADBench and GradBench define it
 * (see BENCH-PROBLEMS.md), written as a TypeScript user would write it.
 *
 * Exports:
 *   gmmObjective(alpha: number[], mu: number[][], q: number[][], l: number[][], x: number[][],
 *                gamma: number, m: number): number
 *     alpha: K mixture weights (log space); mu: K×d means; q: K×d log-diagonals of the precision
 *     factors Q_k; l: K × d(d−1)/2 strictly lower parts of Q_k, column by column; x: n×d points;
 *     gamma, m: the Wishart prior's parameters (GradBench uses gamma = 1, m = 0).
 *     Differentiate with respect to alpha, mu, q and l.
 *   logGamma(z: number): number — log Γ(z) for z ≥ 1/2 (Lanczos), used only for the prior's
 *     constant.
 */

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * log Γ(z) by the Lanczos approximation (g = 7, 9 terms), about 15 digits for z ≥ 1/2; the prior
 * only needs z ≥ 1.
 */
export function logGamma(z: number): number {
  const w = z - 1;
  let a = LANCZOS_COEFFICIENTS[0];
  const t = w + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS_G + 2; i++) {
    a += LANCZOS_COEFFICIENTS[i] / (w + i);
  }
  return 0.5 * Math.log(2 * Math.PI) + (w + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log of the multivariate gamma function Γ_d(a). */
function logMultiGamma(a: number, d: number): number {
  let sum = ((d * (d - 1)) / 4) * Math.log(Math.PI);
  for (let j = 1; j <= d; j++) {
    sum += logGamma(a + (1 - j) / 2);
  }
  return sum;
}

/** Max-shifted log Σ exp(v_i). */
function logsumexp(v: number[]): number {
  let largest = v[0];
  for (let i = 1; i < v.length; i++) {
    if (v[i] > largest) largest = v[i];
  }
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    sum += Math.exp(v[i] - largest);
  }
  return largest + Math.log(sum);
}

export function gmmObjective(
  alpha: number[],
  mu: number[][],
  q: number[][],
  l: number[][],
  x: number[][],
  gamma: number,
  m: number,
): number {
  const K = alpha.length;
  const n = x.length;
  const d = x[0].length;

  // Diagonals of the precision factors and their log-determinants.
  const qDiag: number[][] = [];
  const sumQ: number[] = [];
  for (let k = 0; k < K; k++) {
    const diag: number[] = [];
    let s = 0;
    for (let j = 0; j < d; j++) {
      diag.push(Math.exp(q[k][j]));
      s += q[k][j];
    }
    qDiag.push(diag);
    sumQ.push(s);
  }

  let total = 0;
  const centered = new Array(d).fill(0);
  const transformed = new Array(d).fill(0);
  const beta = new Array(K).fill(0);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < d; j++) {
        centered[j] = x[i][j] - mu[k][j];
      }
      // transformed = Q_k · centered, Q_k lower triangular.
      for (let j = 0; j < d; j++) {
        transformed[j] = qDiag[k][j] * centered[j];
      }
      let index = 0;
      for (let col = 0; col < d; col++) {
        for (let row = col + 1; row < d; row++) {
          transformed[row] += l[k][index] * centered[col];
          index++;
        }
      }
      let squaredNorm = 0;
      for (let j = 0; j < d; j++) {
        squaredNorm += transformed[j] * transformed[j];
      }
      beta[k] = alpha[k] + sumQ[k] - 0.5 * squaredNorm;
    }
    total += logsumexp(beta);
  }

  // Wishart prior.
  let prior = 0;
  for (let k = 0; k < K; k++) {
    let frobenius = 0;
    for (let j = 0; j < d; j++) {
      frobenius += qDiag[k][j] * qDiag[k][j];
    }
    for (let j = 0; j < l[k].length; j++) {
      frobenius += l[k][j] * l[k][j];
    }
    prior += -0.5 * gamma * gamma * frobenius + m * sumQ[k];
  }
  const dof = d + m + 1;
  const priorConstant = dof * d * (Math.log(gamma) - 0.5 * Math.log(2)) - logMultiGamma(0.5 * dof, d);

  return -0.5 * n * d * Math.log(2 * Math.PI) + total - n * logsumexp(alpha) + prior + K * priorConstant;
}
