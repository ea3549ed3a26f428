import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OxvError } from '@oxidizedvision/runtime';
import { benchmarkServer, renderBenchmarkHtml } from '@oxidizedvision/benchmark';

/**
 * A small but honest Open Inference Protocol v2 server: it parses JSON and binary-extension requests,
 * checks every size against the shape, computes a real output (the mean of each batch item), and answers in
 * the encoding asked for. It tests the load generator, not packages/server.
 */
interface Seen {
  json: number;
  binary: number;
  shapes: Set<string>;
  maxInFlight: number;
  connections: number;
  rejected: string[];
}

const METADATA: Record<string, object> = {
  tiny: {
    name: 'tiny',
    versions: ['1'],
    platform: 'test',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3, 4, 4] }],
    outputs: [{ name: 'mean', datatype: 'FP32', shape: [-1] }],
  },
  // Every other request fails, as an overloaded server's would.
  flaky: {
    name: 'flaky',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3, 4, 4] }],
    outputs: [{ name: 'mean', datatype: 'FP32', shape: [-1] }],
  },
  sized: {
    name: 'sized',
    inputs: [{ name: 'image', datatype: 'UINT8', shape: [-1, -1, -1, 3] }],
    outputs: [{ name: 'mean', datatype: 'FP32', shape: [-1] }],
  },
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}

const WIDTH: Record<string, number> = { FP32: 4, UINT8: 1 };

/** The input as numbers, or a reason the request is malformed. */
function decodeInput(
  body: Buffer,
  headerLength: string | undefined,
): { shape: number[]; values: number[]; binaryOut: boolean } | string {
  const split = headerLength === undefined ? body.length : Number(headerLength);
  const header = JSON.parse(body.subarray(0, split).toString('utf8')) as {
    inputs: {
      name: string;
      shape: number[];
      datatype: string;
      data?: number[];
      parameters?: { binary_data_size?: number };
    }[];
    parameters?: { binary_data_output?: boolean };
  };
  const [input] = header.inputs;
  if (!input || header.inputs.length !== 1) return 'expected exactly one input';
  const count = input.shape.reduce((a, b) => a * b, 1);
  const binaryOut = header.parameters?.binary_data_output === true;
  if (headerLength === undefined) {
    if (!Array.isArray(input.data) || input.data.length !== count)
      return `data has ${input.data?.length} values, shape needs ${count}`;
    return { shape: input.shape, values: input.data, binaryOut };
  }
  const size = input.parameters?.binary_data_size;
  const width = WIDTH[input.datatype]!;
  if (size !== count * width || body.length - split !== size)
    return `binary_data_size ${size}, body ${body.length - split}, shape needs ${count * width}`;
  const raw = body.subarray(split);
  const values = input.datatype === 'FP32' ? Array.from(new Float32Array(new Uint8Array(raw).buffer)) : Array.from(raw);
  return { shape: input.shape, values, binaryOut };
}

function startOipServer(): Promise<{ server: Server; url: string; seen: Seen }> {
  const seen: Seen = { json: 0, binary: 0, shapes: new Set(), maxInFlight: 0, connections: 0, rejected: [] };
  let inFlight = 0;
  let flakyCount = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/v2\/models\/([^/]+)(\/infer)?$/.exec(req.url ?? '');
    const metadata = match && METADATA[match[1]!];
    if (!metadata) return res.writeHead(404).end('{"error":"no such model"}');
    if (!match[2]) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
    inFlight += 1;
    seen.maxInFlight = Math.max(seen.maxInFlight, inFlight);
    const body = await readBody(req);
    // Hold each request briefly so concurrent clients really overlap.
    await new Promise((r) => setTimeout(r, 2));
    inFlight -= 1;
    const headerLength = req.headers['inference-header-content-length'] as string | undefined;
    const input = decodeInput(body, headerLength);
    if (typeof input === 'string') {
      seen.rejected.push(input);
      return res.writeHead(400).end(JSON.stringify({ error: input }));
    }
    if (match[1] === 'flaky' && flakyCount++ % 2 === 1) return res.writeHead(503).end('{"error":"overloaded"}');
    seen[headerLength === undefined ? 'json' : 'binary'] += 1;
    seen.shapes.add(input.shape.join('x'));
    const per = input.values.length / input.shape[0]!;
    const means = Array.from(
      { length: input.shape[0]! },
      (_, i) => input.values.slice(i * per, (i + 1) * per).reduce((a, b) => a + b, 0) / per,
    );
    if (!input.binaryOut) {
      return res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ outputs: [{ name: 'mean', datatype: 'FP32', shape: [means.length], data: means }] }));
    }
    const data = Buffer.from(new Float32Array(means).buffer);
    const head = Buffer.from(
      JSON.stringify({
        outputs: [
          { name: 'mean', datatype: 'FP32', shape: [means.length], parameters: { binary_data_size: data.length } },
        ],
      }),
    );
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(head.length),
    });
    res.end(Buffer.concat([head, data]));
  };
  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', () => (seen.connections += 1));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }),
    ),
  );
}

