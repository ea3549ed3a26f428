import { defineConfig } from 'vite';
import { offlinePlugin } from './sw-plugin.js';

/**
 * COOP + COEP make the page cross-origin isolated, which is what gives it SharedArrayBuffer and so
 * multi-threaded WASM. `oxidizedvision serve --ui` and the test server send the same two headers.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative URLs so the same build works at / (vite preview, tests) and under /ui/ (serve --ui).
  base: './',
  // Filled by scripts/prepare-assets.mjs; generated, so it lives under the gitignored out/.
  publicDir: 'out/public',
  resolve: {
    // ORT's default browser entry inlines its WASM loader into our worker chunk, and its pthread workers
    // would then re-run that whole chunk. This condition selects the build that imports the loader from
    // ort.env.wasm.wasmPaths instead: out/public/ort/, copied by scripts/prepare-assets.mjs.
    conditions: ['onnxruntime-web-use-extern-wasm'],
  },
  worker: { format: 'es' },
  // The model and samples are cached when first fetched, not precached: a user may never load them.
  plugins: [
    offlinePlugin([
      './ort/ort-wasm-simd-threaded.jsep.mjs',
      './ort/ort-wasm-simd-threaded.jsep.wasm',
      './samples/index.json',
    ]),
  ],
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
