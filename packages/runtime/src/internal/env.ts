/**
 * True under Node (and Node-compatible runtimes). Read through globalThis so browser bundles never see a
 * bare `process` reference.
 */
export function isNodeRuntime(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}
