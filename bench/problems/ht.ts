/**
 * Hand tracking as ADBench and GradBench's ht eval define it: a skinned hand model is posed by 26
 * parameters (global rotation, global translation, then 4 angles per finger), and each observed
 * 3D point is compared with the model's vertex (the simple variant) or with a point given by
 * barycentric coordinates `us` on a triangle of the model's surface (the complicated variant).
 *
 * Exports:
 *   handErrors(theta: number[], model: HandModel, correspondences: number[], points: number[][]): number[]
 *     theta: 26 pose parameters; correspondences: for each observed point, its vertex;
 *     points: c×3 observed points. Returns the 3c residuals point − vertex, point by point.
 *     Differentiate with respect to theta (a 3c × 26 Jacobian).
 *   handErrorsOnSurface(theta: number[], us: number[][], model: HandModel, correspondences: number[],
 *                       points: number[][]): number[]
 *     The same with correspondences naming triangles and us: c×2 barycentric coordinates (u, v):
 *     the model's point is u·A + v·B + (1 − u − v)·C for the triangle's vertices A, B, C.
 *     Differentiate with respect to theta (a 3c × 26 Jacobian).
 *   handErrorsAlongUs(us, theta, model, correspondences, points): number[] — the same residuals,
 *     differentiated with respect to us by JVPs (residual i depends on us[i] alone, so the two
 *     directions "every u" and "every v" give the whole 3c × 2c block, compressed to 3c × 2).
 *   HandModel: the rest pose, transforms row-major 4×4 (see the interface).
 */

export interface HandModel {
  /** Each bone's parent, always an earlier bone, or −1 for the root. */
  parents: number[];
  /** Each bone's rest transform relative to its parent. */
  baseRelatives: number[][][];
  /** The inverse of each bone's rest transform relative to the model. */
  inverseBaseAbsolutes: number[][][];
  /** The vertices at rest, homogeneous (x, y, z, 1). */
  basePositions: number[][];
  /** For each vertex, the weight of each bone in its position. */
  weights: number[][];
  /** Each triangle's three vertices. */
  triangles: number[][];
  /** A left hand: the model's x axis is mirrored. */
  isMirrored: boolean;
}

function matrixProduct(a: number[][], b: number[][]): number[][] {
  const product: number[][] = [];
  for (let i = 0; i < a.length; i++) {
    const row = new Array<number>(b[0].length).fill(0);
    for (let k = 0; k < b.length; k++) {
      for (let j = 0; j < row.length; j++) {
        row[j] += a[i][k] * b[k][j];
      }
    }
    product.push(row);
  }
  return product;
}

