import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_JSON_MIN_BYTES } from '../src/json-workers/json-pool.js';
import { FIXTURES } from './http-support/fixtures.js';
import { startServer, type TestServer } from './http-support/server.js';

// The same requests through a server that parses and prints large JSON in its worker thread and one that
// does it all on the event loop: the answers must be byte for byte the same, refusals included.
let pooled: TestServer;
let inline: TestServer;

beforeAll(async () => {
  const models = [
    { name: 'conv', path: FIXTURES.tinyConv, maxBatchSize: 0 },
    { name: 'two', path: FIXTURES.twoInputs, maxBatchSize: 0 },
  ];
  [pooled, inline] = await Promise.all([
    startServer(models, { jsonThreads: 1 }),
    startServer(models, { jsonThreads: 0 }),
  ]);
});

afterAll(async () => {
  await Promise.all([pooled?.close(), inline?.close()]);
});

const values = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => (Math.sin(i * 12.9898 + seed) * 43758.5453) % 1);

async function both(model: string, payload: string) {
  const inject = (server: TestServer) =>
    server.app.inject({
      method: 'POST',
      url: `/v2/models/${model}/infer`,
      headers: { 'content-type': 'application/json' },
      payload,
    });
  const [a, b] = await Promise.all([inject(pooled), inject(inline)]);
  return { pooled: a, inline: b };
}

describe('large JSON tensors in the JSON worker thread', () => {
  it('answers a large JSON request byte for byte as the event loop does', async () => {
    const batch = 160; // 160×3×8×8 = 30,720 floats of ~20 characters: ~600 KB each way
    const payload = JSON.stringify({
      id: 'big',
      inputs: [{ name: 'x', shape: [batch, 3, 8, 8], datatype: 'FP32', data: values(batch * 192, 1) }],
    });
    expect(payload.length).toBeGreaterThan(2 * DEFAULT_JSON_MIN_BYTES);
    const before = pooled.app.oxv.json.answered;
    const { pooled: a, inline: b } = await both('conv', payload);
    expect(a.statusCode, a.body.slice(0, 300)).toBe(200);
    expect(a.body).toBe(b.body);
    // Parsed and printed by the thread on one server, on the event loop on the other.
    expect(pooled.app.oxv.json.answered - before).toBe(2);
    expect(inline.app.oxv.json.answered).toBe(0);
    const body = a.json() as { id: string; outputs: { shape: number[]; data: number[] }[] };
    expect(body.id).toBe('big');
    expect(body.outputs[0]!.shape[0]).toBe(batch);
    expect(body.outputs[0]!.data.length).toBeGreaterThan(batch * 100);
  });

  it('keeps int64 values beyond 2^53 exact and nested data arrays flat, as the event loop does', async () => {
    const batch = 7000;
    const ids = Array.from({ length: batch }, (_, i) => [`900719925474${String(i).padStart(5, '0')}`, String(-i)]);
    const payload = `{"inputs":[{"name":"image","shape":[${batch},3,2,2],"datatype":"FP32","data":${JSON.stringify(
      values(batch * 12, 2),
    )}},{"name":"ids","shape":[${batch},2],"datatype":"INT64","data":[${ids.map(([a, b]) => `[${a},${b}]`).join(',')}]}],"outputs":[{"name":"ids_out"}]}`;
    const { pooled: a, inline: b } = await both('two', payload);
    expect(a.statusCode, a.body.slice(0, 300)).toBe(200);
    expect(a.body).toBe(b.body);
    // ids × 3 + 1, exact: through float64, 90071992547400001 would have become …400000.
    expect(a.body).toContain('[270215977642200001,1,270215977642200004,-2,');
  });

  it('refuses a bad element deep in a large body with the same 400 and message', async () => {
    const data = values(40_000, 3).map(String);
    data[31_337] = 'NaN';
    const payload = `{"inputs":[{"name":"x","shape":[200,3,8,8],"datatype":"FP32","data":[${data.join(',')}]}]}`;
    const { pooled: a, inline: b } = await both('conv', payload);
    expect(a.statusCode).toBe(400);
    expect(a.json()).toEqual(b.json());
    expect((a.json() as { error: string }).error).toMatch(/data\[31337\]/);

    const truncated = await both('conv', payload.slice(0, 400_000));
    expect(truncated.pooled.statusCode).toBe(400);
    expect(truncated.pooled.json()).toEqual(truncated.inline.json());
  });

  it('answers large binary outputs of a JSON request in binary, untouched by the pool', async () => {
    const batch = 160;
    const payload = JSON.stringify({
      inputs: [{ name: 'x', shape: [batch, 3, 8, 8], datatype: 'FP32', data: values(batch * 192, 4) }],
      outputs: [{ name: 'y', parameters: { binary_data: true } }],
    });
    const { pooled: a, inline: b } = await both('conv', payload);
    expect(a.statusCode).toBe(200);
    expect(a.headers['inference-header-content-length']).toBeDefined();
    expect(a.rawPayload.equals(b.rawPayload)).toBe(true);
  });
});
