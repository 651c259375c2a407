import { train } from "./train.ts";

const xs = [-2, -1.5, -0.5, 0.2, 0.9, 1.4, 2.2, 3];
const labels = [-1, -1, -1, 1, -1, 1, 1, 1];
const { w, b, losses } = train(xs, labels);
const log = document.getElementById("log")!;
log.textContent = `loss ${losses[0]!.toFixed(4)} → ${losses.at(-1)!.toFixed(4)}\nw = ${w.toFixed(3)}, b = ${b.toFixed(3)}`;
