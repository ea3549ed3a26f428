import { OxvError } from '@oxidizedvision/runtime';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_NAME_LENGTH = 128;
const VERSION_PATTERN = /^[1-9][0-9]*$/;

export interface ModelRef {
  name: string;
  version?: number;
}

export function isValidModelName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name);
}

/** Throws ERR_USAGE unless `name` is 1–128 characters of [A-Za-z0-9._-] starting with a letter or digit. */
export function assertModelName(name: unknown): asserts name is string {
  if (typeof name === 'string' && isValidModelName(name)) return;
  throw new OxvError('ERR_USAGE', `Invalid model name ${JSON.stringify(name)}`, {
    hint: `A model name is 1-${MAX_NAME_LENGTH} characters of letters, digits, ".", "_" or "-", starting with a letter or digit`,
    details: { name },
  });
}

/** Throws ERR_USAGE unless `version` is a positive safe integer. */
export function assertVersionNumber(version: unknown, what = 'version'): asserts version is number {
  if (typeof version === 'number' && Number.isSafeInteger(version) && version >= 1) return;
  throw new OxvError('ERR_USAGE', `Invalid ${what} ${String(version)}: expected a whole number from 1`, {
    details: { [what]: version },
  });
}

/** Parses "unet" or "unet:3". Anything else ("unet:", "unet:x", ":2", "unet:0") is ERR_USAGE. */
export function parseModelRef(ref: string): ModelRef {
  const colon = ref.indexOf(':');
  const name = colon === -1 ? ref : ref.slice(0, colon);
  const versionText = colon === -1 ? undefined : ref.slice(colon + 1);
  const versionOk =
    versionText === undefined || (VERSION_PATTERN.test(versionText) && Number.isSafeInteger(Number(versionText)));
  if (!isValidModelName(name) || !versionOk) {
    throw new OxvError(
      'ERR_USAGE',
      `Invalid model reference "${ref}": expected name[:version], e.g. "unet" or "unet:3"`,
      {
        hint: 'A name is letters, digits, ".", "_" or "-"; a version is a whole number from 1',
        details: { ref },
      },
    );
  }
  return versionText === undefined ? { name } : { name, version: Number(versionText) };
}
