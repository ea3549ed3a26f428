import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './http-support/fixtures.js';
import { startGrpcTestServer, type GrpcTestServer } from './grpc-support/client.js';

let server: GrpcTestServer;

beforeAll(async () => {
  server = await startGrpcTestServer([
    { name: 'conv', path: FIXTURES.tinyConv },
    { name: 'two', path: FIXTURES.twoInputs },
  ]);
});

afterAll(async () => {
  await server?.close();
});

describe('gRPC health and metadata', () => {
  it('answers ServerLive, ServerReady and ServerMetadata as HTTP does', async () => {
    expect(await server.call('ServerLive')).toEqual({ live: true });
    expect(await server.call('ServerReady')).toEqual({ ready: true });
    const http = (await server.app.inject({ url: '/v2' })).json();
    expect(await server.call('ServerMetadata')).toEqual(http);
  });

  it('answers ModelReady and NOT_FOUND for an unknown model', async () => {
    expect(await server.call('ModelReady', { name: 'conv' })).toEqual({ ready: true });
    expect(await server.call('ModelReady', { name: 'conv', version: '1' })).toEqual({ ready: true });
    await expect(server.call('ModelReady', { name: 'nope' })).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: 'unknown model "nope"',
    });
  });

  it('answers ModelMetadata with the fields of the HTTP body (int64 shapes as strings)', async () => {
    const grpc = await server.call('ModelMetadata', { name: 'two' });
    const http = (await server.app.inject({ url: '/v2/models/two' })).json() as {
      inputs: { shape: number[] }[];
      outputs: { shape: number[] }[];
    };
    const asStrings = (list: { shape: number[] }[]) => list.map((t) => ({ ...t, shape: t.shape.map(String) }));
    expect(grpc).toEqual({
      name: 'two',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: asStrings(http.inputs),
      outputs: asStrings(http.outputs),
    });
    await expect(server.call('ModelMetadata', { name: 'two', version: '9' })).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: expect.stringContaining('version "9"'),
    });
  });

  it("answers ModelConfig in Triton's model_config.proto shape", async () => {
    const { config } = await server.call<{ config: Record<string, unknown> }>('ModelConfig', { name: 'conv' });
    expect(config).toMatchObject({
      name: 'conv',
      platform: 'onnxruntime_onnx',
      backend: 'onnxruntime',
      max_batch_size: 8,
      input: [{ name: 'x', data_type: 'TYPE_FP32', dims: ['3', '8', '8'] }],
      output: [{ name: 'y', data_type: 'TYPE_FP32', dims: ['4', '8', '8'] }],
      instance_group: [{ name: 'conv_0', kind: 'KIND_CPU', count: 1 }],
      version_policy: { latest: { num_versions: 1 } },
      scheduling_choice: 'dynamic_batching',
      dynamic_batching: { default_queue_policy: { max_queue_size: 64, default_timeout_microseconds: '10000000' } },
      parameters: { intra_op_thread_count: { string_value: '1' } },
    });
  });

  it('leaves the RPCs it does not serve UNIMPLEMENTED', async () => {
    const raw = server.client as unknown as {
      makeUnaryRequest: (
        path: string,
        serialize: (v: Buffer) => Buffer,
        deserialize: (v: Buffer) => Buffer,
        request: Buffer,
        callback: (error: { code: number } | null) => void,
      ) => void;
    };
    const error = await new Promise<{ code: number } | null>((resolve) =>
      raw.makeUnaryRequest(
        '/inference.GRPCInferenceService/SystemSharedMemoryStatus',
        (v) => v,
        (v) => v,
        Buffer.alloc(0),
        resolve,
      ),
    );
    expect(error?.code).toBe(status.UNIMPLEMENTED);
  });
});
