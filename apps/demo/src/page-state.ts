/**
 * The page's state, exposed read-only as `window.__oxv` for the browser tests and the benchmark (nothing
 * drives the page through it), and the one inference worker every module talks to.
 */
import type { Detection, RawImage } from '@oxidizedvision/runtime';
import type { ServerComparison } from './compare.js';
import type { ModelSpec } from './model-spec.js';
import type { LoadResult, TrialResult } from './protocol.js';
import type { ServerListing } from './server-models.js';
import { createWorkerClient } from './worker-client.js';

export interface PageState {
  state: 'idle' | 'loading' | 'ready' | 'running' | 'done' | 'error';
  model: (ModelSpec & { load: LoadResult }) | null;
  image: RawImage | null;
  input: { shape: number[]; data: Float32Array } | null;
  output: { shape: number[]; data: Float32Array } | null;
  /** A detection model's last result, in the image's pixels. */
  detections: Detection[] | null;
  timings: { loadMs: number; firstMs: number; steadyP50Ms: number | null } | null;
  error: { code: string; message: string } | null;
  compare: ServerComparison | null;
  /** performance.now() when the last run's result was on screen (the benchmark's "first result"). */
  shownAt: number | null;
  /** The server's model listing; `available: false` (with the reason shown) when no server serves this page. */
  server: ServerListing | null;
  /** The last variant trial of a model loaded from the server: what ran, each median, and the pick. */
  variants: (TrialResult & { model: string }) | null;
}

export const page: PageState = {
  state: 'idle',
  model: null,
  image: null,
  input: null,
  output: null,
  detections: null,
  timings: null,
  error: null,
  shownAt: null,
  compare: null,
  server: null,
  variants: null,
};
(window as unknown as { __oxv: PageState }).__oxv = page;

export const client = createWorkerClient();
/** The page's own folder: / when served statically, /ui/ under `serve --ui`. */
export const assets = new URL('./', document.baseURI);
