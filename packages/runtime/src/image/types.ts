/** Decoded pixels, interleaved (HWC), 8 bits per channel: what sharp's raw output and a canvas ImageData give. */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

export type ResizeMode = 'stretch' | 'fit' | 'fill' | 'letterbox';

/** How an image becomes a model input; the model card's `preprocess` section has exactly these fields. */
export interface PreprocessSpec {
  /** [height, width] of the model input. */
  size: readonly [number, number];
  /**
   * stretch: scale each axis to size (aspect ratio not kept, as the original denoiser did);
   * fill: scale to cover, then centre-crop; fit: scale to fit, pad with black;
   * letterbox: scale to fit, pad with grey 114 (the YOLO convention).
   */
  resize: ResizeMode;
  /** Pixel values 0–255 are multiplied by this, then (v - mean[c]) / std[c]. */
  scale: number;
  mean: readonly number[];
  std: readonly number[];
  layout: 'NCHW' | 'NHWC';
  channel_order: 'RGB' | 'BGR' | 'GRAY';
}

/** Where the original image landed inside the model input (for postprocessing back to the source size). */
export interface Placement {
  /** Size the image was scaled to, before cropping or padding. */
  scaledWidth: number;
  scaledHeight: number;
  /** Offset of the scaled image inside the input (negative when cropped by fill). */
  offsetX: number;
  offsetY: number;
}
