import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OxvError, type ErrorCode } from '@oxidizedvision/runtime';
import { buildServer } from '../src/app.js';
import { HTTP_STATUS, toHttpFailure } from '../src/http/status.js';
import type { ModelManager } from '../src/models/types.js';
import { FIXTURES } from './http-support/fixtures.js';
import { createTestManager } from './http-support/server.js';

describe('the status table', () => {
  const expected: [ErrorCode, number][] = [
    ['ERR_BAD_REQUEST', 400],
    ['ERR_INPUT_NAME', 400],
    ['ERR_INPUT_DTYPE', 400],
    ['ERR_INPUT_SHAPE', 400],
    ['ERR_BATCH_TOO_LARGE', 400],
    ['ERR_IMAGE_DECODE', 400],
    ['ERR_MODEL_CARD', 400],
    ['ERR_UNAUTHORIZED', 401],
    ['ERR_MODEL_NOT_FOUND', 404],
    ['ERR_BODY_TOO_LARGE', 413],
    ['ERR_MODEL_NOT_READY', 503],
    ['ERR_QUEUE_FULL', 503],
    ['ERR_SHUTTING_DOWN', 503],
    ['ERR_TIMEOUT', 504],
    ['ERR_INFERENCE', 500],
  ];

  it.each(expected)('maps %s to %i', (code, status) => {
    expect(HTTP_STATUS[code]).toBe(status);
    const failure = toHttpFailure(new OxvError(code, 'boom'));
    expect(failure).toEqual({ status, code, message: 'boom', retryAfter: status === 503 });
  });

  it('turns an unexpected error into a 500 without its stack', () => {
    const failure = toHttpFailure(new Error('kaput\n    at somewhere (file.js:1:1)'));
    expect(failure).toEqual({ status: 500, code: 'ERR_INTERNAL', message: 'internal error: kaput', retryAfter: false });
  });
});

/** The real test manager, except that infer() fails with the code the test sets. */
function failingManager(base: ModelManager): ModelManager & { failWith: ErrorCode | null } {
  const wrapper = Object.create(base) as ModelManager & { failWith: ErrorCode | null };
  wrapper.failWith = null;
  wrapper.infer = async (name, version, request) => {
    if (wrapper.failWith) throw new OxvError(wrapper.failWith, `failed with ${wrapper.failWith}`, { hint: 'a hint' });
    return base.infer(name, version, request);
  };
  return wrapper;
}

describe('errors raised by the model layer', () => {
  const base = createTestManager([{ name: 'conv', path: FIXTURES.tinyConv }]);
  const manager = failingManager(base);
  const app = buildServer({ manager, processMetrics: false, retryAfterSecs: 3 });
  const request = {
    method: 'POST' as const,
    url: '/v2/models/conv/infer',
    payload: { inputs: [{ name: 'x', shape: [1, 3, 8, 8], datatype: 'FP32', data: new Array(192).fill(0.5) }] },
  };

  beforeAll(() => base.start());
  afterAll(async () => {
    await app.close();
    await base.close();
  });

  it.each([
    ['ERR_QUEUE_FULL', 503],
    ['ERR_MODEL_NOT_READY', 503],
    ['ERR_SHUTTING_DOWN', 503],
    ['ERR_TIMEOUT', 504],
    ['ERR_INFERENCE', 500],
  ] as const)('answers %s with %i, Retry-After on 503, and recovers', async (code, status) => {
    manager.failWith = code;
    const response = await app.inject(request);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ error: `failed with ${code} (a hint)` });
    expect(response.headers['retry-after']).toBe(status === 503 ? '3' : undefined);
    manager.failWith = null;
    expect((await app.inject(request)).statusCode).toBe(200);
  });
});
