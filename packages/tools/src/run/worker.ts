/**
 * One inference worker of the run pool: a worker_thread holding its own onnxruntime-node session.
 * session.run() blocks its thread for the whole inference, so running it here keeps the main thread free
 * to decode, encode and draw progress while the model works.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import type { Tensor } from '@oxidizedvision/runtime';

interface Data {
  onnx: string;
  threads: number;
}
interface Request {
  id: number;
  feeds: Record<string, Tensor>;
}

const { onnx, threads } = workerData as Data;
const port = parentPort!;

const buffersOf = (tensors: Record<string, Tensor>): ArrayBuffer[] =>
  Object.values(tensors).map((t) => t.data.buffer as ArrayBuffer);

try {
  const runner = await createNodeRunner(onnx, { intraOpThreads: threads, interOpThreads: 1 });
  port.postMessage({ ready: true, info: runner.info() });
  port.on('message', (request: Request) => {
    runner.run(request.feeds).then(
      (outputs) => {
        // Copy out of onnxruntime's buffers into plain ones we can transfer instead of clone.
        const plain: Record<string, Tensor> = {};
        for (const [name, t] of Object.entries(outputs))
          plain[name] = { dtype: t.dtype, shape: [...t.shape], data: t.data.slice() } as Tensor;
        port.postMessage({ id: request.id, outputs: plain }, buffersOf(plain));
      },
      (error: { code?: string; message?: string }) =>
        port.postMessage({
          id: request.id,
          error: { code: error.code ?? 'ERR_INFERENCE', message: error.message ?? String(error) },
        }),
    );
  });
} catch (error) {
  const err = error as { code?: string; message?: string; hint?: string };
  port.postMessage({
    ready: false,
    error: { code: err.code ?? 'ERR_MODEL_LOAD', message: err.message ?? String(error), hint: err.hint },
  });
}
