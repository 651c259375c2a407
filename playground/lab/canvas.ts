/** The charts' Surface on a page canvas (sharp on high-density screens). */
import type { Surface, TextStyle } from "../../lab/plot/surface.ts";

const FONT = "12px system-ui, -apple-system, 'Segoe UI', sans-serif";

export class CanvasSurface implements Surface {
  private readonly g: CanvasRenderingContext2D;

  constructor(
    canvas: HTMLCanvasElement,
    readonly width: number,
    readonly height: number,
  ) {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.aspectRatio = `${width} / ${height}`;
    this.g = canvas.getContext("2d")!;
    this.g.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  rect(x: number, y: number, w: number, h: number, colour: string): void {
    this.g.fillStyle = colour;
    this.g.fillRect(x, y, w, h);
  }

  polyline(points: readonly (readonly [number, number])[], colour: string, lineWidth: number, dashed = false): void {
    const g = this.g;
    g.beginPath();
    points.forEach(([x, y], i) => (i === 0 ? g.moveTo(x, y) : g.lineTo(x, y)));
    g.strokeStyle = colour;
    g.lineWidth = lineWidth;
    g.lineJoin = "round";
    g.setLineDash(dashed ? [6, 5] : []);
    g.stroke();
    g.setLineDash([]);
  }

  dot(x: number, y: number, radius: number, colour: string): void {
    this.g.beginPath();
    this.g.arc(x, y, radius, 0, 2 * Math.PI);
    this.g.fillStyle = colour;
    this.g.fill();
  }

  text(text: string, x: number, y: number, { colour, align, baseline, vertical = false }: TextStyle): void {
    const g = this.g;
    g.save();
    g.font = FONT;
    g.fillStyle = colour;
    g.textAlign = align;
    g.textBaseline = baseline === "bottom" ? "bottom" : baseline;
    g.translate(x, y);
    if (vertical) g.rotate(-Math.PI / 2);
    g.fillText(text, 0, 0);
    g.restore();
  }
}
