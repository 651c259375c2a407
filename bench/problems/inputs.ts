/**
 * Seeded inputs for the benchmark problems, in GradBench's JSON shapes (field names as its evals
 * send them), so that `npm run bench`, the tests and the GradBench tool draw the same numbers.
 *
 * Exports:
 *   seededRandom(seed: number): () => number — uniform on [0, 1), deterministic per seed.
 *   standardNormal(random: () => number): number — one N(0, 1) draw (Box–Muller).
 *   gmmInputs(d, k, n, seed?): GmmInput — x ~ N(0,1), alpha ~ N(0,1), mu ~ U[0,1), q ~ N(0,1),
 *     l ~ N(0,1), m = 0, gamma = 1 (BENCH-PROBLEMS.md).
 *   lstmInputs(l, c, b = 14, seed?): LstmInput — main_params, extra_params and state ~ U[−1,1),
 *     sequence: c characters of b bits, each bit 1 with probability ½.
 *   lseInputs(n, seed?): { x } with x ~ U[0,1) (as GradBench's lse eval).
 *   llsqInputs(n, m, seed?): { x, n } with m coefficients x ~ U[0,1) (as GradBench's llsq eval).
 *   odeInputs(n, s, seed?): { x, s } with x ~ U[0,1) (as GradBench's ode eval).
 *   uniformVector(n, low, high, seed?): number[]; uniformMatrix(rows, cols, low, high, seed?).
 */

export interface GmmInput {
  d: number;
  k: number;
  n: number;
  x: number[][];
  m: number;
  gamma: number;
  alpha: number[];
  mu: number[][];
  q: number[][];
  l: number[][];
}

export interface LstmInput {
  main_params: number[][];
  extra_params: number[][];
  state: number[][];
  sequence: number[][];
}

/** A 32-bit mixing generator (mulberry32): small, fast and the same on every platform. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function standardNormal(random: () => number): number {
  const u = 1 - random(); // in (0, 1], so the logarithm is finite
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function matrix(rows: number, cols: number, draw: () => number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, draw));
}

export function gmmInputs(d: number, k: number, n: number, seed = 1): GmmInput {
  const random = seededRandom(seed);
  const normal = () => standardNormal(random);
  const alpha = Array.from({ length: k }, normal);
  const mu = matrix(k, d, random);
  const q = matrix(k, d, normal);
  const l = matrix(k, (d * (d - 1)) / 2, normal);
  const x = matrix(n, d, normal);
  return { d, k, n, x, m: 0, gamma: 1, alpha, mu, q, l };
}

export function lstmInputs(l: number, c: number, b = 14, seed = 1): LstmInput {
  const random = seededRandom(seed);
  const symmetric = () => 2 * random() - 1;
  return {
    main_params: matrix(2 * l, 4 * b, symmetric),
    extra_params: matrix(3, b, symmetric),
    state: matrix(2 * l, b, symmetric),
    sequence: matrix(c, b, () => (random() < 0.5 ? 0 : 1)),
  };
}

export function uniformVector(n: number, low: number, high: number, seed = 1): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => low + (high - low) * random());
}

export function uniformMatrix(rows: number, cols: number, low: number, high: number, seed = 1): number[][] {
  const random = seededRandom(seed);
  return matrix(rows, cols, () => low + (high - low) * random());
}

export function lseInputs(n: number, seed = 1): { x: number[] } {
  return { x: uniformVector(n, 0, 1, seed) };
}

export function llsqInputs(n: number, m: number, seed = 1): { x: number[]; n: number } {
  return { x: uniformVector(m, 0, 1, seed), n };
}

export function odeInputs(n: number, s: number, seed = 1): { x: number[]; s: number } {
  return { x: uniformVector(n, 0, 1, seed), s };
}

/** kmeans: n points ~ U[0,1)^d, and as centroids the last k of them (so no cluster is empty), as GradBench's kmeans eval draws them. */
export function kmeansInputs(k: number, n: number, d: number, seed = 1): { points: number[][]; centroids: number[][] } {
  const points = uniformMatrix(n, d, 0, 1, seed);
  return { points, centroids: points.slice(n - k).map((row) => row.slice()) };
}

export interface BaInput {
  n: number;
  m: number;
  p: number;
  cam: number[];
  x: number[];
  w: number;
  feat: number[];
}

/**
 * ba: one camera, one point, one weight and one feature that the eval repeats to n cameras, m
 * points and p observations (the shape of ADBench's data files): a small rotation, a camera
 * centre near the origin looking at a point about 4 units away, a focal length of a few hundred
 * pixels and tiny radial distortion.
 */
export function baInputs(n: number, m: number, p: number, seed = 1): BaInput {
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + (high - low) * random();
  const cam = [between(-0.1, 0.1), between(-0.1, 0.1), between(-0.1, 0.1), between(-0.5, 0.5), between(-0.5, 0.5), between(-0.5, 0.5), between(300, 500), between(-1, 1), between(-1, 1), between(-1e-6, 1e-6), between(-1e-12, 1e-12)];
  return { n, m, p, cam, x: [between(-1, 1), between(-1, 1), between(-5, -3)], w: between(0.5, 1.5), feat: [between(-300, 300), between(-300, 300)] };
}
