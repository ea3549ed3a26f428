import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertModel, exportPaths, loadConfig } from '@oxidizedvision/tools';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
/** The example UNet denoiser's config and its committed noisy/clean sample photographs. */
export const CONFIG = join(REPO, 'examples/unet-denoiser/config.yml');
export const SAMPLES = join(REPO, 'examples/unet-denoiser/samples');

/** The converted model is gitignored: converts it (PyTorch needed) when this checkout has not yet. */
export async function ensureExampleConverted(): Promise<void> {
  const config = loadConfig(CONFIG);
  if (!existsSync(exportPaths(config).onnx)) await convertModel(config);
}
