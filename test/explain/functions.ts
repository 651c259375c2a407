/** Functions whose costs are counted by hand in test/explain.test.ts. */
export function dot(x: number[], y: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

export function scaleShift(x: number[], a: number): number[] {
  return x.map((v) => a * v + 1);
}

export function iterate(x: number[], n: number): number {
  let y = x[0];
  for (let i = 0; i < n; i++) y = Math.sin(y);
  return y;
}

export function pairs(x: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) {
    for (let j = i; j < x.length; j++) out.push(x[i] * x[j]);
  }
  return out;
}

function layer(W: number[][], v: number[]): number[] {
  return W.map((row) => {
    let s = 0;
    for (let j = 0; j < v.length; j++) s += row[j] * v[j];
    return Math.tanh(s);
  });
}

export function net(x: number[], W1: number[][], W2: number[][], W3: number[][]): number[] {
  const h1 = layer(W1, x);
  const h2 = layer(W2, h1);
  const h3 = layer(W3, h2);
  return h3;
}
