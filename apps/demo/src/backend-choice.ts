import { OxvError } from '@oxidizedvision/runtime';
import type { BackendChoice, BackendRequest } from './protocol.js';

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/**
 * Picks the execution provider and thread count, with the reason the page shows. `navigator.gpu` alone
 * is not enough: headless or blocklisted GPUs expose it but return no adapter, and ORT then fails late
 * with a vaguer error, so the adapter is requested here first.
 */
export async function chooseBackend(request: BackendRequest, threadsOverride?: number): Promise<BackendChoice> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  if (request === 'webgpu' && !adapter) {
    const why = gpu ? 'the browser has WebGPU but offered no GPU adapter' : 'navigator.gpu is undefined';
    throw new OxvError('ERR_BACKEND_UNAVAILABLE', `WebGPU is not available here: ${why}`);
  }
  if (adapter && request !== 'wasm') {
    return {
      provider: 'webgpu',
      threads: 1,
      reason: request === 'webgpu' ? 'WebGPU was asked for' : 'a WebGPU adapter is available',
    };
  }
  const gpuNote = request === 'wasm' ? 'WASM was asked for' : gpu ? 'no WebGPU adapter' : 'no WebGPU in this browser';
  // WASM threads need SharedArrayBuffer, which browsers only give cross-origin isolated pages (COOP+COEP).
  if (!crossOriginIsolated) {
    return {
      provider: 'wasm',
      threads: 1,
      reason: `${gpuNote}; single-threaded: the page is not cross-origin isolated`,
    };
  }
  // Every core, at most 4 — not onnxruntime-web's default of half the cores: inference runs in a worker,
  // so the page's own thread is idle meanwhile. Measured on an idle 2-core machine (docs/benchmarks.md):
  // the UNet's steady run took 83 ms with 2 threads against 150 ms with 1. (On the same machine shared
  // with other jobs, 2 threads were slower: 400 vs 267 ms; ?threads=1 covers that case.)
  const cores = navigator.hardwareConcurrency || 1;
  const threads = threadsOverride ?? Math.max(1, Math.min(4, cores));
  const why = threadsOverride ? 'as asked' : `one per core (${cores}), at most 4`;
  return {
    provider: 'wasm',
    threads,
    reason: `${gpuNote}; ${threads} thread(s), ${why}: the page is cross-origin isolated`,
  };
}
