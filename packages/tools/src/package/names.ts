import { OxvError } from '@oxidizedvision/runtime';

/**
 * A Kubernetes object / npm package / image name from a model name: RFC 1123 label (lower-case
 * alphanumerics and '-', 63 characters at most, alphanumeric at both ends). The original pasted the
 * folder name into Cargo.toml unchecked, so `packaged/` gave an empty crate name.
 */
export function serviceName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  if (!cleaned) {
    throw new OxvError('ERR_USAGE', `cannot make a service name from "${name}"`, {
      hint: 'pass --name with letters, digits and dashes',
    });
  }
  return cleaned;
}