/** The rotation by the angle-axis vector `r`; the identity below an angle of 1e-4. */
function angleAxisToRotation(r: number[]): number[][] {
  const angle = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
  if (angle < 0.0001) {
    return [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
  }
  const x = r[0] / angle;
  const y = r[1] / angle;
  const z = r[2] / angle;
  const s = Math.sin(angle);
  const c = Math.cos(angle);
  return [
    [x * x + (1 - x * x) * c, x * y * (1 - c) - z * s, x * z * (1 - c) + y * s],
    [x * y * (1 - c) + z * s, y * y + (1 - y * y) * c, y * z * (1 - c) - x * s],
    [x * z * (1 - c) - y * s, z * y * (1 - c) + x * s, z * z + (1 - z * z) * c],
  ];
}

/** A joint's rotation from its angles, stored in the order (x, z, y): R = Rz · Ry · Rx. */
function eulerToRotation(angles: number[]): number[][] {
  const [cx, sx] = [Math.cos(angles[0]), Math.sin(angles[0])];
  const [cy, sy] = [Math.cos(angles[2]), Math.sin(angles[2])];
  const [cz, sz] = [Math.cos(angles[1]), Math.sin(angles[1])];
  const rx = [
    [1, 0, 0],
    [0, cx, -sx],
    [0, sx, cx],
  ];
  const ry = [
    [cy, 0, sy],
    [0, 1, 0],
    [-sy, 0, cy],
  ];
  const rz = [
    [cz, -sz, 0],
    [sz, cz, 0],
    [0, 0, 1],
  ];
  return matrixProduct(matrixProduct(rz, ry), rx);
}

/**
 * The pose as one row of 3 numbers per slot: global rotation, scale (fixed at 1), global
 * translation, then one row of joint angles per bone. Each finger has 4 parameters: two angles
 * at its base joint and one at each of the next two joints; its tip and the wrist stay at rest.
 */
function poseFromTheta(theta: number[], boneCount: number): number[][] {
  const pose: number[][] = [];
  for (let i = 0; i < boneCount + 3; i++) {
    pose.push([0, 0, 0]);
  }
  pose[0] = [theta[0], theta[1], theta[2]];
  pose[1] = [1, 1, 1];
  pose[2] = [theta[3], theta[4], theta[5]];
  let next = 6;
  let slot = 5;
  for (let finger = 0; finger < 5; finger++) {
    for (let joint = 0; joint < 3; joint++) {
      pose[slot][0] = theta[next];
      next++;
      if (joint === 0) {
        pose[slot][1] = theta[next];
        next++;
      }
      slot++;
    }
    slot++;
  }
  return pose;
}

/** The model's vertices in the posed hand, one row (x, y, z) per vertex. */
function posedVertices(theta: number[], model: HandModel): number[][] {
  const boneCount = model.parents.length;
  const pose = poseFromTheta(theta, boneCount);

  // Each bone's transform relative to the model, posed, then relative to its rest transform.
  const absolutes: number[][][] = [];
  const transforms: number[][][] = [];
  for (let bone = 0; bone < boneCount; bone++) {
    const rotation = eulerToRotation(pose[bone + 3]);
    const joint = [
      [rotation[0][0], rotation[0][1], rotation[0][2], 0],
      [rotation[1][0], rotation[1][1], rotation[1][2], 0],
      [rotation[2][0], rotation[2][1], rotation[2][2], 0],
      [0, 0, 0, 1],
    ];
    const relative = matrixProduct(model.baseRelatives[bone], joint);
    const parent = model.parents[bone];
    const absolute = parent === -1 ? relative : matrixProduct(absolutes[parent], relative);
    absolutes.push(absolute);
    transforms.push(matrixProduct(absolute, model.inverseBaseAbsolutes[bone]));
  }

  // Linear blend skinning: each vertex moves with its bones, by their weights.
  const vertexCount = model.basePositions.length;
  const positions: number[][] = [];
  for (let v = 0; v < vertexCount; v++) {
    positions.push([0, 0, 0]);
  }
  for (let bone = 0; bone < boneCount; bone++) {
    const transform = transforms[bone];
    for (let v = 0; v < vertexCount; v++) {
      const base = model.basePositions[v];
      const weight = model.weights[v][bone];
      const position = positions[v];
      for (let i = 0; i < 3; i++) {
        const row = transform[i];
        position[i] += weight * (row[0] * base[0] + row[1] * base[1] + row[2] * base[2] + row[3] * base[3]);
      }
    }
  }
  if (model.isMirrored) {
    for (let v = 0; v < vertexCount; v++) {
      positions[v][0] = -positions[v][0];
    }
  }

  // The global rotation (each column scaled by the pose's scale), then the translation.
  const global = angleAxisToRotation(pose[0]);
  const scale = pose[1];
  const translation = pose[2];
  const posed: number[][] = [];
  for (let v = 0; v < vertexCount; v++) {
    const p = positions[v];
    const moved: number[] = [];
    for (let i = 0; i < 3; i++) {
      const row = global[i];
      moved.push(row[0] * scale[0] * p[0] + row[1] * scale[1] * p[1] + row[2] * scale[2] * p[2] + translation[i]);
    }
    posed.push(moved);
  }
  return posed;
}

/** @differentiate wrt=theta emit=jacobian */
export function handErrors(theta: number[], model: HandModel, correspondences: number[], points: number[][]): number[] {
  const vertices = posedVertices(theta, model);
  const errors: number[] = [];
  for (let i = 0; i < correspondences.length; i++) {
    const vertex = vertices[correspondences[i]];
    for (let j = 0; j < 3; j++) {
      errors.push(points[i][j] - vertex[j]);
    }
  }
  return errors;
}

/** @differentiate wrt=theta emit=jacobian */
export function handErrorsOnSurface(theta: number[], us: number[][], model: HandModel, correspondences: number[], points: number[][]): number[] {
  const vertices = posedVertices(theta, model);
  const errors: number[] = [];
  for (let i = 0; i < correspondences.length; i++) {
    const triangle = model.triangles[correspondences[i]];
    const a = vertices[triangle[0]];
    const b = vertices[triangle[1]];
    const c = vertices[triangle[2]];
    const [u, v] = us[i];
    for (let j = 0; j < 3; j++) {
      errors.push(points[i][j] - (u * a[j] + v * b[j] + (1 - u - v) * c[j]));
    }
  }
  return errors;
}

/**
 * handErrorsOnSurface as a function of `us` first: its JVP along "every u" (or "every v") is the
 * Jacobian's column for u (or v), since residual i depends on us[i] alone.
 *
 * @differentiate wrt=us emit=jvp
 */
export function handErrorsAlongUs(us: number[][], theta: number[], model: HandModel, correspondences: number[], points: number[][]): number[] {
  return handErrorsOnSurface(theta, us, model, correspondences, points);
}
