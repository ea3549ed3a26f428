/**
 * One inference worker of the run pool: a worker_thread holding its own onnxruntime-node session.
 * session.run() blocks its thread for the whole inference, so running it here keeps the main thread free
 * to decode, encode and draw progress while the model works.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import type { Tensor } from '@oxidizedvision/runtime';
import { postTensors } from './transfer.js';

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

try {
  const runner = await createNodeRunner(onnx, { intraOpThreads: threads, interOpThreads: 1 });
  port.postMessage({ ready: true, info: runner.info() });
  // The pool posts a worker its next request while the current one runs; chaining keeps one inference at
  // a time on this thread's session whether or not the binding's run() blocks the thread.
  let previous: Promise<unknown> = Promise.resolve();
  port.on('message', (request: Request) => {
    previous = previous
      .then(() =>
        runner.run(request.feeds).then(
          (outputs) => postTensors(port, request.id, outputs),
          (error: { code?: string; message?: string }) =>
            port.postMessage({
              id: request.id,
              error: { code: error.code ?? 'ERR_INFERENCE', message: error.message ?? String(error) },
            }),
        ),
      )
      // A reply that cannot be posted crashes the worker (the pool then fails its jobs) rather than
      // stopping the chain and leaving every later request unanswered.
      .catch((error: unknown) =>
        process.nextTick(() => {
          throw error;
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
