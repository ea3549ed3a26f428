/**
 * The slice of the onnxruntime-common API the shared runner uses, typed structurally: onnxruntime-node and
 * onnxruntime-web each ship their own copy of onnxruntime-common, and the root entry must not import either.
 */
export interface OrtTensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

export type OrtTensorFactory = (dtype: string, data: ArrayBufferView, dims: readonly number[]) => OrtTensorLike;

export interface OrtValueMetadataLike {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

export interface OrtSessionLike {
  readonly inputMetadata: readonly OrtValueMetadataLike[];
  readonly outputMetadata: readonly OrtValueMetadataLike[];
  run(
    feeds: Record<string, OrtTensorLike>,
    fetches: string[],
    options?: { logSeverityLevel?: 0 | 1 | 2 | 3 | 4 },
  ): Promise<Record<string, unknown>>;
  release(): Promise<void>;
}
