import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTensor,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  type ModelSource,
  type Runner,
  type RunnerOptions,
  type Tensor,
} from '@oxidizedvision/runtime';
import { expectOxvError, fixturePath } from './helpers.js';

export type CreateRunnerFn = (source: ModelSource, options?: RunnerOptions) => Promise<Runner>;

/** Feeds for two_io.onnx with `batch` rows: x counts up from -1 in steps of 0.25, n holds large int64s. */
function twoIoFeeds(batch: number): { x: Tensor<'float32'>; n: Tensor<'int64'> } {
  const x = createTensor('float32', [batch, 3, 4, 4]);
  x.data.forEach((_, i) => (x.data[i] = -1 + 0.25 * i));
  // Beyond 2^53: a backend that round-trips int64 through float64 would corrupt these.
  const n = createTensor('int64', [batch, 2]);
  n.data.forEach((_, i) => (n.data[i] = 2n ** 60n + BigInt(i) * 7n - 3n));
  return { x, n };
}

/**
 * The behaviour every Runner must share, run against each backend with the committed fixtures
 * (test/fixtures/make_fixtures.py documents them).
 */
export function describeRunnerContract(backendName: string, create: CreateRunnerFn): void {
  describe(`Runner contract: ${backendName}`, () => {
    let twoIo: Runner;
    let dtypes: Runner;

    beforeAll(async () => {
      twoIo = await create(fixturePath('two_io.onnx'));
      dtypes = await create(fixturePath('dtypes.onnx'));
    });
    afterAll(async () => {
      await twoIo?.dispose();
      await dtypes?.dispose();
    });

    describe('info()', () => {
      it('reports the backend, input and output names, dtypes and symbolic dims', () => {
        const info = twoIo.info();
        expect(twoIo.backend).toBe(backendName);
        expect(info.backend).toBe(backendName);
        expect(info.executionProviders.length).toBeGreaterThan(0);
        expect(info.inputs).toEqual([
          { name: 'x', dtype: 'float32', shape: ['batch', 3, 4, 4] },
          { name: 'n', dtype: 'int64', shape: ['batch', 2] },
        ]);
        expect(info.outputs).toEqual([
          { name: 'y', dtype: 'float32', shape: ['batch', 3, 4, 4] },
          { name: 'm', dtype: 'int64', shape: ['batch', 2] },
        ]);
      });

      it('reports every dtype of the dtypes fixture', () => {
        expect(dtypes.info().inputs.map((i) => [i.name, i.dtype, i.shape])).toEqual([
          ['h', 'float16', [2, 3]],
          ['d', 'float64', [2, 3]],
          ['i', 'int32', [2, 3]],
          ['s', 'int8', [2, 3]],
          ['u', 'uint8', [2, 3]],
          ['b', 'bool', [2, 3]],
        ]);
      });
    });

    describe('run()', () => {
      it.each([1, 3])('computes y = 2x + 1 and m = n + 1 with batch %i', async (batch) => {
        const { x, n } = twoIoFeeds(batch);
        const out = await twoIo.run({ x, n });
        expect(Object.keys(out).sort()).toEqual(['m', 'y']);
        expect(out.y!.dtype).toBe('float32');
        expect(out.y!.shape).toEqual([batch, 3, 4, 4]);
        // x is a multiple of 0.25, so 2x + 1 is exact in float32: tolerance 0.
        expect(Array.from(out.y!.data as Float32Array)).toEqual(Array.from(x.data, (v) => 2 * v + 1));
        expect(out.m!.dtype).toBe('int64');
        expect(out.m!.shape).toEqual([batch, 2]);
        expect(Array.from(out.m!.data as BigInt64Array)).toEqual(Array.from(n.data, (v) => v + 1n));
      });

      it('returns only the requested outputs', async () => {
        const { x, n } = twoIoFeeds(1);
        expect(Object.keys(await twoIo.run({ x, n }, { outputs: ['m'] }))).toEqual(['m']);
        expect(Object.keys(await twoIo.run({ x, n }, { outputs: ['y'] }))).toEqual(['y']);
        expect(Object.keys(await twoIo.run({ x, n }, { outputs: ['m', 'y'] })).sort()).toEqual(['m', 'y']);
      });

      it('answers concurrent runs with each call’s own results', async () => {
        const batches = [1, 2, 3];
        const results = await Promise.all(batches.map((b) => twoIo.run(twoIoFeeds(b), { outputs: ['y'] })));
        results.forEach((out, i) => expect(out.y!.shape).toEqual([batches[i], 3, 4, 4]));
      });

      it('round-trips every dtype with the right values', async () => {
        const halfInputs = [1, -2.5, 0.1, 1000, 6e-5, 0]; // 6e-5 is a float16 subnormal
        const feeds = {
          h: createTensor('float16', [2, 3], halfInputs),
          d: createTensor('float64', [2, 3], [1.5, -2, Math.PI, 1e300, -0, 7]),
          i: createTensor('int32', [2, 3], [1, -2, 3, 715827882, -715827882, 0]),
          s: createTensor('int8', [2, 3], [-128, -1, 0, 1, 42, 127]),
          u: createTensor('uint8', [2, 3], [0, 1, 2, 128, 254, 255]),
          b: createTensor('bool', [2, 3], [true, false, true, true, false, false]),
        };
        const out = await dtypes.run(feeds);
        expect(Object.fromEntries(Object.entries(out).map(([k, t]) => [k, [t.dtype, t.shape]]))).toEqual({
          h_out: ['float16', [2, 3]],
          d_out: ['float64', [2, 3]],
          i_out: ['int32', [2, 3]],
          s_out: ['int8', [2, 3]],
          u_out: ['uint8', [2, 3]],
          b_out: ['bool', [2, 3]],
        });
        expect(out.h_out!.data).toBeInstanceOf(Uint16Array);
        // h + h doubles the float16 value exactly (no overflow here), so compare bit patterns.
        const expectedHalf = Array.from(feeds.h.data, (bits) => float32ToFloat16Bits(2 * float16BitsToFloat32(bits)));
        expect(Array.from(out.h_out!.data as Uint16Array)).toEqual(expectedHalf);
        expect(Array.from(out.d_out!.data as Float64Array)).toEqual([3, -4, 2 * Math.PI, 2e300, -0, 14]);
        expect(Array.from(out.i_out!.data as Int32Array)).toEqual([3, -6, 9, 2147483646, -2147483646, 0]);
        expect(Array.from(out.s_out!.data as Int8Array)).toEqual([-128, -1, 0, 1, 42, 127]);
        expect(Array.from(out.u_out!.data as Uint8Array)).toEqual([0, 1, 2, 128, 254, 255]);
        expect(out.b_out!.data).toBeInstanceOf(Uint8Array);
        expect(Array.from(out.b_out!.data as Uint8Array)).toEqual([0, 1, 0, 0, 1, 1]);
      });
    });

    describe('feed validation', () => {
      it('rejects an unknown input name, listing the model inputs', async () => {
        const { x, n } = twoIoFeeds(1);
        await expectOxvError(twoIo.run({ x, n, z: x }), 'ERR_INPUT_NAME', /unknown input "z".*"x", "n"/);
      });

      it('rejects a missing input', async () => {
        const { x } = twoIoFeeds(1);
        await expectOxvError(twoIo.run({ x }), 'ERR_INPUT_NAME', /missing input "n"/);
      });

      it('rejects a wrong dtype, naming expected and actual', async () => {
        const { n } = twoIoFeeds(1);
        const x = createTensor('float64', [1, 3, 4, 4]);
        await expectOxvError(twoIo.run({ x, n }), 'ERR_INPUT_DTYPE', /input "x": expected dtype float32, got float64/);
      });

      it('rejects a wrong rank', async () => {
        const { n } = twoIoFeeds(1);
        const x = createTensor('float32', [3, 4, 4]);
        await expectOxvError(
          twoIo.run({ x, n }),
          'ERR_INPUT_SHAPE',
          /input "x": expected shape \[batch,3,4,4\], got \[3,4,4\] \(rank 3, expected rank 4\)/,
        );
      });

      it('rejects a wrong fixed dim, naming the axis', async () => {
        const { n } = twoIoFeeds(1);
        const x = createTensor('float32', [1, 3, 5, 4]);
        await expectOxvError(
          twoIo.run({ x, n }),
          'ERR_INPUT_SHAPE',
          /input "x": expected shape \[batch,3,4,4\], got \[1,3,5,4\] \(axis 2: expected 4, got 5\)/,
        );
      });

      it('rejects data whose length does not match the shape', async () => {
        const { n } = twoIoFeeds(1);
        // Built by hand: createTensor itself would refuse this.
        const x: Tensor = { dtype: 'float32', shape: [1, 3, 4, 4], data: new Float32Array(47) };
        await expectOxvError(
          twoIo.run({ x, n }),
          'ERR_INPUT_SHAPE',
          /data has 47 elements but shape \[1,3,4,4\] needs 48/,
        );
      });

      it('rejects an unknown requested output, listing the model outputs', async () => {
        await expectOxvError(
          twoIo.run(twoIoFeeds(1), { outputs: ['y', 'nope'] }),
          'ERR_INPUT_NAME',
          /unknown output "nope".*"y", "m"/,
        );
      });
    });

    describe('runtime failures', () => {
      it('reports an unnamed dynamic dim as "?"', async () => {
        const runner = await create(fixturePath('broadcast.onnx'));
        try {
          expect(runner.info().inputs).toEqual([
            { name: 'a', dtype: 'float32', shape: ['n'] },
            { name: 'b', dtype: 'float32', shape: ['?'] },
          ]);
          expect(runner.info().outputs).toEqual([{ name: 'c', dtype: 'float32', shape: ['?'] }]);
        } finally {
          await runner.dispose();
        }
      });

      it('wraps a failure inside the runtime as ERR_INFERENCE with the runtime error as cause', async () => {
        const runner = await create(fixturePath('broadcast.onnx'));
        try {
          const a = createTensor('float32', [2], [1, 2]);
          // Both dims are dynamic, so validation passes and broadcasting [2] with [3] fails in the runtime.
          const error = await expectOxvError(
            runner.run({ a, b: createTensor('float32', [3], [1, 2, 3]) }),
            'ERR_INFERENCE',
            new RegExp(`^${backendName} failed to run the model: `),
          );
          expect(error.cause).toBeInstanceOf(Error);
          // The runner stays usable after a failed run.
          const out = await runner.run({ a, b: createTensor('float32', [1], [10]) });
          expect(Array.from(out.c!.data as Float32Array)).toEqual([11, 12]);
        } finally {
          await runner.dispose();
        }
      });
    });

    describe('lifecycle and loading', () => {
      it('loads from bytes as well as from a path', async () => {
        const bytes = new Uint8Array(await readFile(fixturePath('two_io.onnx')));
        const runner = await create(bytes);
        try {
          const out = await runner.run(twoIoFeeds(1), { outputs: ['y'] });
          expect((out.y!.data as Float32Array)[0]).toBe(-1);
        } finally {
          await runner.dispose();
        }
      });

      it('refuses to run after dispose, and dispose is idempotent', async () => {
        const runner = await create(fixturePath('two_io.onnx'));
        await runner.dispose();
        await runner.dispose();
        await expectOxvError(runner.run(twoIoFeeds(1)), 'ERR_RUNNER_DISPOSED');
      });

      it('lets a run in flight finish before dispose releases the session', async () => {
        const runner = await create(fixturePath('two_io.onnx'));
        const pending = runner.run(twoIoFeeds(2), { outputs: ['m'] });
        await runner.dispose();
        expect((await pending).m!.shape).toEqual([2, 2]);
      });

      it('reports a missing model file as ERR_FILE_NOT_FOUND with the path', async () => {
        const path = fixturePath('does-not-exist.onnx');
        const error = await expectOxvError(create(path), 'ERR_FILE_NOT_FOUND');
        expect(error.message).toContain(path);
      });

      it('reports a corrupt model file as ERR_MODEL_LOAD with the path and the runtime error as cause', async () => {
        const path = fixturePath('corrupt.onnx');
        const error = await expectOxvError(create(path), 'ERR_MODEL_LOAD', /protobuf parsing failed/i);
        expect(error.message).toContain(path);
        expect(error.cause).toBeInstanceOf(Error);
      });

      it('reports a directory given as the model as ERR_MODEL_LOAD', async () => {
        const directory = fixturePath('');
        const error = await expectOxvError(create(directory), 'ERR_MODEL_LOAD');
        expect(error.message).toContain(directory);
      });

      it('reports corrupt model bytes as ERR_MODEL_LOAD', async () => {
        const bytes = new Uint8Array(await readFile(fixturePath('corrupt.onnx')));
        await expectOxvError(create(bytes), 'ERR_MODEL_LOAD', /from 256 bytes/);
      });
    });
  });
}
