import { isMap, isSeq, isScalar, type Document, type LineCounter, type Node } from 'yaml';

export interface SourceLocation {
  line: number;
  column: number;
}

/** Walks a parsed YAML document along a JSON path; returns the deepest node that exists on it. */
function nodeAt(doc: Document, path: readonly (string | number)[]): { node: Node | null; keyNode: Node | null } {
  let node: unknown = doc.contents;
  let keyNode: Node | null = null;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      keyNode = null;
      node = item;
    } else {
      break;
    }
  }
  return { node: (node as Node | null) ?? null, keyNode };
}

/** Line/column (1-based) of a value, or of its key when `preferKey` (unknown-key errors point at the key). */
export function locate(
  doc: Document,
  lines: LineCounter,
  path: readonly (string | number)[],
  preferKey = false,
): SourceLocation | undefined {
  const { node, keyNode } = nodeAt(doc, path);
  const target = preferKey && keyNode ? keyNode : (node ?? keyNode);
  const offset = target?.range?.[0];
  if (offset === undefined) return undefined;
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}
