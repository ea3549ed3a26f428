import type { MessagePort } from 'node:worker_threads';
import type { Tensor } from '@oxidizedvision/runtime';

const buffersOf = (tensors: Record<string, Tensor>): ArrayBuffer[] => [
  ...new Set(Object.values(tensors).map((t) => t.data.buffer as ArrayBuffer)),
];

/**
 * Posts `{ id, outputs }` moving the tensors' buffers instead of cloning them. onnxruntime-node 1.30
 * returns outputs in ordinary ArrayBuffers, which transfer, so a reply copies nothing (copying a 256×256
 * RGB float output cost 0.2–0.8 core-ms). Node never moves a buffer it marks untransferable (external
 * memory with a native free callback, as other onnxruntime builds may return): Node 20 clones it instead,
 * newer versions throw DataCloneError before anything is sent or detached, and then the outputs are copied
 * into plain buffers here. Either way the main thread gets its own copy.
 */
export function postTensors(port: Pick<MessagePort, 'postMessage'>, id: number, outputs: Record<string, Tensor>): void {
  try {
    port.postMessage({ id, outputs }, buffersOf(outputs));
  } catch {
    const plain: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(outputs))
      plain[name] = { dtype: t.dtype, shape: [...t.shape], data: t.data.slice() } as Tensor;
    port.postMessage({ id, outputs: plain }, buffersOf(plain));
  }
}
