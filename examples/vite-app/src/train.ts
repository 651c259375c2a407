import { lossGrad } from "./model.ts?grad";

/** Gradient descent on the logistic loss; returns the fitted line and the loss along the way. */
export function train(xs: number[], labels: number[], steps = 200, rate = 0.5) {
  let w = 0;
  let b = 0;
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { value, grad } = lossGrad(w, b, xs, labels);
    losses.push(value);
    w -= rate * grad.w;
    b -= rate * grad.b;
  }
  return { w, b, losses };
}

export { lossGrad };
