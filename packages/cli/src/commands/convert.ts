import type { Command } from '@commander-js/extra-typings';
import { formatBytes, formatCount, printJson } from '../output/format.js';
import { createContext } from '../context.js';

export function registerConvert(program: Command<[], Record<string, unknown>>): void {
  program
    .command('convert')
    .description(
      'Export a PyTorch model (nn.Module, TorchScript or torchvision:<arch>) to ONNX and TorchScript, write its model card, and register it',
    )
    .argument('<config>', 'YAML config file')
    .option(
      '--python <path>',
      'Python interpreter that imports torch (else OXV_PYTHON, config "python:", python3, /usr/bin/python3)',
    )
    .option('--no-register', 'do not add the result to the registry')
    .option(
      '--randomize-weights',
      'redraw every parameter from a seeded distribution before export (default: model.randomize_weights); for parity checks of architectures without a checkpoint',
    )
    .option('--json', 'print the result as JSON on stdout')
    .action(async (configPath, opts, command) => {
      const ctx = createContext(command);
      const { loadConfig, convertModel } = await import('@oxidizedvision/tools');
      const config = loadConfig(configPath);
      ctx.progress({ stage: 'config', message: `Converting ${config.export.model_name} (${config.model.path})` });
      const result = await convertModel(config, {
        python: opts.python,
        register: opts.register,
        randomizeWeights: opts.randomizeWeights,
        logger: ctx.logger,
        onProgress: ctx.progress,
      });
      if (opts.json) {
        printJson({ name: result.name, files: result.files, registered: result.registered, card: result.card });
        return;
      }
      const card = result.card;
      const lines = [
        `Converted ${result.name}: ${formatCount(card.pytorch.parameters.total)} parameters, opset ${card.onnx.opset}, ${card.onnx.exporter} exporter, torch ${card.pytorch.torch_version}`,
        `  onnx         ${result.files.onnx} (${formatBytes(card.onnx.bytes)})`,
        ...(result.files.torchscript && card.torchscript
          ? [`  torchscript  ${result.files.torchscript} (${formatBytes(card.torchscript.bytes)})`]
          : []),
        ...(result.files.weights ? [`  weights      ${result.files.weights}`] : []),
        `  model card   ${result.files.card}`,
        `  inputs       ${card.inputs.map((i) => `${i.name} ${i.dtype}[${i.shape.join(',')}]`).join('  ')}`,
        `  outputs      ${card.outputs.map((o) => `${o.name} ${o.dtype}[${o.shape.join(',')}]`).join('  ')}`,
        result.registered
          ? `  registry     ${result.registered.name}:${result.registered.version}`
          : '  registry     (not registered)',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
