import type { Command } from '@commander-js/extra-typings';
import type { ModelVersion, Registry } from '@oxidizedvision/tools';
import { formatBytes, printJson, table } from '../output/format.js';
import { createContext } from '../context.js';

function versionRow(v: ModelVersion): string[] {
  return [
    String(v.version),
    v.createdAt.replace('T', ' ').slice(0, 19),
    v.source,
    formatBytes(v.files.onnx.bytes),
    v.files.onnx.path,
  ];
}

/** Opens the registry (lazily importing tools), runs `use`, and always closes it. */
async function withRegistry<T>(readonly: boolean, use: (registry: Registry) => T): Promise<T> {
  const { openRegistry } = await import('@oxidizedvision/tools');
  const registry = openRegistry({ readonly });
  try {
    return use(registry);
  } finally {
    registry.close();
  }
}

export function registerRegistryCommands(program: Command<[], Record<string, unknown>>): void {
  program
    .command('list')
    .description('List the models in the registry (OXV_HOME or ~/.oxidizedvision)')
    .option('--json', 'print JSON on stdout')
    .action(async (opts, command) => {
      createContext(command);
      await withRegistry(true, (registry) => {
        const models = registry.list();
        if (opts.json) return printJson({ registry: registry.dbPath, models });
        if (models.length === 0) {
          process.stdout.write('No models registered yet. Run "oxidizedvision convert <config>" first.\n');
          return;
        }
        const rows = models.map((m) => [
          m.name,
          m.latestVersion,
          m.versionCount,
          m.createdAt.slice(0, 19).replace('T', ' '),
          m.updatedAt.slice(0, 19).replace('T', ' '),
        ]);
        process.stdout.write(`${table(['Name', 'Latest', 'Versions', 'Created (UTC)', 'Updated (UTC)'], rows)}\n`);
      });
    });

  program
    .command('info')
    .description('Show a registered model and its versions')
    .argument('<model>', 'name or name:version')
    .option('--json', 'print JSON on stdout')
    .action(async (ref, opts, command) => {
      createContext(command);
      const { parseModelRef } = await import('@oxidizedvision/tools');
      const { name, version } = parseModelRef(ref);
      await withRegistry(true, (registry) => {
        const details = registry.get(name);
        const versions = version === undefined ? details.versions : [registry.getVersion(name, version)];
        if (opts.json) return printJson({ ...details, versions });
        const latest = versions[versions.length - 1]!;
        const meta = latest.metadata as { task?: string; opset?: number; torch_version?: string; parameters?: number };
        process.stdout.write(
          [
            `${details.name}: ${details.versionCount} version(s), created ${details.createdAt}`,
            meta.parameters !== undefined
              ? `  parameters ${meta.parameters.toLocaleString('en-US')}, opset ${meta.opset}, torch ${meta.torch_version}`
              : '',
            table(['Version', 'Created (UTC)', 'Source', 'ONNX size', 'ONNX file'], versions.map(versionRow)),
          ]
            .filter(Boolean)
            .join('\n') + '\n',
        );
      });
    });

  program
    .command('remove')
    .description('Remove a model (or one version) from the registry; its files stay on disk')
    .argument('<model>', 'name or name:version')
    .option('--json', 'print JSON on stdout')
    .action(async (ref, opts, command) => {
      createContext(command);
      const { parseModelRef } = await import('@oxidizedvision/tools');
      const { name, version } = parseModelRef(ref);
      await withRegistry(false, (registry) => {
        const { removed } = registry.remove(name, version);
        if (opts.json) return printJson({ name, removed });
        process.stdout.write(
          `Removed ${name} version(s) ${removed.join(', ')} from the registry (files left on disk).\n`,
        );
      });
    });
}
