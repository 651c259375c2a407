/**
 * Trains the MLP of examples/mlp.ts by gradient descent with the generated `lossGrad`, on
 * y = sin(3x) sampled at 64 points; prints the loss as it falls.
 *
 *   npx tsad examples/mlp.ts --fn loss --wrt layers && npx tsx examples/train-mlp.ts
 */
import { loss, type Layer } from "./mlp.ts";
import { lossGrad } from "./mlp.grad.ts";

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const random = seeded(7);
const sizes = [1, 16, 16, 1];
const layers: Layer[] = [];
for (let l = 1; l < sizes.length; l++) {
  const scale = Math.sqrt(2 / sizes[l - 1]!);
  layers.push({
    W: Array.from({ length: sizes[l]! }, () => Array.from({ length: sizes[l - 1]! }, () => scale * (2 * random() - 1))),
    b: new Array<number>(sizes[l]!).fill(0),
  });
}
const xs = Array.from({ length: 64 }, (_, i) => [-1 + (2 * i) / 63]);
const ys = xs.map(([x]) => [Math.sin(3 * x!)]);

const rate = 0.05;
const steps = 2000;
for (let step = 0; step <= steps; step++) {
  const { value, grad } = lossGrad(layers, xs, ys);
  if (step % 250 === 0) console.log(`step ${String(step).padStart(4)}  loss ${value.toFixed(6)}`);
  layers.forEach((layer, l) => {
    const g = grad.layers[l]!;
    layer.W.forEach((row, i) => row.forEach((_, j) => (row[j]! -= rate * g.W[i]![j]!)));
    layer.b.forEach((_, i) => (layer.b[i]! -= rate * g.b[i]!));
  });
}
console.log(`final loss ${loss(layers, xs, ys).toFixed(6)}`);
