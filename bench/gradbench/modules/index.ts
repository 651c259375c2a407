/**
 * The GradBench modules tsad implements, loaded on `define` (so that a tool asked only for `hello`
 * never loads the benchmark problems).
 */
import type { GradBenchModule } from "./module.ts";

type Loader = () => Promise<{ functions: GradBenchModule }>;

export const MODULES: Readonly<Record<string, Loader>> = {
  hello: () => import("./hello.ts"),
  llsq: () => import("./llsq.ts"),
  lse: () => import("./lse.ts"),
  ode: () => import("./ode.ts"),
  gmm: () => import("./gmm.ts"),
  lstm: () => import("./lstm.ts"),
  kmeans: () => import("./kmeans.ts"),
  ba: () => import("./ba.ts"),
  ht: () => import("./ht.ts"),
  particle: () => import("./particle.ts"),
  saddle: () => import("./saddle.ts"),
  det: () => import("./det.ts"),
};

export function isImplemented(name: string): boolean {
  return Object.hasOwn(MODULES, name);
}
