/**
 * Synthetic inputs of the shape GradBench's ht eval sends (field names as its JSON): a hand model
 * of 22 bones (a root, a palm, and 4 bones per finger), rigid rest transforms, vertices skinned to
 * two bones each, triangles over the vertices, and observed points near the vertices they
 * correspond to. The bone tree is laid out as ADBench's hand model's (22 bones, 4 per finger);
 * the vertex and triangle counts are ours (544 and 1084 by default).
 *
 * Exports:
 *   htInputs(c, { complicated?, vertices?, triangles?, seed? }): HtInput — c observed points;
 *     with `complicated`, correspondences name triangles and `us` holds c barycentric pairs.
 */
import { seededRandom, standardNormal } from "./inputs.ts";

export interface HtModelJson {
  bone_count: number;
  bone_names: string[];
  parents: number[];
  base_relatives: number[][][];
  inverse_base_absolutes: number[][][];
  base_positions: number[][];
  weights: number[][];
  triangles: number[][];
  is_mirrored: boolean;
}

export interface HtInput {
  theta: number[];
  data: { model: HtModelJson; correspondences: number[]; points: number[][] };
  us: number[][];
}

const BONES = 22;

function product(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((sum, aik, k) => sum + aik * b[k]![j]!, 0)));
}

/** A rotation about a random axis by a random angle below `size`, with translation t, as a 4×4 transform. */
function rigid(random: () => number, size: number, t: number[]): number[][] {
  const axis = [standardNormal(random), standardNormal(random), standardNormal(random)];
  const norm = Math.hypot(...axis);
  const [x, y, z] = axis.map((a) => a / norm) as [number, number, number];
  const angle = size * random();
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return [
    [c + x * x * (1 - c), x * y * (1 - c) - z * s, x * z * (1 - c) + y * s, t[0]!],
    [y * x * (1 - c) + z * s, c + y * y * (1 - c), y * z * (1 - c) - x * s, t[1]!],
    [z * x * (1 - c) - y * s, z * y * (1 - c) + x * s, c + z * z * (1 - c), t[2]!],
    [0, 0, 0, 1],
  ];
}

/** The inverse of a rigid transform [R t; 0 1]: [Rᵀ −Rᵀt; 0 1]. */
function inverseRigid(m: number[][]): number[][] {
  const rows = [0, 1, 2].map((i) => [0, 1, 2].map((j) => m[j]![i]!));
  const t = [0, 1, 2].map((i) => -rows[i]!.reduce((sum, r, j) => sum + r * m[j]![3]!, 0));
  return [...rows.map((row, i) => [...row, t[i]!]), [0, 0, 0, 1]];
}

export function htInputs(c: number, options: { complicated?: boolean; vertices?: number; triangles?: number; seed?: number } = {}): HtInput {
  const { complicated = false, vertices = 544, triangles = 1084, seed = 1 } = options;
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + (high - low) * random();
  const parents = [-1, 0];
  for (let finger = 0; finger < 5; finger++) {
    for (let joint = 0; joint < 4; joint++) parents.push(joint === 0 ? 1 : parents.length - 1);
  }
  const baseRelatives = parents.map((parent, bone) => rigid(random, 0.4, parent === -1 ? [0, 0, 0] : bone === 1 ? [0, 0.05, 0] : [between(-0.03, 0.03), between(0.02, 0.04), between(-0.005, 0.005)]));
  const absolutes: number[][][] = [];
  parents.forEach((parent, bone) => absolutes.push(parent === -1 ? baseRelatives[bone]! : product(absolutes[parent]!, baseRelatives[bone]!)));
  const basePositions: number[][] = [];
  const weights: number[][] = [];
  for (let v = 0; v < vertices; v++) {
    const bone = 1 + Math.floor(random() * (BONES - 1));
    const local = [between(-0.01, 0.01), between(0, 0.03), between(-0.01, 0.01), 1];
    basePositions.push(absolutes[bone]!.map((row) => row.reduce((sum, r, j) => sum + r * local[j]!, 0)));
    const row = new Array<number>(BONES).fill(0);
    const share = between(0.5, 1);
    row[bone] = share;
    row[parents[bone]!] = 1 - share;
    weights.push(row);
  }
  const faces = Array.from({ length: triangles }, () => {
    const a = Math.floor(random() * vertices);
    return [a, (a + 1 + Math.floor(random() * (vertices - 1))) % vertices, (a + 1 + Math.floor(random() * (vertices - 2))) % vertices];
  });
  const correspondences = Array.from({ length: c }, () => Math.floor(random() * (complicated ? triangles : vertices)));
  const us = complicated ? Array.from({ length: c }, () => [between(0, 0.5), between(0, 0.5)]) : [];
  const points = correspondences.map((index) => {
    const vertex = basePositions[complicated ? faces[index]![0]! : index]!;
    return [0, 1, 2].map((j) => vertex[j]! + 0.005 * standardNormal(random));
  });
  const model: HtModelJson = {
    bone_count: BONES,
    bone_names: parents.map((_, bone) => `bone${bone}`),
    parents,
    base_relatives: baseRelatives,
    inverse_base_absolutes: absolutes.map(inverseRigid),
    base_positions: basePositions,
    weights,
    triangles: faces,
    is_mirrored: false,
  };
  const theta = Array.from({ length: 26 }, (_, i) => (i < 3 ? between(-0.3, 0.3) : i < 6 ? between(-0.05, 0.05) : between(-0.4, 0.4)));
  return { theta, data: { model, correspondences, points }, us };
}
