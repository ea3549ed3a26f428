/**
 * Getting a model into the worker: the bundled example, a picked or dropped file, or a model of the server
 * that served the page (all its variants, measured on this backend, the fastest kept).
 */
import { parseModelCard, type ModelCard } from '@oxidizedvision/runtime';
import { resolveModelSpec } from './model-spec.js';
import { assets, client, page } from './page-state.js';
import type { BackendRequest, TrialResult } from './protocol.js';
import { serverToken } from './server-section.js';
import { downloadVariants, type DownloadedVariant } from './server-models.js';
import { describeProgress, describeTrial, seededInput, trialRuns } from './variant-trial.js';
import { $, setStatus } from './view.js';

const EXAMPLE = 'models/unet-denoiser';

export async function loadModel(name: string, bytes: Uint8Array, card: ModelCard | null): Promise<void> {
  page.state = 'loading';
  page.model = null;
  page.variants = null;
  setStatus('model-status', `Loading ${name}…`);
  const backend = $<HTMLSelectElement>('backend').value as BackendRequest;
  // ?threads=N overrides the WASM thread count (the benchmark compares 1 and 2); absent, the worker decides.
  const threads = Number(new URLSearchParams(location.search).get('threads')) || undefined;
  const load = await client.load(bytes, backend, new URL('ort/', assets).href, threads);
  const spec = resolveModelSpec(name, load.inputs, load.outputs, card);
  page.model = { ...spec, load };
  page.output = null;
  $<HTMLInputElement>('server-model').value = spec.name;
  page.state = 'ready';
  showModelStatus(card !== null);
}

function showModelStatus(hasCard: boolean, from = ''): void {
  const { name, task, preprocess, load } = page.model!;
  const [h, w] = preprocess.size;
  const guessed = hasCard ? '' : ' (no card: preprocessing guessed from the input shape)';
  const trial = page.variants ? `; ${describeTrial(page.variants)}` : '';
  setStatus(
    'model-status',
    `${name}${from}: ${task}, input ${w}×${h}${guessed}${trial}; ${load.choice.provider} — ${load.choice.reason}`,
  );
}

/**
 * A model picked from the server: downloads every variant, loads the served one, and when there are
 * others measures them all on this backend and keeps the fastest loaded (see variant-trial.ts).
 */
export async function loadFromServer(): Promise<void> {
  const listing = page.server;
  const model = listing?.available ? listing.models[Number($<HTMLSelectElement>('server-models').value)] : undefined;
  if (!model) throw new Error('pick a model from the server first');
  $<HTMLButtonElement>('run').disabled = true;
  const what = `${model.name} version ${model.version}`;
  setStatus('model-status', `Downloading ${what} from the server…`);
  const files = await downloadVariants(model, serverToken(), (done, of) =>
    setStatus('model-status', `Downloading ${what} from the server: ${done} of ${of} files…`),
  );
  const card = files.find((f) => f.card)?.card ?? null;
  await loadModel(model.name, files[0]!.model, card);
  $<HTMLInputElement>('server-model').value = model.name;
  if (files.length > 1) await keepFastest(model.name, files);
  showModelStatus(card !== null, ` (version ${model.version} from the server)`);
}

/** Times every variant on the backend the served one was loaded with; the worker keeps the fastest. */
async function keepFastest(name: string, files: DownloadedVariant[]): Promise<void> {
  page.state = 'loading';
  const provider = page.model!.load.choice.provider;
  const input = seededInput(page.model!);
  const runs = trialRuns(new URLSearchParams(location.search));
  const others = files.slice(1).map((f) => ({ variant: f.variant, model: f.model }));
  let trial: TrialResult;
  try {
    trial = await client.trial(
      { loaded: files[0]!.variant, others, input: input.data, shape: input.shape, runs },
      (progress) => setStatus('model-status', describeProgress(progress, provider)),
    );
  } catch (error) {
    // The worker let go of the served variant too: nothing is loaded any more.
    page.model = null;
    throw error;
  }
  const picked = trial.timings.find((t) => t.variant === trial.picked)!;
  page.model = { ...page.model!, load: { ...page.model!.load, loadMs: picked.loadMs } };
  page.variants = { ...trial, model: name };
  page.state = 'ready';
}

export async function loadExample(): Promise<void> {
  const [model, card] = await Promise.all([fetchBytes(`${EXAMPLE}.onnx`), fetchBytes(`${EXAMPLE}.card.json`)]);
  await loadModel('unet-denoiser', model, parseModelCard(new TextDecoder().decode(card), `${EXAMPLE}.card.json`));
}

export async function fetchBytes(path: string): Promise<Uint8Array> {
  const response = await fetch(new URL(path, assets));
  if (!response.ok) throw new Error(`could not fetch ${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
