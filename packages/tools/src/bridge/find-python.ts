import { OxvError } from '@oxidizedvision/runtime';
import { runBridge } from './run-bridge.js';
import { silentLogger, type Logger } from '../internal/logger.js';

export interface PythonInfo {
  python: string;
  python_version: string;
  torch: string;
  torchvision: string | null;
  onnx: string | null;
  onnxscript: string | null;
  numpy: string | null;
  exporter_has_dynamo_flag: boolean;
  exporter_max_opset: number | null;
  /** Where the interpreter came from: --python, OXV_PYTHON, config, or probing. */
  source: string;
}

interface ProbeReply extends Omit<PythonInfo, 'source' | 'torch'> {
  torch: string | null;
  torch_error?: string;
}

export interface FindPythonOptions {
  /** `--python` flag. */
  flag?: string | undefined;
  /** Config `python:`. */
  config?: string | undefined;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

const INSTALL_HINT =
  'Install PyTorch for one of them, e.g. on Debian/Ubuntu: sudo apt-get install python3-torch python3-torchvision python3-onnx ' +
  '(then it imports from /usr/bin/python3), or: python3 -m pip install torch torchvision onnx. ' +
  'Or point --python, OXV_PYTHON or the config\'s "python:" at an interpreter that imports torch.';

const cache = new Map<string, Promise<ProbeReply>>();

function probe(python: string, logger: Logger): Promise<ProbeReply> {
  let pending = cache.get(python);
  if (!pending) {
    pending = runBridge<ProbeReply>(python, 'probe', {}, { logger, timeoutMs: 120_000 });
    cache.set(python, pending);
  }
  return pending;
}

/**
 * Finds a Python that imports torch: --python, then OXV_PYTHON, then the config's `python:`, then
 * `python3` on PATH, then /usr/bin/python3 (where Debian's python3-torch installs). An interpreter the
 * user named explicitly is never silently replaced by another: if it cannot import torch, that is the error.
 */
export async function findPython(options: FindPythonOptions = {}): Promise<PythonInfo> {
  const logger = options.logger ?? silentLogger;
  const env = options.env ?? process.env;
  const explicit: [string, string | undefined][] = [
    ['--python', options.flag],
    ['OXV_PYTHON', env.OXV_PYTHON],
    ['config "python:"', options.config],
  ];
  const named = explicit.find(([, value]) => value);
  const candidates: [string, string][] = named
    ? [[named[0], named[1]!]]
    : [
        ['PATH', 'python3'],
        ['Debian default', '/usr/bin/python3'],
      ];
  const failures: string[] = [];
  for (const [source, python] of candidates) {
    try {
      const reply = await probe(python, logger);
      if (reply.torch) {
        logger.debug({ python: reply.python, torch: reply.torch, source }, 'using Python');
        return { ...reply, torch: reply.torch, source };
      }
      failures.push(`${python} (${source}): cannot import torch (${reply.torch_error ?? 'unknown error'})`);
    } catch (err) {
      failures.push(`${python} (${source}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new OxvError('ERR_PYTHON_NOT_FOUND', `No Python with PyTorch found. Tried:\n  ${failures.join('\n  ')}`, {
    hint: INSTALL_HINT,
    details: { tried: failures },
  });
}
