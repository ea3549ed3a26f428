/**
 * The page's flow: model (example, picked or dropped) → image (sample, picked, dropped or pasted) → run in
 * the worker → show. The state lives in page-state.ts (`window.__oxv`), model loading in model-load.ts.
 */
import { imageToTensor, parseModelCard } from '@oxidizedvision/runtime';
import { compareWithServer } from './compare.js';
import { decodeImage } from './decode.js';
import { fetchBytes, loadExample, loadFromServer, loadModel } from './model-load.js';
import { assets, client, page } from './page-state.js';
import { renderResult } from './render-result.js';
import { refreshServerModels, serverToken } from './server-section.js';
import { $, clearError, drawImage, ms, setStatus, showError } from './view.js';

async function guarded(task: () => Promise<void>): Promise<void> {
  clearError();
  page.error = null;
  try {
    await task();
  } catch (error) {
    page.error = showError(error);
    page.state = 'error';
    // A failed load must not leave "Loading …" on screen as if it were still going.
    if (!page.model) setStatus('model-status', 'No model loaded (see the error below).');
  }
  $<HTMLButtonElement>('run').disabled = !(page.model && page.image);
  $<HTMLButtonElement>('compare').disabled = !(page.model && page.output);
}

async function useSample(): Promise<void> {
  const name = $<HTMLSelectElement>('sample').value;
  const response = await fetch(new URL(`samples/${name}`, assets));
  if (!response.ok) throw new Error(`could not fetch sample ${name}: HTTP ${response.status}`);
  await setImage(await response.blob());
}

/** Files from the picker or a drop: the .onnx is the model, a .json beside it its card, an image the input. */
async function takeFiles(files: File[]): Promise<void> {
  const onnx = files.find((f) => !f.type.startsWith('image/') && !f.name.endsWith('.json'));
  const cardFile = files.find((f) => f.name.endsWith('.json'));
  const image = files.find((f) => f.type.startsWith('image/'));
  if (onnx) {
    const card = cardFile ? parseModelCard(await cardFile.text(), cardFile.name) : null;
    await loadModel(onnx.name, new Uint8Array(await onnx.arrayBuffer()), card);
  }
  if (image) await setImage(image);
}

async function setImage(blob: Blob): Promise<void> {
  page.image = null;
  drawImage('input-canvas', null);
  page.image = await decodeImage(blob);
  drawImage('input-canvas', page.image);
  drawImage('output-canvas', null);
  setStatus('run-status', `Image ${page.image.width}×${page.image.height} ready.`);
}

async function run(): Promise<void> {
  const model = page.model;
  const image = page.image;
  if (!model || !image) throw new Error('load a model and an image first');
  page.state = 'running';
  setStatus('run-status', 'Running…');
  // The exact runtime function Node uses: the browser test compares this tensor with Node's.
  const { tensor, placement } = imageToTensor(image, model.preprocess);
  page.input = { shape: [...tensor.shape], data: tensor.data };
  const repeats = Math.max(1, Math.min(50, Number($<HTMLInputElement>('repeats').value) || 1));
  const result = await client.run(tensor.data.slice(), [...tensor.shape], repeats, model.outputName);
  page.output = { shape: result.shape, data: result.output };
  page.timings = { loadMs: model.load.loadMs, firstMs: result.firstMs, steadyP50Ms: result.steadyP50Ms };
  renderResult(
    model,
    { image, placement, data: result.output, shape: result.shape, outputs: result.outputs },
    page.timings,
  );
  page.shownAt = performance.now();
  page.state = 'done';
  setStatus('run-status', `Done: ${model.load.choice.provider}, first run ${ms(result.firstMs)}.`);
}

async function compare(): Promise<void> {
  const { model, input, output } = page;
  if (!model || !input || !output) throw new Error('run the model in the browser first');
  setStatus('compare-status', 'Running on the server…');
  const name = $<HTMLInputElement>('server-model').value.trim() || model.name;
  // Peak of the output's range: 0–255 pixels map to 0–255·scale, then normalised by std.
  const peak = (255 * model.preprocess.scale) / Math.min(...model.preprocess.std);
  const inputName = model.load.inputs[0]!.name;
  const result = await compareWithServer(name, { name: inputName, ...input }, output.data, peak, serverToken());
  page.compare = result;
  setStatus(
    'compare-status',
    `Server "${result.model}" vs browser: PSNR ${result.psnrDb.toFixed(1)} dB, max error ${result.maxAbsError.toExponential(2)} (server round trip ${ms(result.serverMs)}).`,
  );
}

async function loadSamples(): Promise<void> {
  const list = JSON.parse(new TextDecoder().decode(await fetchBytes('samples/index.json'))) as string[];
  $('sample').replaceChildren(...list.map((name) => new Option(name, name)));
}

function wire(): void {
  $('load-example').addEventListener('click', () => guarded(loadExample));
  $('model-file').addEventListener('change', (e) =>
    guarded(() => takeFiles([...((e.target as HTMLInputElement).files ?? [])])),
  );
  $('image-file').addEventListener('change', (e) =>
    guarded(() => takeFiles([...((e.target as HTMLInputElement).files ?? [])])),
  );
  $('use-sample').addEventListener('click', () => guarded(useSample));
  $('run').addEventListener('click', () => guarded(run));
  $('compare').addEventListener('click', () => guarded(compare));
  $('load-server-model').addEventListener('click', () => guarded(loadFromServer));
  $('refresh-server-models').addEventListener('click', () => guarded(listServerModels));
  document.addEventListener('paste', (e) => guarded(() => takeFiles([...(e.clipboardData?.files ?? [])])));
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    void guarded(() => takeFiles([...(e.dataTransfer?.files ?? [])]));
  });
}

wire();
// Offline once loaded (see sw-plugin.ts). Only a built page has sw.js; the dev server (the only place
// import.meta.hot exists) has none. Not import.meta.env.DEV: a build run under vitest has DEV true.
if ('serviceWorker' in navigator && !import.meta.hot) {
  navigator.serviceWorker.register('./sw.js').catch((error: unknown) => console.warn('no offline support:', error));
}
async function listServerModels(): Promise<void> {
  page.server = await refreshServerModels(assets);
}

void guarded(async () => {
  await Promise.all([loadSamples(), listServerModels()]);
  // ?auto runs the example end to end on load (the benchmark's "page load to first result"); ?runs=N
  // presets the run count.
  const query = new URLSearchParams(location.search);
  if (query.has('runs')) $<HTMLInputElement>('repeats').value = query.get('runs')!;
  if (query.has('auto')) {
    await loadExample();
    $<HTMLSelectElement>('sample').selectedIndex = 0;
    await useSample();
    await run();
  }
});
