/** GradBench's `hello` eval: `square` is the function, `double` its derivative (from hello.grad.ts). */
export function square(x: number): number {
  return x * x;
}
