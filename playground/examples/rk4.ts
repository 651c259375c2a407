/**
 * A damped pendulum integrated with the classic fourth-order Runge–Kutta method: the final state
 * [angle, angular velocity] after `steps` steps of size `h`. Its Jacobian with respect to the
 * initial state and the damping is the sensitivity of the trajectory's end.
 */
function pendulum(state: number[], damping: number): number[] {
  return [state[1], -Math.sin(state[0]) - damping * state[1]];
}

/** y + s·k, element by element. */
function step(y: number[], s: number, k: number[]): number[] {
  return y.map((v, i) => v + s * k[i]);
}

export function rk4(y0: number[], damping: number, h: number, steps: number): number[] {
  let y = y0.slice();
  for (let n = 0; n < steps; n++) {
    const k1 = pendulum(y, damping);
    const k2 = pendulum(step(y, h / 2, k1), damping);
    const k3 = pendulum(step(y, h / 2, k2), damping);
    const k4 = pendulum(step(y, h, k3), damping);
    y = y.map((v, i) => v + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
  }
  return y;
}
