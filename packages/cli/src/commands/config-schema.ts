import type { Command } from '@commander-js/extra-typings';

export function registerConfigSchema(program: Command<[], Record<string, unknown>>): void {
  program
    .command('config-schema')
    .description('Print the JSON Schema of the YAML config (for editor completion and validation)')
    .action(async () => {
      const { configJsonSchema } = await import('@oxidizedvision/tools');
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
}
