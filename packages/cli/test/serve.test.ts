import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRegistry } from '@oxidizedvision/tools';
import { BIN, REPO, STACK_LINE, cli } from './helpers/cli.js';
import { killStarted, serve, startListening } from './helpers/servers.js';

const SLOW = join(REPO, 'packages/server/test/fixtures/slow.onnx');
const CONV = join(REPO, 'packages/server/test/fixtures/tiny_conv.onnx');

afterAll(killStarted);

const slowBody = (i: number) =>
  JSON.stringify({ inputs: [{ name: 'x', shape: [1, 16], datatype: 'FP32', data: new Array(16).fill(i) }] });

async function metric(url: string, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
}

describe('oxidizedvision serve', () => {
  it('serves file and registry models, and drains on SIGTERM without losing a request', async () => {
    const home = mkdtempSync(join(tmpdir(), 'oxv-serve-home-'));
    const registry = openRegistry({ home });
    registry.addVersion({
      name: 'conv',
      source: 'import',
      files: { onnx: { path: CONV, sha256: '0'.repeat(64), bytes: 655 } },
    });
    registry.close();
    const server = await serve(['--model', SLOW, '--model', 'conv:1', '--max-batch-size', '1'], { OXV_HOME: home });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    const conv = await fetch(`${server.url}/v2/models/conv`);
    expect(((await conv.json()) as { inputs: { shape: number[] }[] }).inputs[0]!.shape).toEqual([-1, 3, 8, 8]);
    const predict = await fetch(`${server.url}/predict`, {
      method: 'POST',
      body: JSON.stringify({ data: new Array(16).fill(1), shape: [1, 16] }),
    });
    expect(((await predict.json()) as { model: string; data: number[] }).data).toEqual(new Array(16).fill(2));

    // Twelve requests, queued one batch at a time behind a ~30 ms model; SIGTERM once the server holds them all.
    const requests = Array.from({ length: 12 }, (_, i) =>
      fetch(`${server.url}/v2/models/slow/infer`, { method: 'POST', body: slowBody(i) }),
    );
    const pending = /^oxv_inference_pending_requests\{model="slow"\} (\d+)/m;
    const done = /^oxv_inference_request_success_total\{model="slow",version="1",protocol="http"\} (\d+)/m;
    const deadline = Date.now() + 20_000;
    let inFlight = 0;
    while (Date.now() < deadline) {
      inFlight = await metric(server.url, pending);
      if (inFlight + (await metric(server.url, done)) - 1 >= 12) break;
    }
    expect(inFlight).toBeGreaterThan(0);
    server.child.kill('SIGTERM');

    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.status)).toEqual(new Array(12).fill(200));
    const values = await Promise.all(
      responses.map(async (r) => ((await r.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data[0]),
    );
    expect(values).toEqual(Array.from({ length: 12 }, (_, i) => 2 * i));
    expect(await server.exit).toBe(0);
    expect(server.output()).toMatch(/SIGTERM: not ready any more/);
  });

  it('exits 1 when the drain times out', async () => {
    const server = await serve(['--model', SLOW, '--max-batch-size', '1', '--drain-timeout', '0.05']);
    const requests = Array.from({ length: 8 }, (_, i) =>
      fetch(`${server.url}/v2/models/slow/infer`, { method: 'POST', body: slowBody(i) }),
    );
    while ((await metric(server.url, /^oxv_inference_pending_requests\{model="slow"\} (\d+)/m)) < 4);
    server.child.kill('SIGTERM');
    const statuses = (
      await Promise.all(
        requests.map((r) =>
          r.then(
            (x) => x.status,
            () => 0,
          ),
        ),
      )
    ).sort();
    expect(statuses).toContain(503);
    expect(await server.exit, server.output()).toBe(1);
    expect(server.output()).toMatch(/drain timed out after 0\.05 s/);
  });
});

