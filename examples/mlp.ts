/**
 * A multilayer perceptron with ReLU hidden layers, and its mean squared error over a data set:
 * the first network one trains with gradients. `npx tsad examples/mlp.ts --fn loss --wrt layers`
 * writes examples/mlp.grad.ts with `lossGrad`; examples/train-mlp.ts uses it.
 */
export interface Layer {
  W: number[][];
  b: number[];
}

/** One dense layer: W·input + b, then ReLU unless it is the output layer. */
function dense(layer: Layer, input: number[], relu: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < layer.W.length; i++) {
    let z = layer.b[i];
    for (let j = 0; j < input.length; j++) {
      z += layer.W[i][j] * input[j];
    }
    out.push(relu ? Math.max(0, z) : z);
  }
  return out;
}

export function predict(layers: Layer[], x: number[]): number[] {
  let h = x;
  for (let l = 0; l < layers.length; l++) {
    h = dense(layers[l], h, l < layers.length - 1);
  }
  return h;
}

/** Mean squared error of the network over the samples `xs` with targets `ys`. */
export function loss(layers: Layer[], xs: number[][], ys: number[][]): number {
  let total = 0;
  for (let s = 0; s < xs.length; s++) {
    const out = predict(layers, xs[s]);
    for (let k = 0; k < out.length; k++) {
      total += (out[k] - ys[s][k]) ** 2;
    }
  }
  return total / xs.length;
}
