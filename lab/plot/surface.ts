/**
 * What the charts draw on: a canvas in the page (playground/lab/canvas.ts) or an RGBA raster
 * written as PNG from the command line (raster.ts). Coordinates are CSS pixels, y downwards;
 * colours are `#rrggbb`.
 */
export interface TextStyle {
  colour: string;
  align: "left" | "center" | "right";
  baseline: "top" | "middle" | "bottom";
  /** Rotated a quarter turn anticlockwise (a y-axis label). */
  vertical?: boolean;
}

export interface Surface {
  readonly width: number;
  readonly height: number;
  rect(x: number, y: number, w: number, h: number, colour: string): void;
  polyline(points: readonly (readonly [number, number])[], colour: string, lineWidth: number, dashed?: boolean): void;
  dot(x: number, y: number, radius: number, colour: string): void;
  text(text: string, x: number, y: number, style: TextStyle): void;
}
