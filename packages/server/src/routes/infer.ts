import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { bodyBytes } from '../http/body.js';
import { HEADER_LENGTH } from '../protocol/binary.js';
import { decodeInferRequest } from '../protocol/infer-request.js';
import { encodeInferResponse } from '../protocol/infer-response.js';
import { mainThreadTurn } from '../turns.js';
import { modelParams, withVersions } from './params.js';
import { servingMetadata } from './serving-metadata.js';
import { runInference } from './run-inference.js';

/** `POST /v2/models/{m}[/versions/{v}]/infer`: JSON, or Triton's binary tensor extension, both ways. */
export function inferRoutes(app: FastifyInstance): void {
  for (const url of withVersions('/infer')) {
    app.post(url, { config: { inference: true } }, async (request, reply) => {
      const { model, version } = modelParams(request);
      const meta = servingMetadata(app.oxv.manager, model, version);
      // JSON parsing and printing of tensors is synchronous and scales with their size (~20 ms each way for
      // a 3×256×256 float tensor): one request's at a time (turns.ts). Binary tensors cost a copy.
      const json = request.headers[HEADER_LENGTH] === undefined;
      if (json) await mainThreadTurn();
      const decoded = decodeInferRequest(bodyBytes(request), request.headers[HEADER_LENGTH], meta);
      const result = await runInference(app, request, model, version, {
        inputs: decoded.inputs,
        ...(decoded.outputSubset ? { outputs: decoded.outputs.map((o) => o.name) } : {}),
        ...(decoded.timeoutMs === undefined ? {} : { timeoutMs: decoded.timeoutMs }),
      });
      if (json) await mainThreadTurn();
      const encoded = encodeInferResponse(result, decoded.id, decoded.outputs);
      if (encoded.binary === null) return reply.type('application/json; charset=utf-8').send(encoded.json);
      const { chunks, byteLength, headerLength } = encoded.binary;
      return reply
        .header(HEADER_LENGTH, String(headerLength))
        .header('content-length', String(byteLength))
        .type('application/octet-stream')
        .send(Readable.from(chunks, { objectMode: false }));
    });
  }
}
