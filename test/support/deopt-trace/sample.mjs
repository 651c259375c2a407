// A tiny stand-in for generated code: an adjoint array born as small integers, then given doubles.
function inner(xBar, i, v) { xBar[i] += v; }
function grad(x) {
  const xBar = new Array(x.length).fill(0);
  for (let i = 0; i < x.length; i++) inner(xBar, i, 2 * x[i]);
  return xBar;
}
const ints = Array.from({ length: 200 }, (_, i) => i);
const doubles = ints.map((v) => v + 0.5);
process.stdout.write("@@deopts warm-up grad\n");
for (let k = 0; k < 3000; k++) grad(ints);
process.stdout.write("@@deopts measured grad\n");
for (let k = 0; k < 3000; k++) grad(doubles);
process.stdout.write("@@deopts done grad\n");
