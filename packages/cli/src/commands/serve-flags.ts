// Flag parsing and checks for `serve`, kept apart from the command's lifecycle code.
import { OxvError } from '@oxidizedvision/runtime';

/** Drops unset flags, so the defaults they would otherwise overwrite with undefined stay. */
export function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

export interface ServeFlags {
  model: string[];
  modelRepository?: string;
  modelControlMode?: 'none' | 'poll' | 'explicit';
  repositoryPollSecs?: number;
  maxBatchSize?: number;
  maxWaitMs?: number;
  maxQueueDelayMs?: number;
  maxQueueSize?: number;
  timeoutMs?: number;
  instances?: number;
  threads?: number;
  workerNice?: number;
  port: number;
  grpcPort?: number;
  headerTimeoutMs?: number;
  requestTimeoutMs?: number;
  ui?: string | boolean;
}

/** Combinations commander cannot check on its own. */
export function checkFlags(opts: ServeFlags): void {
  if (opts.maxWaitMs !== undefined && opts.maxQueueDelayMs !== undefined && opts.maxWaitMs !== opts.maxQueueDelayMs) {
    throw new OxvError('ERR_USAGE', '--max-wait-ms and --max-queue-delay-ms are the same setting; give one');
  }
  if (opts.model.length === 0 && !opts.modelRepository) {
    throw new OxvError(
      'ERR_USAGE',
      'nothing to serve: give --model name=path.onnx (repeatable) or --model-repository DIR',
    );
  }
  const { headerTimeoutMs: header, requestTimeoutMs: request } = opts;
  if (header !== undefined && request !== undefined && request > 0 && header > request) {
    throw new OxvError(
      'ERR_USAGE',
      `--header-timeout-ms (${header}) exceeds --request-timeout-ms (${request}): the headers are part of the request`,
    );
  }
  if (opts.grpcPort !== undefined && opts.grpcPort !== 0 && opts.grpcPort === opts.port) {
    throw new OxvError('ERR_USAGE', `--grpc-port and --port are both ${opts.port}: HTTP and gRPC need a port each`);
  }
  if (!opts.modelRepository && (opts.modelControlMode || opts.repositoryPollSecs !== undefined)) {
    throw new OxvError('ERR_USAGE', '--model-control-mode and --repository-poll-secs need --model-repository');
  }
}
