import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/app.js';
import { DOCUMENTED_ROUTES } from '../src/openapi/document.js';
import { DEFAULT_BODY_LIMIT, resolveServerOptions } from '../src/options.js';
import { FIXTURES } from './http-support/fixtures.js';
import { metricSum } from './http-support/metrics-text.js';
import { createTestManager, startServer, type TestServer } from './http-support/server.js';

const convRequest = { inputs: [{ name: 'x', shape: [1, 3, 8, 8], datatype: 'FP32', data: new Array(192).fill(0.25) }] };

describe('options', () => {
  it('validates once, fills defaults and freezes', () => {
    const options = resolveServerOptions({});
    expect(options).toMatchObject({
      bodyLimit: DEFAULT_BODY_LIMIT,
      inferenceToken: null,
      adminToken: null,
      retryAfterSecs: 1,
    });
    expect(DEFAULT_BODY_LIMIT).toBe(64 * 1024 * 1024);
    expect(Object.isFrozen(options)).toBe(true);
    expect(() => resolveServerOptions({ bodyLimit: -1 })).toThrow(
      /options\.bodyLimit must be an integer ≥ 1 \(got -1\)/,
    );
    expect(() => resolveServerOptions({ adminToken: '' })).toThrow(/adminToken/);
    expect(() => resolveServerOptions({ bodyLimt: 5 } as never)).toThrow(
      /options\.bodyLimt unknown key; did you mean "bodyLimit"\?/,
    );
    expect(() => buildServer({} as never)).toThrow(/options.manager must be a ModelManager/);
  });
});

