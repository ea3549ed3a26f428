/**
 * `node measure-memory-child.js <model.onnx> <shapes-json>`: loads the model, runs one inference on zeros
 * and prints the process's peak resident memory. A child process, not a worker, so the figure is what a
 * container running this model alone needs (Node itself included), untouched by the caller's heap.
 */
import { createTensor, isDType, type Tensor } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';

const [onnx, shapesJson] = process.argv.slice(2) as [string, string];
const shapes = JSON.parse(shapesJson) as Record<string, number[]>;
const runner = await createNodeRunner(onnx);
const feeds: Record<string, Tensor> = {};
for (const input of runner.info().inputs) {
  const dtype = isDType(input.dtype) ? input.dtype : 'float32';
  feeds[input.name] = createTensor(
    dtype,
    shapes[input.name] ?? input.shape.map((d) => (typeof d === 'number' ? d : 1)),
  );
}
await runner.run(feeds);
await runner.run(feeds);
process.stdout.write(`${JSON.stringify({ peak_rss_bytes: process.resourceUsage().maxRSS * 1024 })}\n`);
await runner.dispose();
