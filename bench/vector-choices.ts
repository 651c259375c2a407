/**
 * How vector mode was tuned: regenerates the vector benchmarks with each lane representation
 * (`Float64Array` or `number[]` per tangent) and each chunk size, and times them in one process,
 * alternating with the single-pass baseline. `npx tsx bench/vector-choices.ts`
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compile } from "../src/pipeline.ts";
import { time } from "./timing.ts";
import { handPoseInputs, pairEnergyInputs, singleHessian, singleJacobian } from "./vector.ts";

const root = resolve(import.meta.dirname, "..");
const scratch = join(root, ".tsad-tmp", "vector-choices");
mkdirSync(scratch, { recursive: true });

async function generate(file: string, wrt: string[] | undefined, emit: ("jvp" | "jvpN" | "jacobian" | "grad" | "hvp" | "hessian")[], tag: string): Promise<Record<string, (...args: unknown[]) => any>> {
  const result = await compile({ files: [join(root, "bench", "problems", file)], wrt, emit });
  if (result.diagnostics.length > 0) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  const text = result.modules[0]!.text.replace(/from "\.\/([\w-]+)\.ts"/g, `from "${join(root, "bench", "problems", "$1")}.ts"`);
  const path = join(scratch, `${file.replace(".ts", "")}-${tag}.grad.ts`);
  writeFileSync(path, text);
  return import(path);
}

const lanes = ["Float64Array", "array"];
const chunks = [4, 8, 16, 32, 64];
const [theta, points] = handPoseInputs(400);
const lines: string[] = [];
for (const lane of lanes) {
  for (const chunk of chunks) {
    process.env.TSAD_VECTOR_LANES = lane;
    process.env.TSAD_VECTOR_CHUNK = String(chunk);
    const tag = `${lane}-${chunk}`;
    const hand = await generate("hand-pose.ts", ["theta"], ["jvp", "jacobian"], tag);
    const j = time(() => hand.handPoseJacobian(theta, points), () => singleJacobian(hand.handPoseJvp, theta, points));
    const energy = await generate("pair-energy.ts", undefined, ["grad", "hvp", "hessian"], tag);
    const ratios: string[] = [];
    for (const n of [20, 100]) {
      const x = pairEnergyInputs(n);
      const h = time(() => energy.pairEnergyHessian(x), () => singleHessian(energy.pairEnergyHvp, x));
      ratios.push(`hessian n=${n} ${(1 / h.ratio).toFixed(2)}×`);
    }
    const line = `${lane.padEnd(12)} chunk ${String(chunk).padStart(2)}: jacobian ${(1 / j.ratio).toFixed(2)}×, ${ratios.join(", ")} (speed-up over single passes)`;
    console.log(line);
    lines.push(line);
  }
}
