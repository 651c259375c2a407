/** `hello`: `square` from the source, `double` (its derivative) from the tsad-generated module. */
import { square } from "../hello.ts";
import { squareGrad } from "../hello.grad.ts";
import { double } from "../decode.ts";
import { evaluation, type GradBenchModule } from "./module.ts";

export const functions: GradBenchModule = {
  square: (input) => {
    const x = double(input, "input");
    return evaluation(() => square(x), (y) => y);
  },
  double: (input) => {
    const x = double(input, "input");
    return evaluation(() => squareGrad(x).grad.x, (dx) => dx);
  },
};
