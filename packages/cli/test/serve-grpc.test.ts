import { credentials, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inferenceService } from '@oxidizedvision/server';
import { REPO, STACK_LINE, cli } from './helpers/cli.js';
import { killStarted, serve } from './helpers/servers.js';

const CONV = join(REPO, 'packages/server/test/fixtures/tiny_conv.onnx');

afterAll(killStarted);

type Unary = (request: object, metadata: Metadata, callback: (error: ServiceError | null, r: unknown) => void) => void;

function call<T>(client: Client, method: string, request: object, token?: string): Promise<T> {
  const metadata = new Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  const rpc = (client as unknown as Record<string, Unary>)[method]!.bind(client);
  return new Promise((resolve, reject) => rpc(request, metadata, (e, r) => (e ? reject(e) : resolve(r as T))));
}

const image = Array.from({ length: 3 * 8 * 8 }, (_, i) => Math.sin(i));

describe('oxidizedvision serve --grpc-port', () => {
  it('serves gRPC beside HTTP with the same model, token and metrics, and drains both on SIGTERM', async () => {
    const server = await serve(['--model', `conv=${CONV}`, '--grpc-port', '0', '--inference-token', 'tok']);
    const address = /listening on http:\/\/\S+ \(gRPC: (127\.0\.0\.1:\d+)\)/.exec(server.output())?.[1];
    expect(address, server.output()).toBeDefined();
    const Service = inferenceService();
    const client = new Service(address!, credentials.createInsecure());
    try {
      expect(await call(client, 'ServerReady', {})).toEqual({ ready: true });
      const request = {
        model_name: 'conv',
        inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 8, 8], contents: { fp32_contents: image } }],
      };
      const refused = await call(client, 'ModelInfer', request).catch((e: ServiceError) => e);
      expect((refused as ServiceError).code).toBe(status.UNAUTHENTICATED);

      const grpc = await call<{ outputs: { contents: { fp32_contents: number[] } }[] }>(
        client,
        'ModelInfer',
        request,
        'tok',
      );
      const http = (await (
        await fetch(`${server.url}/v2/models/conv/infer`, {
          method: 'POST',
          headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 8, 8], data: image }] }),
        })
      ).json()) as { outputs: { data: number[] }[] };
      expect(grpc.outputs[0]!.contents.fp32_contents).toEqual(http.outputs[0]!.data.map((v) => Math.fround(v)));

      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^oxv_inference_request_success_total\{model="conv",version="1",protocol="grpc"\} 1$/m);
      expect(metrics).toMatch(/^oxv_inference_request_success_total\{model="conv",version="1",protocol="http"\} 1$/m);
    } finally {
      client.close();
    }
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  });

  it('refuses the HTTP port as the gRPC port (exit 2) and a busy gRPC port (exit 1), without a stack trace', async () => {
    const same = await cli(['serve', '--model', CONV, '--port', '9123', '--grpc-port', '9123']);
    expect(same.code, same.stderr).toBe(2);
    expect(same.stderr).toMatch(/--grpc-port and --port are both 9123/);

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const busy = await cli(['serve', '--model', CONV, '--port', '0', '--grpc-port', String(port)]);
    blocker.close();
    expect(busy.code, busy.stderr).toBe(1);
    expect(busy.stderr).toMatch(new RegExp(`cannot listen for gRPC on 127\\.0\\.0\\.1:${port}: .*`));
    expect(busy.stderr).toMatch(/hint: --grpc-port 0 picks any free port/);
    expect(busy.stderr).not.toMatch(STACK_LINE);
  });
});
