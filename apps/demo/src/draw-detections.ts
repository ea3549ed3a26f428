import { layoutDetections, type Detection, type DetectionLayout, type RawImage } from '@oxidizedvision/runtime';
import { drawRaw } from './decode.js';

/** The part of CanvasRenderingContext2D the drawing uses, so a test can record the calls. */
export type Painter = Pick<
  CanvasRenderingContext2D,
  'strokeRect' | 'fillRect' | 'fillText' | 'beginPath' | 'arc' | 'fill' | 'stroke'
> & {
  lineWidth: number;
  font: string;
  textBaseline: CanvasTextBaseline;
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
};

const rgb = ([r, g, b]: readonly number[]): string => `rgb(${r}, ${g}, ${b})`;

/**
 * Draws the runtime's layout (the one `run -o` draws with SVG): each box outlined inside its edges, its
 * label on a filled tab, keypoints as dots. Monospace, so the tab widths the layout computed fit the text.
 */
export function paintDetections(ctx: Painter, layout: DetectionLayout): void {
  ctx.lineWidth = layout.lineWidth;
  ctx.font = `${layout.fontSize}px monospace`;
  ctx.textBaseline = 'alphabetic';
  const half = layout.lineWidth / 2;
  for (const item of layout.items) {
    const [x1, y1, x2, y2] = item.box;
    ctx.strokeStyle = ctx.fillStyle = rgb(item.colour);
    ctx.strokeRect(
      x1 + half,
      y1 + half,
      Math.max(0, x2 - x1 - layout.lineWidth),
      Math.max(0, y2 - y1 - layout.lineWidth),
    );
    ctx.fillRect(item.label.x, item.label.y, item.label.width, item.label.height);
    for (const [kx, ky] of item.keypoints) {
      ctx.beginPath();
      ctx.arc(kx, ky, layout.pointRadius, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.fillStyle = rgb(item.textColour);
    ctx.fillText(item.text, item.textX, item.textY);
  }
}

/** The source image on the canvas at its own size, its detections drawn over it. */
export function drawDetections(canvas: HTMLCanvasElement, image: RawImage, detections: readonly Detection[]): void {
  drawRaw(canvas, image);
  paintDetections(canvas.getContext('2d')!, layoutDetections(detections, image.width, image.height));
}

/** One line per detection for the list beside the picture. */
export function describeDetection(d: Detection): string {
  const box = d.box.map((v) => Math.round(v)).join(', ');
  return `${d.label} — ${(d.score * 100).toFixed(1)}% at [${box}]`;
}