describe('metrics, request ids, logs and docs', () => {
  let server: TestServer;
  const lines: string[] = [];

  beforeAll(async () => {
    const manager = createTestManager([{ name: 'conv', path: FIXTURES.tinyConv }]);
    await manager.start();
    const app = buildServer({
      manager,
      log: { level: 'info', format: 'json', stream: { write: (l: string) => lines.push(l) } },
    });
    const routes: string[] = [];
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat())
        if (method !== 'HEAD') routes.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
    });
    await app.ready();
    server = {
      app,
      manager,
      url: '',
      close: async () => {
        await app.close();
        await manager.close();
      },
    };
    (server as TestServer & { routes: string[] }).routes = routes;
  });
  afterAll(() => server.close());

  it('exposes request, queue, compute, batch, pending, state and process metrics in Prometheus text', async () => {
    expect(
      (await server.app.inject({ method: 'POST', url: '/v2/models/conv/infer', payload: convRequest })).statusCode,
    ).toBe(200);
    const response = await server.app.inject({ url: '/metrics' });
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    expect(metricSum(text, 'oxv_inference_request_success_total', { model: 'conv', version: '1' })).toBe(1);
    for (const name of ['request', 'queue', 'compute']) {
      expect(metricSum(text, `oxv_inference_${name}_duration_seconds_count`, { model: 'conv' }), name).toBe(1);
    }
    expect(metricSum(text, 'oxv_inference_batch_size_count', { model: 'conv' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^# TYPE oxv_inference_pending_requests gauge$/m);
    expect(metricSum(text, 'oxv_model_state', { model: 'conv', version: '1', state: 'READY' })).toBe(1);
    expect(metricSum(text, 'oxv_model_state', { model: 'conv', state: 'LOADING' })).toBe(0);
    expect(metricSum(text, 'oxv_http_requests_total', { route: '/v2/models/:model/infer', status: '200' })).toBe(1);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('keeps a registry per server', async () => {
    const other = await startServer([{ name: 'conv', path: FIXTURES.tinyConv }]);
    const text = (await other.app.inject({ url: '/metrics' })).body;
    expect(metricSum(text, 'oxv_inference_request_success_total')).toBe(0);
    await other.close();
  });

  it('echoes x-request-id, makes one up when absent or unsafe, and logs it with the request', async () => {
    const given = await server.app.inject({ url: '/v2/health/live', headers: { 'x-request-id': 'client-id-17' } });
    expect(given.headers['x-request-id']).toBe('client-id-17');
    const made = await server.app.inject({ url: '/v2/health/live' });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await server.app.inject({ url: '/v2/health/live', headers: { 'x-request-id': 'a b\tc' } });
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const logged = lines
      .map((l) => JSON.parse(l) as { reqId?: string; msg: string })
      .filter((l) => l.reqId === 'client-id-17');
    expect(logged.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
  });

  it('logs refused requests with their code, never a stack', async () => {
    await server.app.inject({
      method: 'POST',
      url: '/v2/models/conv/infer',
      payload: '{',
      headers: { 'x-request-id': 'bad-json-1' },
    });
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.reqId === 'bad-json-1' && l.code);
    expect(entry).toMatchObject({ code: 'ERR_BAD_REQUEST', status: 400, msg: expect.stringMatching(/not valid JSON/) });
    expect(JSON.stringify(entry)).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it('describes every route in the OpenAPI document at /docs, and renders it at /docs/', async () => {
    const doc = (await server.app.inject({ url: '/docs' })).json() as {
      openapi: string;
      paths: Record<string, object>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const routes = (server as TestServer & { routes: string[] }).routes;
    expect([...routes].sort()).toEqual([...DOCUMENTED_ROUTES, 'GET /docs/'].sort());
    const page = await server.app.inject({ url: '/docs/' });
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain("fetch('/docs')");
  });
});

describe('pretty logs', () => {
  it('writes one readable line per event with time, level and request id', async () => {
    const lines: string[] = [];
    const manager = createTestManager([]);
    const app = buildServer({
      manager,
      processMetrics: false,
      log: { format: 'pretty', stream: { write: (l: string) => lines.push(l) } },
    });
    await app.inject({ url: '/v2/health/live', headers: { 'x-request-id': 'pretty-1' } });
    await app.close();
    await manager.close();
    expect(lines.find((l) => l.includes('request completed'))).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[pretty-1\] request completed → 200 \d+\.\d ms\n$/,
    );
  });
});

describe('overload, timeouts and shutdown with the slow model', () => {
  let server: TestServer;
  const slowRequest = (i: number) => ({
    inputs: [{ name: 'x', shape: [1, 16], datatype: 'FP32', data: new Array(16).fill(i) }],
  });

  beforeAll(async () => {
    server = await startServer([{ name: 'slow', path: FIXTURES.slow, maxBatchSize: 1 }], {
      listen: true,
      retryAfterSecs: 2,
    });
  });
  afterAll(() => server.close());

  const post = (body: object) =>
    fetch(`${server.url}/v2/models/slow/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers 504 when the request parameter timeout (microseconds) runs out', async () => {
    const response = await post({ ...slowRequest(1), parameters: { timeout: 1000 } });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: string }).error).toMatch(/./);
    expect((await post(slowRequest(2))).status).toBe(200);
  });

  it('drains on shutdown: ready turns 503 at once, accepted requests finish, new ones get 503', async () => {
    const { shutdownServer } = await import('../src/lifecycle.js');
    const accepted = Array.from({ length: 6 }, (_, i) => post(slowRequest(i)));
    const deadline = Date.now() + 10_000;
    while (server.app.oxv.inFlight.count < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(server.app.oxv.inFlight.count).toBe(6);

    const shutdown = shutdownServer(server.app, { timeoutMs: 20_000 });
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(503);
    const late = await post(slowRequest(9));
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('2');
    expect(((await late.json()) as { error: string }).error).toMatch(/shutting down/);

    const responses = await Promise.all(accepted);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const outputs = await Promise.all(responses.map((r) => r.json() as Promise<{ outputs: { data: number[] }[] }>));
    expect(outputs.map((o) => o.outputs[0]!.data[0])).toEqual([0, 2, 4, 6, 8, 10]);
    expect(await shutdown).toEqual({ drained: true });
  });
});

describe('a full queue', () => {
  it('answers 503 with Retry-After beyond max_queue_size, counts it, and serves again', async () => {
    const manager = createTestManager([{ name: 'slow', path: FIXTURES.slow, maxBatchSize: 1 }], { maxQueueSize: 1 });
    await manager.start();
    const app = buildServer({ manager, processMetrics: false });
    const body = { inputs: [{ name: 'x', shape: [1, 16], datatype: 'FP32', data: new Array(16).fill(1) }] };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => app.inject({ method: 'POST', url: '/v2/models/slow/infer', payload: body })),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    const full = responses.find((r) => r.statusCode === 503)!;
    expect(full.headers['retry-after']).toBe('1');
    expect(full.headers['x-error-code']).toBe('ERR_QUEUE_FULL');
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(metricSum(text, 'oxv_inference_request_failure_total', { model: 'slow', reason: 'ERR_QUEUE_FULL' })).toBe(
      statuses.filter((s) => s === 503).length,
    );
    expect((await app.inject({ method: 'POST', url: '/v2/models/slow/infer', payload: body })).statusCode).toBe(200);
    await app.close();
    await manager.close();
  });
});
