import { OxvError } from '../errors.js';
import type { RunOptions, Runner, RunnerInfo } from '../runner.js';
import type { Tensor } from '../tensor.js';
import { firstLine } from '../internal/format.js';
import { fromOrtValue, toOrtTensor, toTensorInfo } from './convert.js';
import type { OrtSessionLike, OrtTensorFactory, OrtTensorLike } from './types.js';
import { validateFeeds } from '../validate-feeds.js';

/**
 * Fatal-only run logging: onnxruntime-node otherwise prints a failing kernel's error to stderr, and the same
 * text already reaches the caller in the ERR_INFERENCE message. Libraries here never print. A fresh object
 * per run because onnxruntime-web writes defaults into the options it is given.
 */
const runOptions = () => ({ logSeverityLevel: 4 as const });

export interface OrtRunnerParams {
  backend: string;
  executionProviders: string[];
  session: OrtSessionLike;
  createOrtTensor: OrtTensorFactory;
  /**
   * Wraps each session.run and the final release. onnxruntime-web needs them serialised (concurrent calls
   * into its WASM instance fail with "Session already started"); onnxruntime-node passes them straight through.
   */
  schedule?: <T>(task: () => Promise<T>) => Promise<T>;
}

/**
 * The Runner both onnxruntime backends share: metadata, feed validation, tensor conversion, error
 * wrapping and dispose semantics live here once, parameterised by the runtime's Tensor factory.
 */
export function createOrtRunner(params: OrtRunnerParams): Runner {
  const { backend, session, createOrtTensor } = params;
  const schedule = params.schedule ?? ((task) => task());
  const info: RunnerInfo = deepFreeze({
    backend,
    executionProviders: [...params.executionProviders],
    inputs: session.inputMetadata.map(toTensorInfo),
    outputs: session.outputMetadata.map(toTensorInfo),
  });
  const inFlight = new Set<Promise<unknown>>();
  let disposal: Promise<void> | undefined;

  async function runOnce(feeds: Record<string, Tensor>, options?: RunOptions): Promise<Record<string, Tensor>> {
    const fetches = validateFeeds(info.inputs, info.outputs, feeds, options?.outputs);
    const ortFeeds: Record<string, OrtTensorLike> = {};
    for (const [name, tensor] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(tensor, createOrtTensor);

    let results: Record<string, unknown>;
    try {
      results = await schedule(() => session.run(ortFeeds, fetches, runOptions()));
    } catch (error) {
      throw new OxvError('ERR_INFERENCE', `${backend} failed to run the model: ${firstLine(error)}`, { cause: error });
    }
    const outputs: Record<string, Tensor> = {};
    for (const name of fetches) outputs[name] = fromOrtValue(name, results[name]);
    return outputs;
  }

  return {
    backend,
    info: () => info,
    run(feeds, options) {
      if (disposal !== undefined) {
        return Promise.reject(
          new OxvError('ERR_RUNNER_DISPOSED', `this ${backend} runner was disposed; create a new one`),
        );
      }
      const pending = runOnce(feeds, options);
      inFlight.add(pending);
      // Tracked only so dispose() can wait; the caller still sees the rejection through `pending`.
      pending.then(
        () => inFlight.delete(pending),
        () => inFlight.delete(pending),
      );
      return pending;
    },
    dispose() {
      // Releasing a session under a running inference crashes or corrupts it, so wait for runs first.
      disposal ??= Promise.allSettled([...inFlight]).then(() => schedule(() => session.release()));
      return disposal;
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
