import type { Tensor } from '@oxidizedvision/runtime';
import { runBridge } from '../bridge/run-bridge.js';
import type { BridgeModelSpec } from '../convert/bridge-request.js';
import { readRawTensor } from '../internal/raw-tensor.js';
import type { Logger } from '../internal/logger.js';
import type { TestInputs } from './inputs.js';

interface ReferenceReply {
  torch_version: string;
  results: Record<string, { name: string; shape: number[]; dtype: string; file: string }[][]>;
  errors: Record<string, { code: string; message: string }>;
}

export interface ReferenceOutputs {
  torchVersion: string;
  /** runner → per test → output name → tensor. */
  outputs: Record<string, Record<string, Tensor>[]>;
  errors: Record<string, { code: string; message: string }>;
}

/** PyTorch eager (and TorchScript) outputs for every test input, computed in one Python process. */
export async function pytorchReference(
  python: string,
  request: {
    model: BridgeModelSpec;
    torchscript: string | null;
    runners: string[];
    inputs: { name: string; shape: number[]; dtype: string }[];
    outputNames: string[];
    tests: TestInputs;
  },
  logger: Logger,
  onEvent: (message: string) => void,
): Promise<ReferenceOutputs> {
  const reply = await runBridge<ReferenceReply>(
    python,
    'reference',
    {
      model: request.model,
      torchscript: request.torchscript,
      runners: request.runners,
      inputs: request.inputs.map(({ name, dtype }) => ({ name, dtype })),
      output_names: request.outputNames,
      // Each test carries its own shapes: image tests need not match the random ones.
      tests: request.tests.files.map((files, i) =>
        Object.fromEntries(
          Object.entries(files).map(([name, file]) => [name, { file, shape: request.tests.feeds[i]![name]!.shape }]),
        ),
      ),
      out_dir: request.tests.dir,
    },
    { logger, onEvent: (e) => onEvent(e.message) },
  );
  const outputs: ReferenceOutputs['outputs'] = {};
  for (const [runner, tests] of Object.entries(reply.results)) {
    outputs[runner] = tests.map((written) =>
      Object.fromEntries(written.map((o) => [o.name, readRawTensor(o.file, o.dtype, o.shape)])),
    );
  }
  return { torchVersion: reply.torch_version, outputs, errors: reply.errors };
}
