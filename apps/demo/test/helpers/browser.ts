import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.OXV_CHROMIUM ?? '/usr/bin/chromium';

// No GPU, no network side traffic: the test must see the page exactly as an offline CPU-only user would.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * With the GPU process still disabled, this gives WebGPU through SwiftShader, Dawn's CPU fallback adapter
 * (`isFallbackAdapter` true, architecture "swiftshader"): slow, but the real WebGPU execution provider.
 */
export const SOFTWARE_WEBGPU = ['--enable-unsafe-webgpu'];

/** Headless Debian chromium with a fresh profile, removed again on close. */
export async function launchBrowser(
  extraArgs: string[] = [],
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'oxv-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, ...extraArgs],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
