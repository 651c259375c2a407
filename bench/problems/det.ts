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
 * The determinant of the minor made of rows row … ell−1 and the columns columns[row …], which
 * are in increasing order. The expansion moves each column of the minor in turn to
 * columns[row] by one swap (the others stay in increasing order), and puts them back at the end:
 * no array is allocated per call.
 */
function minorDeterminant(a: number[], ell: number, row: number, columns: number[]): number {
  if (row === ell - 1) {
    return a[row * ell + columns[row]];
  }
  let determinant = 0;
  let sign = 1;
  for (let j = row; j < ell; j++) {
    const taken = columns[j];
    columns[j] = columns[row];
    columns[row] = taken;
    determinant += sign * a[row * ell + taken] * minorDeterminant(a, ell, row + 1, columns);
    sign = -sign;
  }
  const last = columns[row];
  for (let j = row; j < ell - 1; j++) {
    columns[j] = columns[j + 1];
  }
  columns[ell - 1] = last;
  return determinant;
}

export function det(a: number[], ell: number): number {
  const columns: number[] = [];
  for (let j = 0; j < ell; j++) {
    columns.push(j);
  }
  return minorDeterminant(a, ell, 0, columns);
}
