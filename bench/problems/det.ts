/**
 * The determinant by expansion by minors along the first row, recursively, as GradBench's det eval
 * defines it (after cmpad's det_by_minor): far too slow for anything but small matrices, and a
 * good test of differentiating recursion.
 *
 * Exports:
 *   det(a: number[], ell: number): number
 *     a: an ell×ell matrix, row by row. Differentiate with respect to a (the gradient is the
 *     cofactor matrix, det(A)·A⁻ᵀ).
 */

/**
 * The determinant of the minor made of rows row … ell−1 and the given columns (in increasing
 * order), expanded along its first row. Each term gets a fresh list of the other columns (a
 * recursive function that writes into its parameters cannot be differentiated).
 */
function minorDeterminant(a: number[], ell: number, row: number, columns: number[]): number {
  if (columns.length === 1) {
    return a[row * ell + columns[0]];
  }
  let determinant = 0;
  let sign = 1;
  for (let k = 0; k < columns.length; k++) {
    const others: number[] = [];
    for (let i = 0; i < columns.length; i++) {
      if (i !== k) others.push(columns[i]);
    }
    determinant += sign * a[row * ell + columns[k]] * minorDeterminant(a, ell, row + 1, others);
    sign = -sign;
  }
  return determinant;
}

export function det(a: number[], ell: number): number {
  const columns: number[] = [];
  for (let j = 0; j < ell; j++) {
    columns.push(j);
  }
  return minorDeterminant(a, ell, 0, columns);
}