describe('oxidizedvision serve: what the terminal shows', () => {
  const start = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    startListening([BIN, 'serve', '--port', '0', '--model', SLOW, ...args], {
      cwd: REPO,
      env: { OXV_PYTHON: '', OXV_HOME: mkdtempSync(join(tmpdir(), 'oxv-serve-log-')), ...env },
    });

  it('prints human-readable lines by default, and says "listening" once, after the model is READY', async () => {
    const server = await start([]);
    await fetch(`${server.url}/v2/health/live`);
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    const lines = server.output().trim().split('\n');
    expect(
      lines.filter((l) => l.trimStart().startsWith('{')),
      server.output(),
    ).toEqual([]);
    expect(lines.filter((l) => /listening/i.test(l))).toEqual([`listening on ${server.url}`]);
    const ready = lines.findIndex((l) => /INFO +model slow version 1 is READY$/.test(l));
    expect(ready, server.output()).toBeGreaterThanOrEqual(0);
    expect(ready).toBeLessThan(lines.indexOf(`listening on ${server.url}`));
  });

  it('prints JSON lines with --json-log, its own lines included', async () => {
    const server = await start(['--json-log']);
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    const lines = server.output().trim().split('\n');
    const json = lines.filter((l) => !l.startsWith('listening on '));
    expect(json.length).toBeGreaterThan(2);
    for (const line of json) expect(() => JSON.parse(line), line).not.toThrow();
    expect(json.some((l) => (JSON.parse(l) as { msg?: string }).msg === 'model slow version 1 is READY')).toBe(true);
  });

  it("reports the registry's version of a registered file, matched by path and sha256", async () => {
    const home = mkdtempSync(join(tmpdir(), 'oxv-serve-version-'));
    const sha256 = createHash('sha256').update(readFileSync(SLOW)).digest('hex');
    const registry = openRegistry({ home });
    for (const hash of ['0'.repeat(64), sha256, '1'.repeat(64)]) {
      registry.addVersion({ name: 'slow', source: 'convert', files: { onnx: { path: SLOW, sha256: hash, bytes: 1 } } });
    }
    registry.close();
    const server = await start(['--log-format', 'json'], { OXV_HOME: home });
    const metadata = (await (await fetch(`${server.url}/v2/models/slow`)).json()) as { versions: string[] };
    const answer = (await (
      await fetch(`${server.url}/v2/models/slow/infer`, { method: 'POST', body: slowBody(1) })
    ).json()) as { model_version: string };
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    // Versions 1 and 3 point at the same path with other bytes: only version 2 is what the file holds now.
    expect(metadata.versions).toEqual(['2']);
    expect(answer.model_version).toBe('2');
  });
});

describe('oxidizedvision serve: bad flags', () => {
  it.each([
    [[], /nothing to serve/],
    [['--model', SLOW, '--port', 'http'], /expected a port 0-65535/],
    [['--model', SLOW, '--model-control-mode', 'sometimes'], /Allowed choices are none, poll, explicit/],
    [['--model', SLOW, '--max-wait-ms', '1', '--max-queue-delay-ms', '2'], /same setting/],
    [['--model', SLOW, '--model-control-mode', 'poll'], /need --model-repository/],
    [['--model', SLOW, '--model', `slow=${SLOW}`], /two --model flags are named "slow"/],
    [['--model', SLOW, '--body-limit', 'lots'], /expected a size such as 64mb/],
    [['--model', '=x.onnx'], /expected name=path.onnx/],
    [['--model', SLOW, '--header-timeout-ms', '0'], /expected a positive integer, got "0"/],
    [['--model', SLOW, '--request-timeout-ms', '1.5'], /expected a non-negative integer/],
    [['--model', SLOW, '--header-timeout-ms', '5000', '--request-timeout-ms', '1000'], /exceeds --request-timeout-ms/],
    [['--model', SLOW, '--header-timeout-ms', '200000'], /headerTimeoutMs \(200000\) exceeds requestTimeoutMs/],
  ])('exits 2 for %j', async (args, message) => {
    const result = await cli(['serve', ...args]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('exits 1 for a missing model file, an unknown registry model or a port in use', async () => {
    const missing = await cli(['serve', '--model', '/no/such/model.onnx']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/model file not found: \/no\/such\/model\.onnx/);
    const unknown = await cli(['serve', '--model', 'not-registered']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not-registered/);

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const busy = await cli(['serve', '--model', SLOW, '--port', String(port)]);
    blocker.close();
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    expect(busy.stderr).toMatch(/hint: --port 0 picks any free port/);
  });
});
