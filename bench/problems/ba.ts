/**
 * Bundle adjustment's residuals, one observation at a time, as ADBench and GradBench's ba eval
 * define them: a camera sees a 3D point at a measured 2D feature; the reprojection error is the
 * weighted difference between where the camera projects the point and the feature, and every
 * observation's weight pays 1 − w² (Zach's robust weighting).
 *
 * Exports:
 *   reprojectionError(camera: number[], point: number[], weight: number, feature: number[]): number[]
 *     camera: 11 numbers [r1 r2 r3 C1 C2 C3 f u0 v0 k1 k2]: an angle-axis rotation r, the camera
 *     centre C, the focal length f, the principal point (u0, v0) and radial distortion k1, k2;
 *     point: 3 coordinates; feature: the measured (x, y). Returns the 2 residuals.
 *     Differentiate with respect to camera, point and weight (a 2 × 15 Jacobian).
 *   weightError(weight: number): number — 1 − weight².
 */

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/**
 * `x` rotated by the angle-axis vector `rotation` (Rodrigues' formula); at angle 0 its first
 * order, x + r × x, which has the right derivative there.
 */
function rotate(rotation: number[], x: number[]): number[] {
  const squaredAngle = rotation[0] * rotation[0] + rotation[1] * rotation[1] + rotation[2] * rotation[2];
  if (squaredAngle === 0) {
    const rotationCrossX = cross(rotation, x);
    return [x[0] + rotationCrossX[0], x[1] + rotationCrossX[1], x[2] + rotationCrossX[2]];
  }
  const angle = Math.sqrt(squaredAngle);
  const cosine = Math.cos(angle);
  const sine = Math.sin(angle);
  const axis = [rotation[0] / angle, rotation[1] / angle, rotation[2] / angle];
  const axisCrossX = cross(axis, x);
  const alongAxis = (axis[0] * x[0] + axis[1] * x[1] + axis[2] * x[2]) * (1 - cosine);
  const rotated: number[] = [];
  for (let i = 0; i < 3; i++) {
    rotated.push(x[i] * cosine + axisCrossX[i] * sine + axis[i] * alongAxis);
  }
  return rotated;
}

/** Where `camera` sees `point`, in pixels. */
function project(camera: number[], point: number[]): number[] {
  const rotation = [camera[0], camera[1], camera[2]];
  const fromCentre = [point[0] - camera[3], point[1] - camera[4], point[2] - camera[5]];
  const inCamera = rotate(rotation, fromCentre);
  const x = inCamera[0] / inCamera[2];
  const y = inCamera[1] / inCamera[2];
  const squaredRadius = x * x + y * y;
  const distortion = 1 + camera[9] * squaredRadius + camera[10] * squaredRadius * squaredRadius;
  const focal = camera[6];
  return [x * distortion * focal + camera[7], y * distortion * focal + camera[8]];
}

/** @differentiate wrt=camera,point,weight emit=jacobian */
export function reprojectionError(camera: number[], point: number[], weight: number, feature: number[]): number[] {
  const projected = project(camera, point);
  return [weight * (projected[0] - feature[0]), weight * (projected[1] - feature[1])];
}

/** @differentiate emit=grad */
export function weightError(weight: number): number {
  return 1 - weight * weight;
}
