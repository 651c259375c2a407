/**
 * A hand-tracking style model with 26 pose parameters and thousands of outputs: every point of
 * a hand model moves with its finger's four joint angles (bent in the finger's plane), then the
 * whole hand turns by three Euler angles and moves by a translation. The dense Jacobian
 * (outputs × 26) is what a Gauss–Newton fit of the pose needs at every step.
 *
 * theta: [rx, ry, rz, tx, ty, tz, then 4 joint angles for each of 5 fingers].
 * points: per point [finger, distance along the finger, offset across it, depth], flattened.
 */
export function handPose(theta: number[], points: number[]): number[] {
  const cx = Math.cos(theta[0]);
  const sx = Math.sin(theta[0]);
  const cy = Math.cos(theta[1]);
  const sy = Math.sin(theta[1]);
  const cz = Math.cos(theta[2]);
  const sz = Math.sin(theta[2]);
  const out: number[] = [];
  const count = points.length / 4;
  for (let i = 0; i < count; i++) {
    const finger = points[4 * i];
    const along = points[4 * i + 1];
    const across = points[4 * i + 2];
    const depth = points[4 * i + 3];
    // Walk the finger's joints: each bends the rest of the finger by its angle.
    let px = finger * 0.6;
    let py = 0;
    let angle = 0;
    let left = along;
    for (let j = 0; j < 4; j++) {
      angle += theta[6 + 4 * finger + j];
      const segment = Math.min(left, 1);
      px += segment * Math.cos(angle);
      py += segment * Math.sin(angle);
      left = Math.max(left - 1, 0);
    }
    const x = px - across * Math.sin(angle);
    const y = py + across * Math.cos(angle);
    const z = depth;
    // Euler rotation Rz·Ry·Rx, then the translation.
    const y1 = cx * y - sx * z;
    const z1 = sx * y + cx * z;
    const x2 = cy * x + sy * z1;
    const z2 = -sy * x + cy * z1;
    out.push(cz * x2 - sz * y1 + theta[3], sz * x2 + cz * y1 + theta[4], z2 + theta[5]);
  }
  return out;
}
