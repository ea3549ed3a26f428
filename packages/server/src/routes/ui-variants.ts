import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

/** One file the browser page may download: its name in the model's folder, where it is, and its size. */
export interface UiFile {
  file: string;
  path: string;
  bytes: number;
  /** What is sent instead of the file's bytes: a card with this machine's paths taken out (publicCard). */
  content?: Buffer;
}

/** A browser-loadable form of a served model: the served file ("default") or a sibling `<stem>.<variant>.onnx`. */
export interface UiVariant {
  variant: string;
  model: UiFile;
  card: UiFile | null;
}

export const DEFAULT_VARIANT = 'default';
/** One plain name segment: no dots (they separate stem, variant and extension), no slashes. */
const VARIANT_NAME = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * The variants of the model loaded from `modelFile`: the file itself first, then every `<stem>.<variant>.onnx`
 * beside it (what `optimize -o <stem>.int8.onnx` writes), each with its `<stem>[.<variant>].card.json` when
 * present. Files whose card lists external data are left out: the page loads a model from its bytes alone.
 */
export async function findVariants(modelFile: string): Promise<UiVariant[]> {
  const dir = dirname(modelFile);
  const served = basename(modelFile);
  const stem = basename(served, extname(served));
  const variants: UiVariant[] = [];
  const add = async (variant: string, name: string, cardName: string): Promise<void> => {
    const model = await fileIn(dir, name);
    if (model === null) return;
    const found = await fileIn(dir, cardName);
    const card = found === null ? null : await publicCardFile(found);
    if (card === undefined) return;
    variants.push({ variant, model, card });
  };
  await add(DEFAULT_VARIANT, served, `${stem}.card.json`);
  const names = await readdir(dir).catch(() => [] as string[]);
  const prefix = `${stem}.`;
  for (const name of names.sort()) {
    if (name === served || !name.startsWith(prefix) || !name.endsWith('.onnx')) continue;
    const variant = name.slice(prefix.length, -'.onnx'.length);
    if (!VARIANT_NAME.test(variant) || variant === DEFAULT_VARIANT) continue;
    await add(variant, name, `${stem}.${variant}.card.json`);
  }
  return variants;
}

async function fileIn(dir: string, name: string): Promise<UiFile | null> {
  const path = join(dir, name);
  try {
    const info = await stat(path);
    return info.isFile() ? { file: name, path, bytes: info.size } : null;
  } catch {
    return null;
  }
}

interface CardPaths {
  onnx?: { external_data?: unknown[] };
  source?: Record<string, unknown>;
  python?: Record<string, unknown>;
}

/**
 * The card as the page gets it, or undefined when its model has external data (the page loads a model
 * from its bytes alone). The page needs the preprocessing, labels and task; the absolute paths a card
 * records about the machine that converted the model (script, checkpoint, config, Python executable) are
 * cut down to their file names, so the page does not show a browser user the server's folders. A card
 * that is not JSON is sent as it is: the page parses it and says what is wrong.
 */
async function publicCardFile(file: UiFile): Promise<UiFile | null | undefined> {
  const text = await readFile(file.path, 'utf8').catch(() => null);
  if (text === null) return null;
  let card: CardPaths;
  try {
    card = JSON.parse(text) as CardPaths;
  } catch {
    return file;
  }
  if ((card.onnx?.external_data?.length ?? 0) > 0) return undefined;
  const content = Buffer.from(JSON.stringify(publicCard(card), null, 2));
  return { ...file, bytes: content.byteLength, content };
}

export function publicCard<T extends CardPaths>(card: T): T {
  const fileName = (value: unknown): unknown => (typeof value === 'string' ? basename(value) : value);
  const source = card.source && {
    ...card.source,
    path: fileName(card.source.path),
    checkpoint: fileName(card.source.checkpoint),
    config: fileName(card.source.config),
  };
  const python = card.python && { ...card.python, executable: fileName(card.python.executable) };
  return { ...card, ...(source ? { source } : {}), ...(python ? { python } : {}) };
}
