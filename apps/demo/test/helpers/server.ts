import { DEFAULT_BATCHING, DEFAULT_INSTANCES, createModelManager, type ModelManager } from '@oxidizedvision/server';

/** A model manager serving one .onnx file as `unet-denoiser` with the CLI's defaults, as `serve --model` does. */
export function serveDenoiser(path: string): ModelManager {
  return createModelManager({
    models: [
      {
        name: 'unet-denoiser',
        source: { kind: 'file', path },
        batching: DEFAULT_BATCHING,
        instances: DEFAULT_INSTANCES,
      },
    ],
  });
}
