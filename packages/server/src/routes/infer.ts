import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { bodyBytes } from '../http/body.js';
import { HEADER_LENGTH } from '../protocol/binary.js';
import {
  decodeInferRequest,
  decodeParsedRequest,
  headerWhat,
  type DecodedInferRequest,
  type RequestedOutput,
} from '../protocol/infer-request.js';
import type { InferResult } from '../models/types.js';
import { encodeInferResponse } from '../protocol/infer-response.js';
import { mainThreadTurn } from '../turns.js';
import { modelParams, withVersions } from './params.js';
import { servingMetadata } from './serving-metadata.js';
import { runInference } from './run-inference.js';

/** A float32 prints as ~9–10 characters, plus its comma: about 2.5 bytes of text per byte of tensor. */
const TEXT_BYTES_PER_TENSOR_BYTE = 2.5;

/** The tensor bytes of an all-JSON answer (null when any output goes binary: that answer is not text). */
function jsonOutputBytes(result: InferResult, requested: RequestedOutput[]): number | null {
  let bytes = 0;
  for (const { name, binary } of requested) {
    if (binary) return null;
    bytes += result.outputs[name]?.data.byteLength ?? 0;
  }
  return bytes;
}

/** `POST /v2/models/{m}[/versions/{v}]/infer`: JSON, or Triton's binary tensor extension, both ways. */
export function inferRoutes(app: FastifyInstance): void {
  for (const url of withVersions('/infer')) {
    app.post(url, { config: { inference: true } }, async (request, reply) => {
      const { model, version } = modelParams(request);
      const meta = servingMetadata(app.oxv.manager, model, version);
      // JSON parsing and printing of tensors is synchronous and scales with their size (~20 ms each way for
      // a 3×256×256 float tensor): one request's at a time (turns.ts). Binary tensors cost a copy.
      // Large ones go to the JSON worker threads (json-workers/) instead, and leave the loop free meanwhile.
      const { json: pool } = app.oxv;
      const headerLength = request.headers[HEADER_LENGTH];
      const json = headerLength === undefined;
      const body = bodyBytes(request);
      let decoded: DecodedInferRequest;
      if (json && pool.wants(body.byteLength)) {
        decoded = decodeParsedRequest(await pool.parse(body, headerWhat(headerLength)), new Uint8Array(0), meta);
      } else {
        if (json) await mainThreadTurn();
        decoded = decodeInferRequest(body, headerLength, meta);
      }
      const result = await runInference(app, request, model, version, {
        inputs: decoded.inputs,
        ...(decoded.outputSubset ? { outputs: decoded.outputs.map((o) => o.name) } : {}),
        ...(decoded.timeoutMs === undefined ? {} : { timeoutMs: decoded.timeoutMs }),
      });
      const tensorBytes = jsonOutputBytes(result, decoded.outputs);
      if (tensorBytes !== null && pool.wants(tensorBytes * TEXT_BYTES_PER_TENSOR_BYTE)) {
        const text = await pool.encode({
          modelName: result.modelName,
          modelVersion: result.modelVersion,
          outputs: result.outputs,
          requestId: decoded.id,
          requested: decoded.outputs,
        });
        return reply
          .type('application/json; charset=utf-8')
          .send(Buffer.from(text.buffer, text.byteOffset, text.byteLength));
      }
      if (json) await mainThreadTurn();
      const encoded = encodeInferResponse(result, decoded.id, decoded.outputs);
      if (encoded.binary === null) return reply.type('application/json; charset=utf-8').send(encoded.json);
      const { chunks, byteLength, headerLength: jsonLength } = encoded.binary;
      return reply
        .header(HEADER_LENGTH, String(jsonLength))
        .header('content-length', String(byteLength))
        .type('application/octet-stream')
        .send(Readable.from(chunks, { objectMode: false }));
    });
  }
}
