import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

/** One file the browser page may download: its name in the model's folder, where it is, and its size. */
export interface UiFile {
  file: string;
  path: string;
  bytes: number;
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
    const card = await fileIn(dir, cardName);
    if (card !== null && (await hasExternalData(card.path))) return;
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

async function hasExternalData(cardPath: string): Promise<boolean> {
  try {
    const card = JSON.parse(await readFile(cardPath, 'utf8')) as { onnx?: { external_data?: unknown[] } };
    return (card.onnx?.external_data?.length ?? 0) > 0;
  } catch {
    // An unreadable card is the page's problem to report (it parses the card and says what is wrong).
    return false;
  }
}
