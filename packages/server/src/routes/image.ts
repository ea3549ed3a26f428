import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  OxvError,
  createTensor,
  hasDetectionOutputs,
  imageToTensor,
  segmentationOutput,
  type ModelCard,
  type PreprocessSpec,
  type Tensor,
} from '@oxidizedvision/runtime';
import { decodeImage } from '@oxidizedvision/runtime/node';
import { bodyBytes } from '../http/body.js';
import { multipartFile } from '../http/multipart.js';
import { encodeImageOutput, tensorToMask, type ImageFormat, type Restore } from '../image/to-image.js';
import { detectionsAnswer, parseDetectionQuery, type DetectionQuery } from '../image/detections.js';
import { topK } from '../image/top-k.js';
import { mainThreadTurn } from '../turns.js';
import type { InferResult, ModelMetadata } from '../models/types.js';
import { modelParams, withVersions } from './params.js';
import { servingMetadata } from './serving-metadata.js';
import { runInference } from './run-inference.js';

/** A decompression bomb (a tiny PNG declaring 100k × 100k) must fail fast instead of allocating gigabytes. */
const MAX_INPUT_PIXELS = 50_000_000;

const TASKS = ['image-to-image', 'classification', 'segmentation', 'detection'] as const;
type ImageTask = (typeof TASKS)[number];

/** The model card fields this endpoint needs; a clear 400 names the one that is missing. */
function requireCard(meta: ModelMetadata): ModelCard & { task: ImageTask } {
  const card = meta.card;
  if (!card) {
    throw new OxvError(
      'ERR_MODEL_CARD',
      `model "${meta.name}" has no model card, so its preprocessing and task are unknown`,
      {
        hint: 'convert writes <name>.card.json beside the .onnx; serve the converted file, or use /infer with tensors',
      },
    );
  }
  // A card without a task (written before detection existed) whose outputs are the detection contract's.
  if (!TASKS.includes(card.task as ImageTask) && hasDetectionOutputs(meta.outputs)) {
    return { ...card, task: 'detection' };
  }
  if (!TASKS.includes(card.task as ImageTask)) {
    throw new OxvError(
      'ERR_MODEL_CARD',
      `model "${meta.name}": the image endpoint needs card.task to be one of ${TASKS.join(', ')}, got ${JSON.stringify(card.task)}`,
      {
        hint: 'set task: in the config and convert again',
      },
    );
  }
  if (meta.inputs.length !== 1) {
    throw new OxvError(
      'ERR_BAD_REQUEST',
      `model "${meta.name}" has ${meta.inputs.length} inputs; the image endpoint feeds exactly one`,
    );
  }
  return card as ModelCard & { task: ImageTask };
}

function imageBytes(request: FastifyRequest): Uint8Array {
  const body = bodyBytes(request);
  const type = request.headers['content-type'] ?? '';
  const bytes = /^multipart\/form-data/i.test(type) ? multipartFile(body, type) : body;
  if (bytes.byteLength === 0) {
    throw new OxvError(
      'ERR_BAD_REQUEST',
      'no image in the request body; send PNG, JPEG or WebP bytes or multipart -F image=@file',
    );
  }
  return bytes;
}

function parseTopK(request: FastifyRequest, fallback: number): number {
  const raw = (request.query as { top_k?: string }).top_k;
  if (raw === undefined) return fallback;
  const k = Number(raw);
  if (!Number.isSafeInteger(k) || k < 1)
    throw new OxvError('ERR_BAD_REQUEST', `top_k must be a positive integer, got "${raw}"`);
  return k;
}

/** PNG unless the client's Accept asks for JPEG or WebP. */
function outputFormat(request: FastifyRequest): ImageFormat {
  const accept = request.headers.accept ?? '';
  if (/image\/png/.test(accept) || !/image\/(jpeg|webp)/.test(accept)) return 'png';
  return /image\/jpeg/.test(accept) ? 'jpeg' : 'webp';
}

interface Answer {
  output: Tensor;
  restore: Restore;
  k: number;
  detection: DetectionQuery | null;
  result: InferResult;
}

/**
 * What a person can use, by task: top-k labels, detections (boxes in the upload's pixels), a class mask,
 * or the output image at the upload's size.
 */
async function answer(
  reply: FastifyReply,
  request: FastifyRequest,
  card: ModelCard & { task: ImageTask },
  spec: PreprocessSpec,
  { output, restore, k, detection, result }: Answer,
): Promise<unknown> {
  await mainThreadTurn(); // so is post-processing; a finished batch must not run all of its at once
  if (card.task === 'detection') {
    return {
      model_name: result.modelName,
      model_version: result.modelVersion,
      ...detectionsAnswer(result.outputs, card, restore, detection!),
    };
  }
  if (card.task === 'classification') {
    return {
      model_name: result.modelName,
      model_version: result.modelVersion,
      predictions: topK(output, card.labels, k),
    };
  }
  if (card.task === 'segmentation') return reply.type('image/png').send(await tensorToMask(output, spec, restore));
  const format = outputFormat(request);
  return reply.type(`image/${format}`).send(await encodeImageOutput(output, spec, restore, format));
}

/**
 * `POST /v2/models/{m}[/versions/{v}]/infer/image`: an encoded image in (raw body or multipart), the card's
 * preprocessing, one inference, and an answer a person can use: an image for image-to-image (and a class
 * mask for segmentation), top-k labels for classifiers, detections as JSON for detectors.
 */
export function imageRoutes(app: FastifyInstance): void {
  for (const url of withVersions('/infer/image')) {
    app.post(url, { config: { inference: true } }, async (request, reply) => {
      const { model, version } = modelParams(request);
      const meta = servingMetadata(app.oxv.manager, model, version);
      const card = requireCard(meta);
      const k = card.task === 'classification' ? parseTopK(request, app.oxv.options.defaultTopK) : 0;
      const detection = card.task === 'detection' ? parseDetectionQuery(request) : null;
      const image = await decodeImage(imageBytes(request), { maxPixels: MAX_INPUT_PIXELS });
      await mainThreadTurn(); // preprocessing below is synchronous: one request's at a time (turns.ts)
      // A card without a fixed size (fully convolutional model) feeds the image at its own size.
      const spec: PreprocessSpec = { ...card.preprocess, size: card.preprocess.size ?? [image.height, image.width] };
      const { tensor, placement } = imageToTensor(image, spec);
      const input = meta.inputs[0]!;
      const feed = input.dtype === 'float16' ? createTensor('float16', tensor.shape, Array.from(tensor.data)) : tensor;
      const result = await runInference(app, request, model, version, { inputs: { [input.name]: feed } });
      // Segmentation reads torchvision's `out` (not its `aux` head); the other tasks the first output.
      const main = card.task === 'segmentation' ? segmentationOutput(meta.outputs)! : meta.outputs[0]!;
      const output = result.outputs[main.name] ?? Object.values(result.outputs)[0]!;
      reply.header('x-model-version', result.modelVersion);
      const restore = { size: spec.size, placement, width: image.width, height: image.height };
      return answer(reply, request, card, spec, { output, restore, k, detection, result });
    });
  }
}
