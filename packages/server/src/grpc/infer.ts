import type { ServerDuplexStream } from '@grpc/grpc-js';
import { inferThroughManager } from '../infer-call.js';
import { servingMetadata } from '../routes/serving-metadata.js';
import { checkAccess, deadlineOf, logFailure, type GrpcScope } from './call.js';
import type { ModelInferRequest, ModelInferResponse } from './messages.js';
import { grpcCodeName, toGrpcFailure } from './status.js';
import { decodeGrpcInfer, encodeGrpcInfer } from './tensors.js';

/**
 * One ModelInfer, through the same manager path as HTTP's infer route (so the two share dynamic
 * batches). A refusal before the manager saw the request is counted against its model here, as HTTP does.
 */
export async function inferOne(
  scope: GrpcScope,
  request: ModelInferRequest,
  deadline: number | undefined,
): Promise<ModelInferResponse> {
  const { context } = scope;
  const model = request.model_name;
  const version = request.model_version === '' ? undefined : request.model_version;
  let reached = false;
  try {
    const meta = servingMetadata(context.manager, model, version);
    const decoded = decodeGrpcInfer(request, meta, deadline);
    const result = await inferThroughManager(
      context,
      model,
      version,
      {
        inputs: decoded.inputs,
        ...(decoded.outputSubset ? { outputs: decoded.outputs } : {}),
        ...(decoded.timeoutMs === undefined ? {} : { timeoutMs: decoded.timeoutMs }),
        ...(decoded.id === '' ? {} : { requestId: decoded.id }),
      },
      'grpc',
      () => (reached = true),
    );
    return encodeGrpcInfer(result, decoded);
  } catch (error) {
    if (!reached) {
      const code = toGrpcFailure(error, 0).errorCode;
      context.metrics.recordRejected({ model, version: version ?? '' }, code, 'grpc');
    }
    throw error;
  }
}

/** Open ModelStreamInfer calls; shutdown ends each once its requests are answered. */
export type OpenStreams = Set<() => void>;

/**
 * ModelStreamInfer: every request on the stream is answered on it, in completion order (as Triton's
 * decoupled-free models do); a failed request is a response with `error_message`, and the stream stays
 * open. The stream ends once the client has half-closed (or the server shuts down) and every request is
 * answered.
 */
export function streamInfer(scope: GrpcScope, streams: OpenStreams) {
  return (call: ServerDuplexStream<ModelInferRequest, unknown>): void => {
    const started = performance.now();
    const finish = (code: number) =>
      scope.context.metrics.observeGrpc('ModelStreamInfer', grpcCodeName(code), (performance.now() - started) / 1000);
    try {
      checkAccess(scope, 'inference', call);
    } catch (error) {
      const failure = logFailure(scope, 'ModelStreamInfer', error);
      finish(failure.code!);
      call.emit('error', failure);
      return;
    }
    let open = 0;
    let ended = false;
    const settle = (): void => {
      if (!ended || open > 0 || !streams.has(close)) return;
      streams.delete(close);
      if (call.cancelled) return finish(1);
      finish(0);
      call.end();
    };
    const close = (): void => {
      ended = true;
      settle();
    };
    streams.add(close);
    call.on('cancelled', close);
    call.on('data', (request: ModelInferRequest) => {
      open++;
      inferOne(scope, request, deadlineOf(call))
        .then(
          (response) => ({ error_message: '', infer_response: response }),
          (error: unknown) => ({
            error_message: logFailure(scope, 'ModelStreamInfer', error).details,
            infer_response: { model_name: request.model_name, model_version: request.model_version, id: request.id },
          }),
        )
        .then((message) => {
          if (!call.cancelled) call.write(message);
          open--;
          settle();
        });
    });
    call.on('end', close);
  };
}
