/** The example menu: the repository's examples, with the options and arguments to plot them. */
import logreg from "raw:../../examples/logreg.ts";
import mlp from "raw:../../examples/mlp.ts";
import rosenbrock from "raw:../../examples/rosenbrock.ts";
import sawtooth from "raw:../../examples/sawtooth.ts";
import rk4 from "raw:../examples/rk4.ts";
import type { PlotSettings } from "./share.ts";

export interface Example extends PlotSettings {
  id: string;
  title: string;
  source: string;
  fn: string;
  wrt?: string[];
  emit?: string[];
}

const mlpLayers = [
  { W: [[0.5], [-0.3], [0.8], [0.2]], b: [0.1, 0.1, -0.2, 0] },
  { W: [[0.3, -0.5, 0.25, 0.6]], b: [0] },
];
const mlpXs = Array.from({ length: 8 }, (_, i) => [-1 + (2 * i) / 7]);
const round = (x: number) => Math.round(x * 1000) / 1000;

export const EXAMPLES: Example[] = [
  {
    id: "sawtooth",
    title: "Sawtooth network (kinks double with depth)",
    source: sawtooth,
    fn: "sawtooth",
    wrt: ["x"],
    emit: ["grad"],
    args: { x: "0.3", depth: "3" },
    family: { param: "depth", values: [0, 1, 2, 3, 4, 5] },
    xRange: [-2, 2],
  },
  {
    id: "mlp",
    title: "MLP loss (ReLU network, mean squared error)",
    source: mlp,
    fn: "loss",
    wrt: ["layers"],
    emit: ["grad"],
    args: {
      layers: JSON.stringify(mlpLayers),
      xs: JSON.stringify(mlpXs.map(([x]) => [round(x!)])),
      ys: JSON.stringify(mlpXs.map(([x]) => [round(x! * x!)])),
    },
    xCoord: 0,
    yCoord: 1,
    xRange: [-1.5, 2.5],
    yRange: [-2.3, 1.7],
  },
  {
    id: "rosenbrock",
    title: "Rosenbrock function",
    source: rosenbrock,
    fn: "rosenbrock",
    emit: ["grad"],
    args: { x: "[0, 1]" },
    xRange: [-2, 2],
    yRange: [-1, 3],
  },
  {
    id: "logreg",
    title: "Logistic regression loss",
    source: logreg,
    fn: "logisticLoss",
    wrt: ["w", "b"],
    emit: ["grad"],
    args: {
      w: "[0.5, -0.5]",
      b: "0",
      X: "[[1, 2], [2, 1], [-1, -1.5], [-2, -0.5], [0.5, 1.5], [-1.5, 0.5]]",
      y: "[1, 1, 0, 0, 1, 0]",
    },
    xRange: [-4, 4],
    yRange: [-4, 4],
  },
  {
    id: "rk4",
    title: "RK4 ODE (damped pendulum, Jacobian of the final state)",
    source: rk4,
    fn: "rk4",
    wrt: ["y0", "damping"],
    emit: ["jvp"],
    args: { y0: "[1, 0]", damping: "0.2", h: "0.1", steps: "50" },
  },
];
