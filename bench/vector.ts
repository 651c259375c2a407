/**
 * `npm run bench -- --vector`: vector forward mode against one pass per direction.
 *
 * - A dense Jacobian of the hand-pose model (26 inputs, 1,200 outputs): `handPoseJacobian`
 *   (chunks of directions through `handPoseJvpN`) against 26 calls of `handPoseJvp`.
 * - A dense Hessian of a pairwise energy at n = 20 and n = 100: `pairEnergyHessian` (chunks of
 *   rows through the vector version of forward-over-reverse) against n calls of `pairEnergyHvp`.
 *
 * Both sides are checked to agree before they are timed. Times alternate in one process (bench/
 * timing.ts), so the ratio is a median of ratios measured side by side.
 */
import { handPoseJacobian, handPoseJvp, handPoseJvpN } from "./problems/hand-pose.grad.ts";
import { pairEnergyHessian, pairEnergyHvp } from "./problems/pair-energy.grad.ts";
import { seededRandom } from "./problems/inputs.ts";
import { time } from "./timing.ts";

/** 26 pose parameters and `count` points of a hand model (finger, along, across, depth each). */
export function handPoseInputs(count: number, seed = 7): [number[], number[]] {
  const random = seededRandom(seed);
  const theta = Array.from({ length: 26 }, () => 0.6 * (random() - 0.5));
  const points: number[] = [];
  for (let i = 0; i < count; i++) points.push(i % 5, 4 * random(), 0.3 * (random() - 0.5), 0.2 * (random() - 0.5));
  return [theta, points];
}

export function pairEnergyInputs(n: number, seed = 11): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => 2 * random() - 1);
}

type Jvp = (theta: number[], points: number[], tangent: { theta: number[] }) => { tangent: number[] };
type Hvp = (x: number[], direction: { x: number[] }) => { hvp: { x: number[] } };

/** The Jacobian by one JVP per input: the baseline vector mode replaces. */
export function singleJacobian(jvp: Jvp, theta: number[], points: number[]): number[][] {
  const columns: number[][] = [];
  for (let k = 0; k < theta.length; k++) {
    const unit = theta.map((_, j) => (j === k ? 1 : 0));
    columns.push(jvp(theta, points, { theta: unit }).tangent);
  }
  return columns[0]!.map((_, row) => columns.map((column) => column[row]!));
}

/** The Hessian by one HVP per input. */
export function singleHessian(hvp: Hvp, x: number[]): number[][] {
  return x.map((_, k) => hvp(x, { x: x.map((_, j) => (j === k ? 1 : 0)) }).hvp.x);
}

function largestDifference(a: number[][], b: number[][]): number {
  let worst = a.length === b.length ? 0 : Infinity;
  a.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (b[i]?.[j] ?? NaN)) || (Number.isNaN(v - (b[i]?.[j] ?? NaN)) ? Infinity : 0)))));
  return worst;
}

interface VectorRow {
  problem: string;
  vector: string;
  baseline: string;
  /** Median time per call of the vector version. */
  ms: number;
  /** Median over side-by-side pairs of baseline ÷ vector. */
  speedup: number;
}

export function runVectorBench(): { rows: VectorRow[]; wrong: string[] } {
  const rows: VectorRow[] = [];
  const wrong: string[] = [];
  const [theta, points] = handPoseInputs(400);
  const jacobian = handPoseJacobian(theta, points).jacobian;
  if (jacobian.length < 1000) wrong.push(`hand pose has ${jacobian.length} outputs, fewer than 1,000`);
  const single = singleJacobian(handPoseJvp, theta, points);
  const oneSweep = handPoseJvpN(theta, points, theta.map((_, k) => ({ theta: theta.map((_, j) => (j === k ? 1 : 0)) }))).tangents;
  if (largestDifference(jacobian, single) > 1e-12 || largestDifference(oneSweep, single[0]!.map((_, k) => single.map((row) => row[k]!))) > 1e-12) wrong.push("hand pose: the vector Jacobian differs from 26 JVPs");
  else {
    const t = time(() => handPoseJacobian(theta, points), () => singleJacobian(handPoseJvp, theta, points));
    rows.push({ problem: `Jacobian 26 → ${jacobian.length}`, vector: "handPoseJacobian", baseline: "26 × handPoseJvp", ms: t.ms, speedup: 1 / t.ratio });
  }
  for (const n of [20, 100]) {
    const x = pairEnergyInputs(n);
    const hessian = pairEnergyHessian(x).hessian;
    if (largestDifference(hessian, singleHessian(pairEnergyHvp, x)) > 1e-10) {
      wrong.push(`pair energy n=${n}: the vector Hessian differs from ${n} HVPs`);
      continue;
    }
    const t = time(() => pairEnergyHessian(x), () => singleHessian(pairEnergyHvp, x));
    rows.push({ problem: `Hessian n = ${n}`, vector: "pairEnergyHessian", baseline: `${n} × pairEnergyHvp`, ms: t.ms, speedup: 1 / t.ratio });
  }
  return { rows, wrong };
}

/** Prints the table; exit status 1 when a vector result disagrees with its baseline. */
export function printVectorBench(): void {
  const { rows, wrong } = runVectorBench();
  console.log("Vector forward mode: k directions per sweep against one pass per direction");
  console.log("");
  console.log("| problem | vector mode | baseline | ms (vector) | speed-up |");
  console.log("| --- | --- | --- | ---: | ---: |");
  for (const r of rows) console.log(`| ${r.problem} | ${r.vector} | ${r.baseline} | ${r.ms.toFixed(3)} | ${r.speedup.toFixed(2)}× |`);
  for (const w of wrong) console.log(`\nWRONG: ${w}`);
  if (wrong.length > 0) process.exitCode = 1;
}

if (process.argv[1] === import.meta.filename) printVectorBench();
