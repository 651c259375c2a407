/**
 * The network every experiment of the lab trains: a multilayer perceptron on one input x, with
 * ReLU hidden layers and one linear output. Each layer divides its weighted sum by √(fan-in)
 * (the neural-tangent parameterisation), so weights start at size 1 whatever the width and
 * one learning rate suits narrow and wide networks alike.
 *
 * tsad differentiates the functions tagged `@differentiate` into mlp.grad.ts:
 *   loss           → lossGrad (gradient descent), lossHvp (sharpness), lossHessian (spectrum)
 *   predictions    → predictionsJacobian (the neural tangent kernel)
 *   preActivations → preActivationsJvp (the slope of every unit along x: exact linear regions)
 */
export interface Layer {
  W: number[][];
  b: number[];
}

/** A layer's pre-activations: W·input / √(fan-in) + b. */
function affine(layer: Layer, input: number[]): number[] {
  const scale = 1 / Math.sqrt(input.length);
  const z: number[] = [];
  for (let i = 0; i < layer.W.length; i++) {
    let sum = 0;
    for (let j = 0; j < input.length; j++) {
      sum += layer.W[i][j] * input[j];
    }
    z.push(sum * scale + layer.b[i]);
  }
  return z;
}

function relu(z: number[]): number[] {
  return z.map((v) => Math.max(0, v));
}

/** The network's output at x. */
export function predict(layers: Layer[], x: number): number {
  let h = [x];
  for (let l = 0; l < layers.length - 1; l++) {
    h = relu(affine(layers[l], h));
  }
  return affine(layers[layers.length - 1], h)[0];
}

/**
 * Mean squared error over the samples (xs[s], ys[s]).
 * @differentiate wrt=layers emit=grad,hvp,hessian
 */
export function loss(layers: Layer[], xs: number[], ys: number[]): number {
  let total = 0;
  for (let s = 0; s < xs.length; s++) {
    const r = predict(layers, xs[s]) - ys[s];
    total += r * r;
  }
  return total / xs.length;
}

/**
 * The outputs at every x in xs: the rows of their Jacobian make the neural tangent kernel.
 * @differentiate wrt=layers emit=jacobian
 */
export function predictions(layers: Layer[], xs: number[]): number[] {
  const out: number[] = [];
  for (let s = 0; s < xs.length; s++) {
    out.push(predict(layers, xs[s]));
  }
  return out;
}

/**
 * Every hidden unit's pre-activation at x, layer after layer: their signs say which linear piece
 * of the network x is on.
 * @differentiate wrt=x emit=jvp
 */
export function preActivations(layers: Layer[], x: number): number[] {
  let h = [x];
  const all: number[] = [];
  for (let l = 0; l < layers.length - 1; l++) {
    const z = affine(layers[l], h);
    for (let i = 0; i < z.length; i++) {
      all.push(z[i]);
    }
    h = relu(z);
  }
  return all;
}
