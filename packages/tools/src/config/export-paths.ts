import { join } from 'node:path';
import type { ExportPaths, ResolvedConfig } from './types.js';

/** The files a conversion writes, as `<output_dir>/<model_name>.*`. */
export function exportPaths(config: Pick<ResolvedConfig, 'export'>): ExportPaths {
  const stem = join(config.export.output_dir, config.export.model_name);
  return {
    onnx: `${stem}.onnx`,
    torchscript: `${stem}.pt`,
    card: `${stem}.card.json`,
    weights: `${stem}.weights.pt`,
  };
}
