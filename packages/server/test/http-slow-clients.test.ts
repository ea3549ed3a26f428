import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/app.js';
import { FIXTURES } from './http-support/fixtures.js';
import { createTestManager, startServer, type TestServer } from './http-support/server.js';

const HEADER_MS = 300;
const REQUEST_MS = 600;
const KEEP_ALIVE_MS = 300;
// node:http checks the bounds every quarter of the shorter one (app.ts); the rest is scheduling slack.
const SLACK_MS = 1500;

let server: TestServer;

beforeAll(async () => {
  server = await startServer([{ name: 'two', path: FIXTURES.twoInputs }], {
    listen: true,
    headerTimeoutMs: HEADER_MS,
    requestTimeoutMs: REQUEST_MS,
    keepAliveTimeoutMs: KEEP_ALIVE_MS,
  });
});

afterAll(async () => {
  await server.close();
});

interface Outcome {
  /** Milliseconds from the last write to the server closing the socket. */
  closedAfterMs: number;
  /** What the server sent before closing (a 408, or nothing). */
  received: string;
}

/** Opens a raw socket, writes `parts`, then stalls until the server closes it (or `giveUpMs` passes). */
function stall(parts: string[], giveUpMs = 10_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    const socket: Socket = connect(Number(port), '127.0.0.1');
    let received = '';
    let lastWrite = performance.now();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept a stalled socket open for ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('connect', () => {
      for (const part of parts) socket.write(part);
      lastWrite = performance.now();
    });
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closedAfterMs: performance.now() - lastWrite, received });
    });
  });
}

const json = JSON.stringify({
  inputs: [
    { name: 'image', shape: [1, 3, 1, 1], datatype: 'FP32', data: [1, 2, 3] },
    { name: 'ids', shape: [1, 2], datatype: 'INT64', data: [1, 2] },
  ],
});

describe('slow and stalled clients', () => {
  it('closes a connection that sent half a request line, within the header bound, and keeps serving', async () => {
    const [stalled, served] = await Promise.all([
      stall(['POST /v2/models/two/in']),
      (async () => {
        await new Promise((r) => setTimeout(r, 50));
        return fetch(`${server.url}/v2/models/two/infer`, { method: 'POST', body: json });
      })(),
    ]);
    expect(served.status).toBe(200);
    expect(stalled.closedAfterMs).toBeGreaterThanOrEqual(HEADER_MS - 50);
    expect(stalled.closedAfterMs).toBeLessThan(HEADER_MS + SLACK_MS);
    expect(stalled.received).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it('closes a connection that stalls in its headers', async () => {
    const stalled = await stall(['GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Slow: '], 5000);
    expect(stalled.closedAfterMs).toBeLessThan(HEADER_MS + SLACK_MS);
    expect(stalled.received).toMatch(/408/);
  });

  it('closes a connection that opened and sent nothing', async () => {
    const stalled = await stall([], 5000);
    expect(stalled.closedAfterMs).toBeLessThan(HEADER_MS + SLACK_MS);
  });

  it('answers 408 and closes a connection that stalls mid-body, within the request bound', async () => {
    const head = `POST /v2/models/two/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n`;
    const started = performance.now();
    const [stalled, served] = await Promise.all([
      stall([head, json.slice(0, 20)]),
      fetch(`${server.url}/v2/health/ready`),
    ]);
    expect(served.status).toBe(200);
    expect(stalled.received).toMatch(/^HTTP\/1\.1 408/);
    expect(performance.now() - started).toBeLessThan(REQUEST_MS + SLACK_MS);
    expect((await fetch(`${server.url}/v2/models/two/infer`, { method: 'POST', body: json })).status).toBe(200);
  });

  it('closes an idle keep-alive connection after the keep-alive bound', async () => {
    const request = 'GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n';
    const idle = await stall([request], 5000);
    expect(idle.received).toMatch(/^HTTP\/1\.1 200/);
    expect(idle.closedAfterMs).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 50);
    // node:http keeps an idle socket open for keepAliveTimeout plus its own 1 s buffer.
    expect(idle.closedAfterMs).toBeLessThan(KEEP_ALIVE_MS + 1000 + SLACK_MS);
  });
});

describe('timeout options', () => {
  it('refuses a header bound longer than the request bound, and non-integers', () => {
    const manager = createTestManager([]);
    expect(() => buildServer({ manager, headerTimeoutMs: 5000, requestTimeoutMs: 1000 })).toThrow(
      /options\.headerTimeoutMs \(5000\) exceeds requestTimeoutMs \(1000\)/,
    );
    expect(() => buildServer({ manager, headerTimeoutMs: 0 })).toThrow(/options\.headerTimeoutMs/);
    expect(() => buildServer({ manager, keepAliveTimeoutMs: 1.5 })).toThrow(/options\.keepAliveTimeoutMs/);
    expect(() => buildServer({ manager, headerTimeoutMs: 5000, requestTimeoutMs: 0 })).not.toThrow();
  });
});
