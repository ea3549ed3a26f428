/**
 * Argument checks shared by the options resolver and the config.json parser. They throw RangeError /
 * TypeError naming the field; the config.json parser turns those into ERR_CONFIG_INVALID with the file name.
 */

export function checkInt(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${path} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkNumber(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RangeError(`${path} must be a number ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkObject(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${path} must be an object, got ${JSON.stringify(value)}`);
  }
  for (const key of Object.keys(value)) {
    // A misspelt key would otherwise be ignored silently and the default used instead.
    if (!allowed.includes(key))
      throw new RangeError(`${path} has an unknown key "${key}"; allowed: ${allowed.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

export function checkOneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${path} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