describe('benchmarkServer against an Open Inference Protocol endpoint', () => {
  let server: Server;
  let url: string;
  let seen: Seen;

  beforeAll(async () => {
    ({ server, url, seen } = await startOipServer());
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sweeps concurrency with JSON payloads built from the model metadata', async () => {
    const report = await benchmarkServer({ url, model: 'tiny', concurrency: [4, 1], durationS: 0.3, warmup: 1 });
    expect(seen.rejected).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.protocol).toBe('json');
    expect(report.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [1, 3, 4, 4] }]);
    expect(report.results.map((r) => r.concurrency)).toEqual([1, 4]);
    for (const r of report.results) {
      expect(r.errors).toBe(0);
      expect(r.requests).toBeGreaterThan(5);
      expect(r.throughput_rps).toBeCloseTo(r.requests / 0.3, 6);
      expect(r.throughput_ips).toBeCloseTo(r.throughput_rps, 6);
      expect(r.latency_ms!.p50).toBeGreaterThanOrEqual(2); // the server holds each request 2 ms
      expect(r.latency_ms!.p50).toBeLessThanOrEqual(r.latency_ms!.p99);
    }
    expect(seen.maxInFlight).toBe(4); // closed loop: exactly `concurrency` requests outstanding
    expect(seen.shapes).toEqual(new Set(['1x3x4x4']));
    expect(seen.json).toBeGreaterThan(0);
    // Keep-alive: a handful of sockets (about one per client) carried hundreds of requests.
    const requests = report.results.reduce((n, r) => n + r.requests, 0);
    expect(requests).toBeGreaterThan(50);
    expect(seen.connections).toBeLessThanOrEqual(10);
  });

  it("sends Triton's binary tensor extension, with images per second counting the batch", async () => {
    const report = await benchmarkServer({
      url,
      model: 'tiny',
      concurrency: [2],
      batchSizes: [2],
      durationS: 0.2,
      warmup: 1,
      binary: true,
    });
    expect(seen.rejected).toEqual([]);
    expect(seen.binary).toBeGreaterThan(0);
    expect(seen.shapes.has('2x3x4x4')).toBe(true);
    const [level] = report.results;
    expect(level).toMatchObject({ batch_size: 2, concurrency: 2, errors: 0 });
    expect(level!.throughput_ips).toBeCloseTo(2 * level!.throughput_rps, 6);
    expect(renderBenchmarkHtml(report)).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
  });

  it('counts failed requests as errors with a sample of what went wrong', async () => {
    const report = await benchmarkServer({ url, model: 'flaky', concurrency: [1], durationS: 0.2, warmup: 0 });
    const [level] = report.results;
    expect(level!.errors).toBeGreaterThan(0);
    expect(level!.requests).toBeGreaterThan(0);
    expect(Math.abs(level!.errors - level!.requests)).toBeLessThanOrEqual(1);
    expect(level!.error_samples).toEqual(['HTTP 503: {"error":"overloaded"}']);
  });

  it('needs --input-shape for dynamic dims besides the batch, then uses it', async () => {
    await expect(benchmarkServer({ url, model: 'sized', concurrency: [1], durationS: 0.1 })).rejects.toMatchObject({
      code: 'ERR_USAGE',
    });
    const report = await benchmarkServer({
      url,
      model: 'sized',
      concurrency: [1],
      durationS: 0.1,
      warmup: 0,
      binary: true,
      inputShapes: [{ shape: [1, 6, 5, 3] }],
    });
    expect(report.inputs).toEqual([{ name: 'image', datatype: 'UINT8', shape: [1, 6, 5, 3] }]);
    expect(report.results[0]!.errors).toBe(0);
    expect(seen.shapes.has('1x6x5x3')).toBe(true);
  });

  it('says clearly when the model or the server is not there', async () => {
    await expect(benchmarkServer({ url, model: 'missing', durationS: 0.1 })).rejects.toMatchObject({
      code: 'ERR_MODEL_NOT_FOUND',
    });
    const closed = createServer();
    const port = await new Promise<number>((r) =>
      closed.listen(0, '127.0.0.1', () => r((closed.address() as AddressInfo).port)),
    );
    await new Promise((r) => closed.close(r));
    const err = await benchmarkServer({ url: `http://127.0.0.1:${port}`, model: 'tiny', durationS: 0.1 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OxvError);
    expect(err).toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE', message: expect.stringMatching(/ECONNREFUSED/) });
    await expect(benchmarkServer({ url: 'ftp://127.0.0.1/', model: 'tiny' })).rejects.toMatchObject({
      code: 'ERR_USAGE',
    });
  });
});
