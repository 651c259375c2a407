/** A Surface on an RGBA pixel buffer, `ratio` device pixels per CSS pixel: what the PNG files show. */
import { glyph, GLYPH_HEIGHT, GLYPH_WIDTH, spell } from "./font.ts";
import type { Surface, TextStyle } from "./surface.ts";

export class Raster implements Surface {
  readonly pixels: Uint8Array;
  readonly pixelWidth: number;
  readonly pixelHeight: number;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly ratio = 2,
  ) {
    this.pixelWidth = Math.round(width * ratio);
    this.pixelHeight = Math.round(height * ratio);
    this.pixels = new Uint8Array(this.pixelWidth * this.pixelHeight * 4).fill(255);
  }

  private put(px: number, py: number, [r, g, b]: readonly number[]): void {
    if (px < 0 || py < 0 || px >= this.pixelWidth || py >= this.pixelHeight) return;
    const i = (py * this.pixelWidth + px) * 4;
    this.pixels[i] = r!;
    this.pixels[i + 1] = g!;
    this.pixels[i + 2] = b!;
    this.pixels[i + 3] = 255;
  }

  /** Fills device pixels [x0, x1) × [y0, y1). */
  private fill(x0: number, y0: number, x1: number, y1: number, [r, g, b]: readonly number[]): void {
    const left = Math.max(0, Math.round(x0));
    const right = Math.min(this.pixelWidth, Math.round(x1));
    const bottom = Math.min(this.pixelHeight, Math.round(y1));
    const pixels = this.pixels;
    for (let py = Math.max(0, Math.round(y0)); py < bottom; py++) {
      for (let i = (py * this.pixelWidth + left) * 4, end = (py * this.pixelWidth + right) * 4; i < end; i += 4) {
        pixels[i] = r!;
        pixels[i + 1] = g!;
        pixels[i + 2] = b!;
        pixels[i + 3] = 255;
      }
    }
  }

  rect(x: number, y: number, w: number, h: number, colour: string): void {
    const k = this.ratio;
    this.fill(x * k, y * k, (x + w) * k, (y + h) * k, parseColour(colour));
  }

  polyline(points: readonly (readonly [number, number])[], colour: string, lineWidth: number, dashed = false): void {
    const rgb = parseColour(colour);
    const k = this.ratio;
    const half = Math.max(0.5, (lineWidth * k) / 2);
    let travelled = 0;
    for (let i = 1; i < points.length; i++) {
      const [ax, ay] = points[i - 1]!;
      const [bx, by] = points[i]!;
      if (![ax, ay, bx, by].every(Number.isFinite)) continue;
      const length = Math.hypot(bx - ax, by - ay) * k;
      const stamps = Math.max(1, Math.ceil(length));
      for (let s = 0; s <= stamps; s++) {
        const along = travelled + (length * s) / stamps;
        if (dashed && Math.floor(along / (6 * k)) % 2 === 1) continue;
        const cx = (ax + ((bx - ax) * s) / stamps) * k;
        const cy = (ay + ((by - ay) * s) / stamps) * k;
        this.fill(cx - half, cy - half, cx + half, cy + half, rgb);
      }
      travelled += length;
    }
  }

  dot(x: number, y: number, radius: number, colour: string): void {
    const rgb = parseColour(colour);
    const k = this.ratio;
    const r = radius * k;
    for (let py = Math.floor(y * k - r); py <= Math.ceil(y * k + r); py++) {
      for (let px = Math.floor(x * k - r); px <= Math.ceil(x * k + r); px++) {
        if ((px + 0.5 - x * k) ** 2 + (py + 0.5 - y * k) ** 2 <= r * r) this.put(px, py, rgb);
      }
    }
  }

  /** Text in the bitmap font, one font pixel per device pixel ratio (5×7 CSS pixels a glyph, 6 apart). */
  text(text: string, x: number, y: number, { colour, align, baseline, vertical = false }: TextStyle): void {
    const rgb = parseColour(colour);
    const k = this.ratio;
    const chars = [...spell(text)];
    const along = chars.length * (GLYPH_WIDTH + 1) - 1;
    const start = align === "left" ? 0 : align === "center" ? -along / 2 : -along;
    const across = baseline === "top" ? 0 : baseline === "middle" ? -GLYPH_HEIGHT / 2 : -GLYPH_HEIGHT;
    chars.forEach((c, n) => {
      glyph(c).forEach((row, gy) =>
        row.forEach((on, gx) => {
          if (!on) return;
          const u = start + n * (GLYPH_WIDTH + 1) + gx;
          const v = across + gy;
          const [cx, cy] = vertical ? [x + v, y - u] : [x + u, y + v];
          this.fill(Math.round(cx * k), Math.round(cy * k), Math.round(cx * k) + k, Math.round(cy * k) + k, rgb);
        }),
      );
    });
  }
}

function parseColour(colour: string): number[] {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour);
  if (!hex) throw new Error(`not a #rrggbb colour: ${colour}`);
  const n = parseInt(hex[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
