/**
 * Entry script of an inference worker thread: one onnxruntime-node session, warmed up once, then one run
 * at a time as the main thread asks. onnxruntime-node's run() blocks the thread it runs on, which is why
 * it lives here and not on the server's event loop.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createTensor, isDType, type Runner, type Tensor, type TensorInfo } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { joinParts } from '../batching/batch-io.js';
import { countReceived, toPrivateTensor, toSharedTensor } from '../buffers.js';
import { createIdleCollector, enableIdleCollection } from '../idle-collection.js';
import type { CloseMessage, RunMessage, WorkerInit, WorkerMessage } from './protocol.js';
import { forTransfer, toWireError } from './transfer.js';

const port = parentPort;
if (port === null) throw new Error('inference-worker.js must run in a worker thread');
const init = workerData as WorkerInit;

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

/** Zeros at the example shape: the card's example inputs when known, otherwise symbolic dims set to 1. */
function warmupFeeds(inputs: readonly TensorInfo[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const input of inputs) {
    if (!isDType(input.dtype)) {
      throw new Error(`input "${input.name}" has dtype ${input.dtype}, which the server cannot feed`);
    }
    const shape = init.warmupShapes[input.name] ?? input.shape.map((dim) => (typeof dim === 'number' ? dim : 1));
    feeds[input.name] = createTensor(input.dtype, shape);
  }
  return feeds;
}

/**
 * Lowers this thread's priority, and with it that of the intra-op threads onnxruntime creates from it.
 * Linux keeps a nice value per thread (setpriority(2) on the calling thread's id, which `0` means here);
 * elsewhere the call would re-nice the whole server, so it is skipped.
 */
function lowerPriority(nice: number): void {
  if (nice <= 0 || process.platform !== 'linux') return;
  try {
    setPriority(0, nice);
  } catch {
    // A sandbox that forbids it leaves the thread at the server's priority: slower health answers, same results.
  }
}

async function start(): Promise<Runner | undefined> {
  lowerPriority(init.nice);
  try {
    const runner = await createNodeRunner(init.model, { intraOpThreads: init.intraOpThreads });
    const started = performance.now();
    try {
      await runner.run(warmupFeeds(runner.info().inputs));
    } catch (error) {
      throw new Error(`warm-up inference failed: ${toWireError(error).message}`, { cause: error });
    }
    post({ type: 'ready', info: runner.info(), warmupMs: performance.now() - started });
    return runner;
  } catch (error) {
    post({ type: 'init-error', error: toWireError(error) });
    return undefined;
  }
}

/** Shared inputs copied out for onnxruntime (see toPrivateTensor), and outputs moved into shared memory. */
function privateFeeds(feeds: Record<string, Tensor>, scratch: Map<string, ArrayBuffer>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(feeds)) out[name] = toPrivateTensor(tensor, name, scratch);
  return out;
}
function sharedOutputs(outputs: Record<string, Tensor>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(outputs)) out[name] = toSharedTensor(tensor);
  return out;
}

if (init.collectWhenIdle) enableIdleCollection();
const collector = createIdleCollector();
const runner = await start();
if (runner !== undefined) {
  // Reused for every run's shared inputs; a run that starts while another is in flight (the pool does not
  // do that, but nothing here relies on it) gets buffers of its own.
  const scratch = new Map<string, ArrayBuffer>();
  let inFlight = 0;
  port.on('message', (message: RunMessage | CloseMessage) => {
    if (message.type === 'close') {
      // Releasing the session frees its native memory, which terminate() alone would leave behind.
      void runner.dispose().finally(() => process.exit(0));
      return;
    }
    collector.busy();
    // A batch's inputs are views of the requests' bodies: shared memory this thread now holds until it collects.
    countReceived(Object.values(message.parts).flat());
    const joining = performance.now();
    let feeds: Record<string, Tensor>;
    try {
      feeds = privateFeeds(joinParts(message.parts), inFlight === 0 ? scratch : new Map());
    } catch (error) {
      post({ type: 'run-error', id: message.id, error: toWireError(error) });
      return;
    }
    const started = performance.now();
    const inputMs = started - joining;
    inFlight++;
    runner
      .run(feeds, message.outputs === undefined ? undefined : { outputs: message.outputs })
      .then(
        (outputs) => {
          const computeMs = performance.now() - started;
          const { tensors, transfer } = forTransfer(sharedOutputs(outputs));
          post({ type: 'result', id: message.id, outputs: tensors, computeMs, inputMs }, transfer);
        },
        (error: unknown) => post({ type: 'run-error', id: message.id, error: toWireError(error) }),
      )
      .finally(() => {
        inFlight--;
        if (inFlight === 0) collector.idle();
      });
  });
}
