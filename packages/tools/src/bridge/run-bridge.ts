import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OxvError, type ErrorCode } from '@oxidizedvision/runtime';
import { TOOLS_KNOWN_ERROR_CODES } from '../errors.js';
import { silentLogger, type Logger } from '../internal/logger.js';

/** The bridge's entry script ships with the package, beside dist/ (packages/tools/python/bridge.py). */
export const BRIDGE_SCRIPT = fileURLToPath(new URL('../../python/bridge.py', import.meta.url));

export interface BridgeCallOptions {
  logger?: Logger;
  onEvent?: (event: { event: string; message: string }) => void;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

interface BridgeReply {
  ok: boolean;
  result?: unknown;
  error?: { code?: string; message?: string; hint?: string; details?: Record<string, unknown> };
}

function toError(reply: BridgeReply): OxvError {
  const code = (
    reply.error?.code && reply.error.code in TOOLS_KNOWN_ERROR_CODES ? reply.error.code : 'ERR_PYTHON_BRIDGE'
  ) as ErrorCode;
  const options = { details: reply.error?.details ?? {}, ...(reply.error?.hint ? { hint: reply.error.hint } : {}) };
  return new OxvError(code, reply.error?.message ?? 'the Python bridge failed without a message', options);
}

function handleStderrLine(line: string, options: BridgeCallOptions, tail: string[]): void {
  if (!line.trim()) return;
  if (line.startsWith('{')) {
    try {
      const event = JSON.parse(line) as { event: string; message: string };
      if (event.event === 'warning') (options.logger ?? silentLogger).warn(`python: ${event.message}`);
      options.onEvent?.(event);
      return;
    } catch {
      // not one of ours: fall through and treat it as plain output
    }
  }
  tail.push(line);
  if (tail.length > 40) tail.shift();
  (options.logger ?? silentLogger).debug(`python: ${line}`);
}

/** Runs one bridge command in a fresh Python process and returns its result (or throws its error). */
export function runBridge<T>(
  python: string,
  command: string,
  request: unknown,
  options: BridgeCallOptions = {},
): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const child = spawn(python, [BRIDGE_SCRIPT, command], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...options.env },
    });
    let stdout = '';
    let pending = '';
    const tail: string[] = [];
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) handleStderrLine(line, options, tail);
    });
    child.on('error', (err) =>
      reject(new OxvError('ERR_PYTHON_NOT_FOUND', `cannot start Python "${python}": ${err.message}`, { cause: err })),
    );
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      handleStderrLine(pending, options, tail);
      const last = stdout.trim().split('\n').pop() ?? '';
      let reply: BridgeReply | undefined;
      try {
        reply = last ? (JSON.parse(last) as BridgeReply) : undefined;
      } catch {
        reply = undefined;
      }
      if (reply?.ok) return resolvePromise(reply.result as T);
      if (reply) return reject(toError(reply));
      const how = signal
        ? `was killed by ${signal}${timer && signal === 'SIGKILL' ? ' (timed out)' : ''}`
        : `exited with code ${code}`;
      reject(
        new OxvError('ERR_PYTHON_BRIDGE', `the Python bridge (${python} ${command}) ${how} without a result`, {
          details: { stderr: tail.join('\n') },
          hint: tail.length ? `Its last output:\n${tail.slice(-8).join('\n')}` : undefined,
        }),
      );
    });
    child.stdin.on('error', () => undefined); // the child may exit before reading; close() reports it
    child.stdin.end(JSON.stringify(request));
  });
}
