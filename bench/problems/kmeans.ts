/**
 * The k-means cost as GradBench's kmeans eval defines it: every point pays the squared Euclidean
 * distance to its closest centroid.
 *
 * Exports:
 *   kmeansCost(points: number[][], centroids: number[][]): number
 *     points: n×d observations; centroids: k×d cluster centres. Differentiate with respect to
 *     centroids. Near a point where no two centroids tie, the cost is a sum of squares per
 *     cluster, so its Hessian is diagonal (2 × the cluster's size on each of its centroid's d
 *     coordinates): the Hessian-vector product along all ones is that diagonal, and
 *     gradient ÷ diagonal is the Newton step the eval asks for.
 */

function squaredDistance(a: number[], b: number[]): number {
  let sum = 0;
  for (let l = 0; l < a.length; l++) {
    const difference = a[l] - b[l];
    sum += difference * difference;
  }
  return sum;
}

export function kmeansCost(points: number[][], centroids: number[][]): number {
  let cost = 0;
  for (const point of points) {
    let closest = Infinity;
    for (const centroid of centroids) {
      const distance = squaredDistance(point, centroid);
      if (distance < closest) closest = distance;
    }
    cost += closest;
  }
  return cost;
}
