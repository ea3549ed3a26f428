// Child process for registry-concurrency.test.ts: waits for a shared start time so that all writers hit
// the (possibly not yet created) database together, then adds `count` versions of one model and prints
// the version numbers it was given as JSON.
import { openRegistry } from '../../dist/registry/index.js';

const [home, name, count, startAt, writer] = process.argv.slice(2);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));

const registry = openRegistry({ home });
const versions = [];
try {
  for (let i = 0; i < Number(count); i++) {
    const { version } = registry.addVersion({
      name,
      source: 'convert',
      files: { onnx: { path: `/models/${name}-w${writer}-${i}.onnx`, sha256: 'ab'.repeat(32), bytes: i } },
      metadata: { writer: Number(writer), index: i },
    });
    versions.push(version);
  }
} finally {
  registry.close();
}
process.stdout.write(JSON.stringify(versions));
