/**
 * Prints the sawtooth network's value and derivative (from the generated `sawtoothGrad`) at a
 * few points for depths 0–5: the slope is ±2^depth between kinks.
 *
 *   npx tsad examples/sawtooth.ts --fn sawtooth --wrt x && npx tsx examples/sawtooth-slopes.ts
 */
import { sawtoothGrad } from "./sawtooth.grad.ts";

for (let depth = 0; depth <= 5; depth++) {
  const cells: string[] = [];
  for (const x of [-1.9, -0.7, 0.3, 1.3]) {
    const { value, grad } = sawtoothGrad(x, depth);
    cells.push(`f(${x}) = ${value.toFixed(3).padStart(6)}, f' = ${String(grad.x).padStart(3)}`);
  }
  console.log(`depth ${depth}: ${cells.join("   ")}`);
}
