import type { ResolvedConfig } from '../config/types.js';

/** The model part of a bridge request: how to build the module, with which weights. */
export interface BridgeModelSpec {
  kind: ResolvedConfig['model']['kind'];
  path: string;
  arch: string | undefined;
  class_name: string | undefined;
  init_args: Record<string, unknown>;
  checkpoint: string | undefined;
}

export function modelSpec(config: ResolvedConfig, checkpoint = config.model.checkpoint): BridgeModelSpec {
  const { kind, path, arch, class_name, init_args } = config.model;
  return { kind, path, arch, class_name, init_args: { ...init_args }, checkpoint };
}

export interface BridgeConvertResult {
  exporter: string;
  torch_version: string;
  inputs: { name: string; shape: number[]; dtype: string }[];
  outputs: { name: string; shape: number[]; dtype: string }[];
  parameters: { total: number; trainable: number; buffers: number };
  files: { onnx: string; torchscript?: string; weights?: string };
  external_data: string[];
  /** The task of the torchvision family (detection, segmentation, classification), or null. */
  task_hint: string | null;
}
