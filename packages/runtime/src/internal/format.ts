/** Shapes print as `[batch,3,224,224]`, the form every shape error message uses. */
export function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(',')}]`;
}

/** Names print quoted and comma-separated, or `(none)`, so an empty list still reads as a sentence. */
export function formatNames(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.map((name) => `"${name}"`).join(', ');
}

/** First line of an error's message: ORT messages can carry multi-line stack dumps. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

/** What a wrong argument was, for TypeError messages: `null`, `an Array`, a class name or a typeof. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an Array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}
