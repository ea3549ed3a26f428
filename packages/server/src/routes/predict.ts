import type { FastifyInstance } from 'fastify';
import { OxvError, createTensor, type TensorInfo } from '@oxidizedvision/runtime';
import { parseJsonObject } from '../http/body.js';
import { fromProtocolDatatype, toProtocolDatatype } from '../protocol/datatypes.js';
import { jsonData, encodeJson } from '../protocol/json/write-json.js';
import { checkShape, tensorFromJson } from '../protocol/tensor-data.js';
import { servingMetadata } from './serving-metadata.js';
import { defaultModel } from './default-model.js';
import { runInference } from './run-inference.js';

/** Without `shape`, a model input with fixed dims (batch taken as 1) still says what to send. */
function fallbackShape(info: TensorInfo): number[] {
  const shape = info.shape.map((d, i) => (typeof d === 'number' && d >= 0 ? d : i === 0 ? 1 : -1));
  if (shape.includes(-1)) {
    throw new OxvError(
      'ERR_BAD_REQUEST',
      `"shape" is required: input "${info.name}" has variable dims [${info.shape.join(', ')}]`,
    );
  }
  return shape;
}

/**
 * `POST /predict[/{model}]` for the original toolkit's clients: `{"data": [...], "shape": [...]}` in,
 * `{"model", "output_shape", "data", "latency_ms"}` out (the original returned no data). Single-input models;
 * missing data means zeros, as it did.
 */
export function predictRoutes(app: FastifyInstance): void {
  for (const url of ['/predict', '/predict/:model']) {
    app.post(url, { config: { inference: true } }, async (request, reply) => {
      const started = performance.now();
      const model = (request.params as { model?: string }).model ?? defaultModel(app.oxv);
      const meta = servingMetadata(app.oxv.manager, model, undefined);
      if (meta.inputs.length !== 1) {
        throw new OxvError(
          'ERR_BAD_REQUEST',
          `model "${model}" has ${meta.inputs.length} inputs; use POST /v2/models/${model}/infer`,
        );
      }
      const info = meta.inputs[0]!;
      const dtype = fromProtocolDatatype(toProtocolDatatype(info.dtype));
      if (dtype === undefined)
        throw new OxvError('ERR_INPUT_DTYPE', `input "${info.name}" has unsupported type ${info.dtype}`);
      const body = parseJsonObject(request, 'request body');
      const shape =
        body.shape === undefined || body.shape === null ? fallbackShape(info) : checkShape(body.shape, 'request');
      if (shape.length === 0) throw new OxvError('ERR_INPUT_SHAPE', 'shape cannot be empty');
      const tensor =
        body.data === undefined || body.data === null
          ? createTensor(dtype, shape)
          : tensorFromJson(dtype, shape, body.data, `input "${info.name}"`);
      const result = await runInference(app, request, model, undefined, { inputs: { [info.name]: tensor } });
      const output = result.outputs[meta.outputs[0]!.name] ?? Object.values(result.outputs)[0]!;
      const answer = {
        status: 'success',
        model: result.modelName,
        model_version: result.modelVersion,
        output_shape: [...output.shape],
        data: jsonData(output),
        latency_ms: Math.round((performance.now() - started) * 1000) / 1000,
      };
      return reply.type('application/json; charset=utf-8').send(encodeJson(answer));
    });
  }
}
