/**
 * LSTM objective as ADBench and GradBench define it (see BENCH-PROBLEMS.md): diagonal weights,
 * log-softmax loss over a sequence of b-bit characters, with the suites' "+2" in the log-sum-exp.
 *
 * Exports:
 *   lstmObjective(mainParams: number[][], extraParams: number[][], state: number[][],
 *                 sequence: number[][]): number
 *     mainParams: 2l × 4b (row 2i: layer i's weights [forget, input, output, change], row 2i+1:
 *     its biases); extraParams: 3 × b (input weight, output weight, output bias); state: 2l × b
 *     (row 2i hidden, row 2i+1 cell; copied, never changed); sequence: c × b of 0/1.
 *     Differentiate with respect to mainParams and extraParams.
 */

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function lstmObjective(mainParams: number[][], extraParams: number[][], state: number[][], sequence: number[][]): number {
  const layers = mainParams.length / 2;
  const b = sequence[0].length;
  const c = sequence.length;
  const hidden: number[][] = [];
  const cell: number[][] = [];
  for (let layer = 0; layer < layers; layer++) {
    hidden.push(state[2 * layer].slice());
    cell.push(state[2 * layer + 1].slice());
  }

  let total = 0;
  const input = new Array(b).fill(0);
  const prediction = new Array(b).fill(0);
  for (let t = 0; t < c - 1; t++) {
    for (let i = 0; i < b; i++) {
      input[i] = sequence[t][i] * extraParams[0][i];
    }
    for (let layer = 0; layer < layers; layer++) {
      const weight = mainParams[2 * layer];
      const bias = mainParams[2 * layer + 1];
      const h = hidden[layer];
      const s = cell[layer];
      for (let i = 0; i < b; i++) {
        const forget = sigmoid(input[i] * weight[i] + bias[i]);
        const ingate = sigmoid(h[i] * weight[b + i] + bias[b + i]);
        const outgate = sigmoid(input[i] * weight[2 * b + i] + bias[2 * b + i]);
        const change = Math.tanh(h[i] * weight[3 * b + i] + bias[3 * b + i]);
        s[i] = s[i] * forget + ingate * change;
        h[i] = outgate * Math.tanh(s[i]);
      }
      for (let i = 0; i < b; i++) {
        input[i] = h[i];
      }
    }
    let sumExp = 0;
    for (let i = 0; i < b; i++) {
      prediction[i] = input[i] * extraParams[1][i] + extraParams[2][i];
      sumExp += Math.exp(prediction[i]);
    }
    const lse = Math.log(sumExp + 2);
    for (let i = 0; i < b; i++) {
      total += sequence[t + 1][i] * (prediction[i] - lse);
    }
  }
  return -total / ((c - 1) * b);
}
