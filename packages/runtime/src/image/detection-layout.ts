import type { Detection } from './detection.js';

/**
 * Where the boxes, labels and keypoints of a picture of detections go: pure geometry that the CLI (SVG
 * through sharp) and the browser page (canvas) both draw from, so a picture reads the same in both.
 */
export interface DetectionLayout {
  /** Box outline width, label font size and keypoint radius, in image pixels, scaled with the image. */
  lineWidth: number;
  fontSize: number;
  pointRadius: number;
  items: DetectionShape[];
}

export interface DetectionShape {
  box: [number, number, number, number];
  colour: [number, number, number];
  /** Black or white, whichever reads better on `colour`. */
  textColour: [number, number, number];
  text: string;
  /** The filled label background, inside the image. */
  label: { x: number; y: number; width: number; height: number };
  /** Text start and baseline. */
  textX: number;
  textY: number;
  keypoints: [number, number][];
}

/**
 * Glyph advance of a monospace font in ems: DejaVu Sans Mono's is 0.602, Liberation Mono's and Courier's
 * 0.6. Both drawers ask for a monospace font, so a label's width is known here without measuring text.
 */
const MONO_ADVANCE = 0.61;

/** A distinct colour per class id (golden-angle hues at full saturation); the same ids get the same colours. */
export function classColour(id: number): [number, number, number] {
  const hue = (id * 137.508) % 360;
  const f = (n: number): number => {
    const k = (n + hue / 60) % 6;
    return Math.round(255 * (1 - Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

/**
 * Sizes scale with the image's shorter side, so labels stay legible on a 4000-pixel photo and do not
 * cover a 200-pixel thumbnail: a 1000-pixel side gets 4 px lines and 36 px text, never under 1 px and 12 px.
 */
export function detectionStyle(width: number, height: number): Omit<DetectionLayout, 'items'> {
  const side = Math.min(width, height);
  const lineWidth = Math.max(1, Math.round(side / 250));
  return { lineWidth, fontSize: Math.max(12, Math.round(side / 28)), pointRadius: Math.max(2, lineWidth * 1.5) };
}

const luma = ([r, g, b]: [number, number, number]): number => 0.299 * r + 0.587 * g + 0.114 * b;

/**
 * The label goes above its box's top-left corner, or just inside the box where there is no room above
 * (a box touching the top edge), and is shifted left where it would run off the right edge.
 */
export function layoutDetections(detections: readonly Detection[], width: number, height: number): DetectionLayout {
  const style = detectionStyle(width, height);
  const pad = Math.round(style.fontSize * 0.2);
  const labelHeight = Math.round(style.fontSize * 1.25);
  const items = detections.map((d): DetectionShape => {
    const text = `${d.label} ${Math.round(d.score * 100)}%`;
    const labelWidth = Math.min(width, Math.ceil(text.length * style.fontSize * MONO_ADVANCE) + 2 * pad);
    const [x1, y1] = d.box;
    const x = Math.max(0, Math.min(Math.floor(x1), width - labelWidth));
    const above = Math.floor(y1) - labelHeight;
    const y = above >= 0 ? above : Math.max(0, Math.min(Math.floor(y1), height - labelHeight));
    const colour = classColour(d.class_id);
    return {
      box: d.box,
      colour,
      textColour: luma(colour) > 140 ? [0, 0, 0] : [255, 255, 255],
      text,
      label: { x, y, width: labelWidth, height: labelHeight },
      textX: x + pad,
      // The baseline sits a fifth of the font below the centre line, which centres digits and lower case.
      textY: y + Math.round(labelHeight / 2 + style.fontSize * 0.35),
      keypoints: (d.keypoints ?? []).filter((k) => k[2] > 0).map(([kx, ky]) => [kx, ky]),
    };
  });
  return { ...style, items };
}
