/// <reference lib="webworker" />
/**
 * Runs the model off the main thread: a UNet run blocks its thread for ~100 ms+ in WASM, and the page
 * must stay responsive (and keyboard operable) meanwhile. One runner per worker; loading a new model
 * disposes the previous one.
 */
import { createTensor, isOxvError, toFloat64Array, type Runner } from '@oxidizedvision/runtime';
import { createWebRunner, setWasmPaths } from '@oxidizedvision/runtime/web';
import { chooseBackend } from './backend-choice.js';
import type {
  BackendChoice,
  LoadResult,
  RunResult,
  TrialRequest,
  TrialResult,
  WorkerRequest,
  WorkerResponse,
} from './protocol.js';
import { runTrial } from './worker-trial.js';

let runner: Runner | undefined;
/** How the loaded runner was created: the trial loads the other variants the same way. */
let loaded: { choice: BackendChoice; loadMs: number } | undefined;

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  try {
    const result =
      request.type === 'load'
        ? await load(request)
        : request.type === 'run'
          ? await run(request)
          : await trial(request);
    // Each buffer once: the main output is one of `outputs`, and a buffer listed twice cannot be transferred.
    // (A LoadResult has `outputs` too, as tensor infos: only a RunResult has `output`.)
    const transfer =
      'output' in result ? [...new Set(Object.values(result.outputs).map((o) => o.data.buffer as ArrayBuffer))] : [];
    post({ id: request.id, ok: true, result }, transfer);
  } catch (error) {
    const code = isOxvError(error) ? error.code : 'ERR_INFERENCE';
    post({ id: request.id, ok: false, error: { code, message: (error as Error).message ?? String(error) } });
  }
};

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(message, transfer);
}

async function load(request: Extract<WorkerRequest, { type: 'load' }>): Promise<LoadResult> {
  // The wasm binary and its loader are served with the page (copied at build time): no CDN, works offline.
  setWasmPaths(request.ortBase);
  const choice = await chooseBackend(request.backend, request.threads);
  await runner?.dispose();
  runner = undefined;
  loaded = undefined;
  const started = performance.now();
  runner = await createWebRunner(request.model, { executionProvider: choice.provider, intraOpThreads: choice.threads });
  const loadMs = performance.now() - started;
  loaded = { choice, loadMs };
  const info = runner.info();
  return { choice, inputs: info.inputs, outputs: info.outputs, loadMs };
}

async function trial(request: TrialRequest): Promise<TrialResult> {
  if (!runner || !loaded) throw new Error('load a model first');
  const { choice } = loaded;
  const contender = { variant: request.loaded, runner, loadMs: loaded.loadMs };
  // The trial owns (and may dispose) the loaded runner until it hands back the winner.
  runner = undefined;
  const create = (model: Uint8Array) =>
    createWebRunner(model, { executionProvider: choice.provider, intraOpThreads: choice.threads });
  const { result, winner } = await runTrial(request, contender, choice, create, (progress) =>
    post({ id: request.id, progress }),
  );
  runner = winner.runner;
  loaded = { choice, loadMs: winner.loadMs };
  return result;
}

async function run(request: Extract<WorkerRequest, { type: 'run' }>): Promise<RunResult> {
  if (!runner) throw new Error('load a model first');
  const info = runner.info();
  const feeds = { [info.inputs[0]!.name]: createTensor('float32', request.shape, request.input) };
  const outputName = request.output ?? info.outputs[0]!.name;
  let started = performance.now();
  const results = await runner.run(feeds);
  const firstMs = performance.now() - started;
  const times: number[] = [];
  for (let i = 1; i < request.repeats; i++) {
    started = performance.now();
    await runner.run(feeds);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const steadyP50Ms = times.length > 0 ? times[Math.floor((times.length - 1) / 2)]! : null;
  // Copies: the runner may hand back views over memory it reuses. int64 (a detector's labels) as numbers.
  const outputs = Object.fromEntries(
    Object.entries(results).map(([name, t]) => [
      name,
      { data: Float32Array.from(toFloat64Array(t)), shape: [...t.shape] },
    ]),
  );
  const main = outputs[outputName];
  if (!main) throw new Error(`the model has no output "${outputName}"`);
  return { output: main.data, shape: main.shape, outputs, firstMs, steadyP50Ms };
}
