import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ModelManager, ModelState } from '../models/types.js';

/** Seconds; spans a 1 ms health check to a 30 s timeout so percentiles work for small and large models. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const STATES: readonly ModelState[] = ['LOADING', 'READY', 'UNLOADING', 'UNAVAILABLE'];
const MODEL_LABELS = ['model', 'version'] as const;
/** The request metrics also say which front end a request came through: 'http', 'grpc', or '' for direct callers. */
const REQUEST_LABELS = [...MODEL_LABELS, 'protocol'] as const;

/** The front ends that count requests; a refusal before the manager names its own. */
export type Protocol = 'http' | 'grpc';

/**
 * Label value for a model name taken from a URL. Names the manager does not know collapse into one value,
 * so a client cannot grow the series count without bound by calling random model names.
 */
export const UNKNOWN_MODEL = '_unknown';

/** The model a request is about, recorded as soon as the route knows it, for failure metrics. */
export interface RequestTarget {
  model: string;
  version: string;
}

export interface ServerMetrics {
  readonly registry: Registry;
  /** A request refused before it reached ModelManager.infer (bad JSON, auth, unknown model…). */
  recordRejected(target: RequestTarget | null, reason: string, protocol?: Protocol): void;
  /** Counts a ModelManager.infer call as pending until the returned function is called. */
  trackPending(model: string): () => void;
  observeHttp(method: string, route: string, status: number, seconds: number): void;
  /** One gRPC call answered: its method (ModelInfer…) and status code name (OK, INVALID_ARGUMENT…). */
  observeGrpc(method: string, code: string, seconds: number): void;
  /** Inference requests answered and how many failed, for the original's `GET /health` body. */
  totals(): { requests: number; errors: number };
}

/**
 * A prom-client registry per server (two servers in one process never share series). Request outcomes
 * and timings come from the manager's events, so every request is counted once, at the place that knows
 * its real version and reason; the HTTP layer adds only what the manager never sees.
 */
export function createServerMetrics(manager: ModelManager, options: { processMetrics: boolean }): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const known = (model: string): boolean => manager.list().some((s) => s.name === model);
  const labelModel = (model: string): string => (known(model) ? model : UNKNOWN_MODEL);
  // A request without /versions/{v} in its path is for the serving version: label it so, as the manager does.
  const servingVersion = (model: string): string => {
    try {
      return manager.metadata(model).version;
    } catch {
      return '';
    }
  };
  const totals = { requests: 0, errors: 0 };

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[] = LATENCY_BUCKETS,
  ): Histogram<L> => new Histogram({ name, help, labelNames, buckets, registers: [registry] });

  const success = counter(
    'oxv_inference_request_success_total',
    'Inference requests that succeeded (a request with batch n counts 1), by model and protocol.',
    REQUEST_LABELS,
  );
  const failure = counter(
    'oxv_inference_request_failure_total',
    'Inference requests that failed, by error code (ERR_INPUT_SHAPE, ERR_QUEUE_FULL, ERR_UNAUTHORIZED…) and protocol.',
    [...REQUEST_LABELS, 'reason'],
  );
  const requestSeconds = histogram(
    'oxv_inference_request_duration_seconds',
    'Time from the manager accepting a request to its result (queue + compute), by protocol.',
    REQUEST_LABELS,
  );
  const queueSeconds = histogram(
    'oxv_inference_queue_duration_seconds',
    'Time a request waited for a batch slot.',
    MODEL_LABELS,
  );
  const computeSeconds = histogram(
    'oxv_inference_compute_duration_seconds',
    'Inference time of the batch a request ran in.',
    MODEL_LABELS,
  );
  const batchSize = histogram(
    'oxv_inference_batch_size',
    'Samples per model execution (sum/count = average batch size).',
    MODEL_LABELS,
    BATCH_BUCKETS,
  );
  const pending = new Gauge({
    name: 'oxv_inference_pending_requests',
    help: 'Requests handed to a model and not answered yet (queued or running).',
    labelNames: ['model'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'oxv_model_state',
    help: '1 for the state each model version is in (LOADING, READY, UNLOADING, UNAVAILABLE), 0 for the others.',
    labelNames: ['model', 'version', 'state'] as const,
    registers: [registry],
    // Read at scrape time, so the gauge can never drift from what the manager reports.
    collect() {
      this.reset();
      for (const s of manager.list()) {
        for (const state of STATES) this.set({ model: s.name, version: s.version, state }, s.state === state ? 1 : 0);
      }
    },
  });
  const httpRequests = counter(
    'oxv_http_requests_total',
    'HTTP requests by route pattern and status code (every route, including rejected ones).',
    ['method', 'route', 'status'],
  );
  const httpSeconds = histogram(
    'oxv_http_request_duration_seconds',
    'HTTP request time from the first byte read to the response sent.',
    ['method', 'route'],
  );
  const grpcCalls = counter(
    'oxv_grpc_requests_total',
    'gRPC calls by method and status code (every call, including refused ones; a stream counts once).',
    ['method', 'code'],
  );
  const grpcSeconds = histogram(
    'oxv_grpc_request_duration_seconds',
    'gRPC call time from the request received to the status sent.',
    ['method'],
  );

  manager.on('request', (e) => {
    totals.requests++;
    const labels = { model: e.model, version: e.version };
    const withProtocol = { ...labels, protocol: e.protocol ?? '' };
    if (e.ok) success.inc(withProtocol);
    else {
      totals.errors++;
      failure.inc({ ...withProtocol, reason: e.reason ?? 'ERR_INFERENCE' });
    }
    requestSeconds.observe(withProtocol, e.totalMs / 1000);
    queueSeconds.observe(labels, e.queueMs / 1000);
    if (e.ok) computeSeconds.observe(labels, e.computeMs / 1000);
  });
  manager.on('batch', (e) => batchSize.observe({ model: e.model, version: e.version }, e.size));

  return {
    registry,
    recordRejected(target, reason, protocol = 'http') {
      totals.requests++;
      totals.errors++;
      const model = target ? labelModel(target.model) : '';
      const version = target && model !== UNKNOWN_MODEL ? target.version || servingVersion(target.model) : '';
      failure.inc({ model, version, protocol, reason });
    },
    trackPending(model) {
      // The label is fixed here: an unload while the request runs must not move its decrement elsewhere.
      const labels = { model: labelModel(model) };
      pending.inc(labels);
      return () => pending.dec(labels);
    },
    observeHttp(method, route, status, seconds) {
      httpRequests.inc({ method, route, status: String(status) });
      httpSeconds.observe({ method, route }, seconds);
    },
    observeGrpc(method, code, seconds) {
      grpcCalls.inc({ method, code });
      grpcSeconds.observe({ method }, seconds);
    },
    totals: () => ({ ...totals }),
  };
}
