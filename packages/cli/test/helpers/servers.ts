import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, REPO } from './cli.js';

export interface Started {
  child: ChildProcess;
  url: string;
  /** Everything the process printed so far, stdout and stderr. */
  output: () => string;
  /** Resolves with the exit code, or the signal that ended it. */
  exit: Promise<number | string | null>;
}

const started: ChildProcess[] = [];

/** Kills whatever a test left running (an afterAll hook calls this). */
export function killStarted(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Starts `node <args>` and resolves once it prints "listening on <url>" on stdout or stderr. */
export function startListening(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Started> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  const exit = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^"\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => output, exit });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exit.then((code) => reject(new Error(`${args.join(' ')} exited with ${code} before listening:\n${output}`)));
  });
}

/** Starts `oxidizedvision serve` on a free port; resolves once it listens (every model loaded). */
export function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  return startListening([BIN, 'serve', '--port', '0', '--log-format', 'json', ...args], {
    cwd: REPO,
    env: { OXV_PYTHON: '', ...env },
  });
}
