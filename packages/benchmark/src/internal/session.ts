import { spawn } from 'node:child_process';
import { OxvError, type ErrorCode } from '@oxidizedvision/runtime';
import { TOOLS_KNOWN_ERROR_CODES, silentLogger, type Logger } from '@oxidizedvision/tools';

/**
 * A long-lived child process spoken to one JSON line at a time: `{"cmd": …}` on its stdin, one
 * `{"ok": true, "result": …}` or `{"ok": false, "error": {code, message}}` line back on its stdout.
 * Both benchmark workers speak it (the Python bridge's `benchmark` command and ort-worker.js), so the
 * window loop and statistics live once, here in Node, while every timed call happens inside the child.
 */
export interface WorkerSession {
  call<T>(cmd: string, request?: Record<string, unknown>): Promise<T>;
  /** False once the process has exited or failed to start. */
  alive(): boolean;
  /** Closes stdin (the worker exits on end of input) and waits; kills it if it does not go in time. */
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Names the process in errors: "the pytorch worker …". */
  label: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** JSON event lines the child writes on stderr (the Python bridge's progress and warnings). */
  onEvent?: (event: { event: string; message: string }) => void;
}

interface Reply {
  ok: boolean;
  result?: unknown;
  error?: { code?: string; message?: string; hint?: string };
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

function replyError(reply: Reply): OxvError {
  const code = (
    reply.error?.code && reply.error.code in TOOLS_KNOWN_ERROR_CODES ? reply.error.code : 'ERR_INFERENCE'
  ) as ErrorCode;
  return new OxvError(code, reply.error?.message ?? 'the worker failed without a message', {
    ...(reply.error?.hint ? { hint: reply.error.hint } : {}),
  });
}

function parseReply(line: string): Reply | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as Reply;
    return typeof value.ok === 'boolean' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Splits a stream into lines, keeping the unfinished tail for the next chunk. */
function lineReader(onLine: (line: string) => void): { push(chunk: string): void; flush(): void } {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    flush() {
      if (pending) onLine(pending);
      pending = '';
    },
  };
}

export function startSession(command: string, args: string[], options: SessionOptions): WorkerSession {
  const logger = options.logger ?? silentLogger;
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  const queue: Pending[] = [];
  const tail: string[] = [];
  let exited: string | undefined;
  // 'close' follows every start that got a process; a spawn that failed outright only emits 'error'.
  const exit = new Promise<void>((resolve) => {
    child.on('close', () => resolve());
    child.on('error', () => resolve());
  });

  const stdout = lineReader((line) => {
    const reply = parseReply(line);
    if (!reply) return logger.debug(`${options.label}: ${line}`); // stray output of a library, not ours
    const pending = queue.shift();
    if (!pending) return logger.debug(`${options.label}: unexpected reply ${line.slice(0, 200)}`);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(replyError(reply));
  });
  const stderr = lineReader((line) => {
    if (!line.trim()) return;
    if (line.startsWith('{"event"')) {
      try {
        const event = JSON.parse(line) as { event: string; message: string };
        if (event.event === 'warning') logger.warn(`${options.label}: ${event.message}`);
        options.onEvent?.(event);
        return;
      } catch {
        // not an event after all: keep it as plain output
      }
    }
    tail.push(line);
    if (tail.length > 20) tail.shift();
    logger.debug(`${options.label}: ${line}`);
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  child.stdin.on('error', () => undefined); // a worker that died is reported by 'close' below

  const failAll = (error: OxvError) => {
    for (const pending of queue.splice(0)) pending.reject(error);
  };
  child.on('error', (err) => {
    exited = err.message;
    failAll(new OxvError('ERR_BACKEND_UNAVAILABLE', `cannot start the ${options.label} (${command}): ${err.message}`));
  });
  child.on('close', (code, signal) => {
    stdout.flush();
    stderr.flush();
    exited ??= signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const last = tail.slice(-6).join('\n');
    failAll(
      new OxvError('ERR_INFERENCE', `the ${options.label} ${exited}${last ? `; its last output:\n${last}` : ''}`, {
        details: { stderr: tail.join('\n') },
      }),
    );
  });

  return {
    call<T>(cmd: string, request: Record<string, unknown> = {}) {
      if (exited !== undefined) {
        return Promise.reject(new OxvError('ERR_INFERENCE', `the ${options.label} ${exited}`));
      }
      return new Promise<T>((resolve, reject) => {
        queue.push({ resolve: resolve as (value: unknown) => void, reject });
        child.stdin.write(`${JSON.stringify({ cmd, ...request })}\n`);
      });
    },
    alive: () => exited === undefined,
    async close() {
      if (exited === undefined) child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}
