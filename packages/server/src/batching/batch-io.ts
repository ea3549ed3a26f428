import { OxvError, type Tensor } from '@oxidizedvision/runtime';
import { concatBatch, splitBatch } from './concat.js';

/** What building a batch's feeds and splitting its outputs needs to know about each request. */
export interface BatchMember {
  readonly inputs: Record<string, Tensor>;
  readonly outputs: string[] | undefined;
  readonly extent: number;
}

/** Per input, the members' tensors in member order: what an executor joins into one feed. */
export function batchParts(batch: readonly BatchMember[]): Record<string, Tensor[]> {
  const parts: Record<string, Tensor[]> = {};
  for (const name of Object.keys(batch[0]!.inputs)) parts[name] = batch.map((p) => p.inputs[name]!);
  return parts;
}

/** One feed per input: each input's parts concatenated along dim 0. */
export function joinParts(parts: Record<string, Tensor[]>): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const [name, list] of Object.entries(parts)) feeds[name] = concatBatch(list);
  return feeds;
}

/** The union of the requested output subsets, or every output when any request wants them all. */
export function fetchesFor(batch: readonly BatchMember[]): string[] | undefined {
  const names = new Set<string>();
  for (const p of batch) {
    if (p.outputs === undefined) return undefined;
    for (const name of p.outputs) names.add(name);
  }
  return [...names];
}

/** Per member, every output sliced back to that member's extent. */
export function splitOutputs(batch: readonly BatchMember[], outputs: Record<string, Tensor>): Record<string, Tensor>[] {
  const perRequest = batch.map(() => ({}) as Record<string, Tensor>);
  const extents = batch.map((p) => p.extent);
  for (const [name, tensor] of Object.entries(outputs)) {
    splitBatch(name, tensor, extents).forEach((slice, i) => (perRequest[i]![name] = slice));
  }
  return perRequest;
}

/** The outputs a member asked for (all when it named none). */
export function pick(outputs: Record<string, Tensor>, wanted: readonly string[] | undefined): Record<string, Tensor> {
  if (wanted === undefined) return outputs;
  const subset: Record<string, Tensor> = {};
  for (const name of wanted) if (outputs[name] !== undefined) subset[name] = outputs[name];
  return subset;
}

/** Anything a batch run threw, as the OxvError its requests are rejected with. */
export function asInferenceError(error: unknown): OxvError {
  if (error instanceof OxvError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OxvError('ERR_INFERENCE', `inference failed: ${message}`, { cause: error });
}
