#!/usr/bin/env node
/**
 * Serves a built folder on 127.0.0.1 with the COOP/COEP headers `vite preview` sends, so the page is
 * cross-origin isolated (WASM threads on). `isolate: false` serves without them: the benchmark's
 * single-threaded case. Used by the browser tests and bench/browser-bench.mjs; run directly it serves
 * apps/demo/dist: `node apps/demo/scripts/serve-static.mjs [port]`.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.onnx': 'application/octet-stream',
};

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** @returns {Promise<{ url: string, close: () => Promise<void> }>} */
export async function startStaticServer(root, { port = 0, isolate = true } = {}) {
  const server = createServer(async (req, res) => {
    // normalize() resolves "..", and a leading "/" keeps the path inside root.
    const path = normalize(`/${decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)}`);
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        ...(isolate ? ISOLATION : {}),
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist');
  const { url } = await startStaticServer(dist, { port: Number(process.argv[2] ?? 4173) });
  console.log(`serving ${dist} at ${url} (cross-origin isolated)`);
}
