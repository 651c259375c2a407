/**
 * The bundled examples: their generated modules are up to date (regenerating gives the same
 * bytes), the MLP trains with the generated `lossGrad`, and the sawtooth network's derivative is
 * ±2^depth between kinks (a closed form).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, type EmitKind } from "../src/pipeline.ts";

const examples = resolve(import.meta.dirname, "../examples");
const generatedExamples: { file: string; fn: string[]; wrt?: string[]; emit?: EmitKind[] }[] = [
  { file: "rosenbrock.ts", fn: ["rosenbrock"], emit: ["grad", "jvp"] },
  { file: "mlp.ts", fn: ["loss"], wrt: ["layers"] },
  { file: "sawtooth.ts", fn: ["sawtooth"], wrt: ["x"] },
  { file: "logreg.ts", fn: ["logisticLoss"], wrt: ["w", "b"] },
];

describe("examples", () => {
  it.each(generatedExamples.map((e) => [e.file, e] as const))("%s: the committed .grad.ts is what tsad generates now", async (_name, { file, fn, wrt, emit }) => {
    const result = await compile({ files: [join(examples, file)], fn, wrt, emit });
    expect(result.diagnostics).toEqual([]);
    expect(result.modules[0]!.text).toBe(readFileSync(join(examples, file.replace(/\.ts$/, ".grad.ts")), "utf8"));
  });

  it("the MLP's loss falls under gradient descent with the generated lossGrad", async () => {
    const { lossGrad } = await import("../examples/mlp.grad.ts");
    const layers = [
      { W: [[0.5], [-0.3], [0.8], [0.2]], b: [0.1, 0.1, -0.2, 0] },
      { W: [[0.3, -0.5, 0.25, 0.6]], b: [0] },
    ];
    const xs = Array.from({ length: 16 }, (_, i) => [-1 + (2 * i) / 15]);
    const ys = xs.map(([x]) => [x! * x!]);
    const first = lossGrad(layers, xs, ys).value;
    for (let step = 0; step < 300; step++) {
      const { grad } = lossGrad(layers, xs, ys);
      layers.forEach((layer, l) => {
        layer.W.forEach((row, i) => row.forEach((_, j) => (row[j]! -= 0.05 * grad.layers[l]!.W[i]![j]!)));
        layer.b.forEach((_, i) => (layer.b[i]! -= 0.05 * grad.layers[l]!.b[i]!));
      });
    }
    const last = lossGrad(layers, xs, ys).value;
    expect(last).toBeLessThan(first / 2);
  });

  it("the sawtooth network's derivative is ±2^depth between kinks", async () => {
    const { sawtoothGrad } = await import("../examples/sawtooth.grad.ts");
    const { sawtoothJvp } = (await import("../examples/sawtooth.grad.ts")) as Record<string, unknown>;
    expect(sawtoothJvp).toBeUndefined();
    for (let depth = 0; depth <= 6; depth++) {
      for (const x of [-1.93, -1.27, -0.61, 0.17, 0.83, 1.49]) {
        const { grad } = sawtoothGrad(x, depth);
        expect(Math.abs(grad.x)).toBe(2 ** depth);
      }
    }
  });
});
