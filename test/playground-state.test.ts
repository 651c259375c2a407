/**
 * The playground's pure parts, in Node: the shareable link's encoding (a round trip, and damaged
 * links refused) and the flattening of arguments into plot coordinates.
 */
import { describe, expect, it } from "vitest";
import { decodeState, encodeState, type SharedState } from "../playground/src/share.ts";
import { coordinates, defaultValue, flatten, materialize, readAt, writeAt, type ValueType } from "../playground/src/values.ts";

describe("the shareable link", () => {
  const state: SharedState = {
    source: "export function f(x: number): number {\n  return Math.sin(x) * 2 ** x; // ∂f/∂x — ünïcode\n}\n".repeat(20),
    fn: "f",
    wrt: ["x"],
    emit: ["grad", "hvp"],
    args: { x: "0.5" },
    xRange: [-1, 2],
  };

  it("carries the state through the URL hash, compressed and URL-safe", async () => {
    const hash = await encodeState(state);
    expect(hash).toMatch(/^#s=[A-Za-z0-9_-]+$/);
    expect(hash.length).toBeLessThan(state.source.length / 4);
    expect(await decodeState(hash)).toEqual(state);
  });

  it("refuses other and damaged hashes", async () => {
    const hash = await encodeState(state);
    expect(await decodeState("")).toBeUndefined();
    expect(await decodeState("#section-2")).toBeUndefined();
    expect(await decodeState(hash.slice(0, hash.length / 2))).toBeUndefined();
    expect(await decodeState("#s=!!!")).toBeUndefined();
  });
});

describe("plot coordinates", () => {
  const layer: ValueType = {
    kind: "object",
    fields: [
      { name: "W", type: { kind: "array", element: { kind: "array", element: { kind: "number" } } } },
      { name: "b", type: { kind: "array", element: { kind: "number" } } },
      { name: "name", type: { kind: "string" } },
    ],
  };

  it("flattens depth-first, object fields in the order the type declares them, skipping non-numbers", () => {
    const value = { name: "hidden", b: [5, 6], W: [[1, 2], [3, 4]] };
    expect(coordinates("layer", value, layer).map((c) => c.label)).toEqual(["layer.W[0][0]", "layer.W[0][1]", "layer.W[1][0]", "layer.W[1][1]", "layer.b[0]", "layer.b[1]"]);
    expect(flatten(value, "layer", layer).numbers).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("reads and writes a coordinate where it lives", () => {
    const value = { W: [[1, 2], [3, 4]], b: [5, 6], name: "" };
    const c = coordinates("layer", value, layer)[2]!;
    expect(readAt(value, c.path)).toBe(3);
    writeAt(value, c.path, -7);
    expect(value.W[1]![0]).toBe(-7);
  });

  it("defaults follow the type, and typed arrays are made from JSON lists", () => {
    expect(defaultValue(layer)).toEqual({ W: [[0.5, 0.5], [0.5, 0.5]], b: [0.5, 0.5], name: "" });
    const made = materialize([[1, 2]], { kind: "array", element: { kind: "typedArray", name: "Float64Array" } }) as Float64Array[];
    expect(made[0]).toBeInstanceOf(Float64Array);
    expect(Array.from(made[0]!)).toEqual([1, 2]);
  });
});
