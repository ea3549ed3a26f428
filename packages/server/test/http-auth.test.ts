import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './http-support/fixtures.js';
import { metricSum } from './http-support/metrics-text.js';
import { startServer, type TestServer } from './http-support/server.js';

const INFER = { authorization: 'Bearer infer-secret' };
const ADMIN = { authorization: 'Bearer admin-secret' };
const payload = { inputs: [{ name: 'x', shape: [1, 3, 8, 8], datatype: 'FP32', data: new Array(192).fill(1) }] };

describe('with inference and admin tokens', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer([{ name: 'conv', path: FIXTURES.tinyConv }], {
      inferenceToken: 'infer-secret',
      adminToken: 'admin-secret',
      listen: true,
    });
  });
  afterAll(() => server.close());

  it('leaves health, server metadata, metrics and docs open', async () => {
    for (const path of ['/v2/health/live', '/v2/health/ready', '/v2', '/health', '/metrics', '/docs']) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
    }
  });

  it('refuses inference and model routes without the inference token, and counts the refusal', async () => {
    const before = metricSum(
      (await server.app.inject({ url: '/metrics' })).body,
      'oxv_inference_request_failure_total',
      { model: 'conv', reason: 'ERR_UNAUTHORIZED' },
    );
    const missing = await fetch(`${server.url}/v2/models/conv/infer`, {
      method: 'POST',
      body: JSON.stringify(payload),
    });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.json()).toEqual({
      error: expect.stringMatching(/Bearer <inference token>.*no bearer token was sent/),
    });
    const wrong = await server.app.inject({
      method: 'POST',
      url: '/v2/models/conv/infer',
      payload,
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toMatch(/wrong/);
    const after = metricSum(
      (await server.app.inject({ url: '/metrics' })).body,
      'oxv_inference_request_failure_total',
      { model: 'conv', reason: 'ERR_UNAUTHORIZED' },
    );
    expect(after).toBe(before + 2);
    for (const url of ['/v2/models/conv', '/v2/models/conv/ready', '/v2/models/conv/config', '/models']) {
      expect((await server.app.inject({ url })).statusCode, url).toBe(401);
    }
  });

  it('serves inference with the inference token', async () => {
    const response = await fetch(`${server.url}/v2/models/conv/infer`, {
      method: 'POST',
      headers: INFER,
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(200);
    expect((await server.app.inject({ url: '/v2/models/conv', headers: INFER })).statusCode).toBe(200);
  });

  it('keeps the repository API behind the admin token, which the inference token does not open', async () => {
    const url = '/v2/repository/index';
    expect((await server.app.inject({ method: 'POST', url })).statusCode).toBe(401);
    expect((await server.app.inject({ method: 'POST', url, headers: INFER })).statusCode).toBe(401);
    const index = await server.app.inject({ method: 'POST', url, headers: ADMIN });
    expect(index.statusCode).toBe(200);
    expect(index.json()).toEqual([{ name: 'conv', version: '1', state: 'READY', reason: '' }]);
  });

  it('unloads and loads a model through the repository API', async () => {
    const unload = await server.app.inject({
      method: 'POST',
      url: '/v2/repository/models/conv/unload',
      headers: ADMIN,
    });
    expect(unload.statusCode).toBe(200);
    expect((await server.app.inject({ url: '/v2/models/conv/ready', headers: INFER })).statusCode).toBe(503);
    // A model unloaded on purpose no longer counts towards server readiness (the others still serve).
    expect((await server.app.inject({ url: '/v2/health/ready' })).statusCode).toBe(200);
    const ready = await server.app.inject({
      method: 'POST',
      url: '/v2/repository/index',
      headers: ADMIN,
      payload: { ready: true },
    });
    expect(ready.json()).toEqual([]);
    const infer = await server.app.inject({ method: 'POST', url: '/v2/models/conv/infer', headers: INFER, payload });
    expect(infer.statusCode).toBe(503);
    expect(infer.headers['retry-after']).toBe('1');

    const load = await server.app.inject({ method: 'POST', url: '/v2/repository/models/conv/load', headers: ADMIN });
    expect(load.statusCode).toBe(200);
    expect((await server.app.inject({ url: '/v2/models/conv/ready', headers: INFER })).statusCode).toBe(200);
    expect(
      (await server.app.inject({ method: 'POST', url: '/v2/models/conv/infer', headers: INFER, payload })).statusCode,
    ).toBe(200);
  });

  it('refuses to load from request parameters and 404s an unknown model', async () => {
    const withConfig = await server.app.inject({
      method: 'POST',
      url: '/v2/repository/models/conv/load',
      headers: ADMIN,
      payload: { parameters: { config: '{}' } },
    });
    expect(withConfig.statusCode).toBe(400);
    expect(withConfig.json().error).toMatch(/config .*not supported/);
    const unknown = await server.app.inject({ method: 'POST', url: '/v2/repository/models/nope/load', headers: ADMIN });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('without an admin token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer([{ name: 'conv', path: FIXTURES.tinyConv }]);
  });
  afterAll(() => server.close());

  it('answers the repository API for local clients only', async () => {
    const local = await server.app.inject({ method: 'POST', url: '/v2/repository/index' });
    expect(local.statusCode).toBe(200);
    const remote = await server.app.inject({ method: 'POST', url: '/v2/repository/index', remoteAddress: '10.1.2.3' });
    expect(remote.statusCode).toBe(401);
    expect(remote.json().error).toMatch(/only local clients.*--admin-token/);
  });

  it('needs no token for inference', async () => {
    expect((await server.app.inject({ method: 'POST', url: '/v2/models/conv/infer', payload })).statusCode).toBe(200);
  });
});
