import { layoutDetections, type Detection, type RawImage } from '@oxidizedvision/runtime';
import sharp from 'sharp';

const rgb = ([r, g, b]: readonly number[]): string => `rgb(${r},${g},${b})`;

const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * The picture of detections as SVG over the image: boxes, filled label tabs and keypoint dots, placed by
 * the runtime's layoutDetections (the browser page draws the same layout on a canvas). Monospace text, so
 * the label widths the layout computed without measuring fit the glyphs librsvg draws.
 */
export function detectionsSvg(detections: readonly Detection[], width: number, height: number): string {
  const layout = layoutDetections(detections, width, height);
  const half = layout.lineWidth / 2;
  const parts = layout.items.map((item) => {
    const [x1, y1, x2, y2] = item.box;
    const colour = rgb(item.colour);
    // The stroke is drawn inside the box, so a box at the image edge keeps its whole outline.
    const w = Math.max(0, x2 - x1 - layout.lineWidth);
    const h = Math.max(0, y2 - y1 - layout.lineWidth);
    const { x, y, width: lw, height: lh } = item.label;
    const points = item.keypoints
      .map(
        ([kx, ky]) =>
          `<circle cx="${kx}" cy="${ky}" r="${layout.pointRadius}" fill="${colour}" stroke="black" stroke-width="1"/>`,
      )
      .join('');
    return (
      `<rect x="${x1 + half}" y="${y1 + half}" width="${w}" height="${h}" fill="none" stroke="${colour}" stroke-width="${layout.lineWidth}"/>` +
      `<rect x="${x}" y="${y}" width="${lw}" height="${lh}" fill="${colour}"/>` +
      `<text x="${item.textX}" y="${item.textY}" fill="${rgb(item.textColour)}">${escapeXml(item.text)}</text>` +
      points
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `font-family="DejaVu Sans Mono, Liberation Mono, monospace" font-size="${layout.fontSize}">${parts.join('')}</svg>`
  );
}

/** The image with its detections drawn, as RGB pixels (a grey input comes back in colour). */
export async function drawDetections(image: RawImage, detections: readonly Detection[]): Promise<RawImage> {
  const { width, height, channels } = image;
  const svg = Buffer.from(detectionsSvg(detections, width, height));
  const { data, info } = await sharp(image.data, { raw: { width, height, channels } })
    .toColourspace('srgb')
    .composite([{ input: svg, top: 0, left: 0 }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels as 3, data };
}
