import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.onnx': 'application/octet-stream',
};

/**
 * Cross-origin isolation: the page's COOP + COEP, and CORP on everything it loads from here (a COEP page
 * may only load resources that allow it). Sent on every /ui response, the model API's errors included.
 */
export function isolate(reply: FastifyReply): FastifyReply {
  return reply
    .header('Cross-Origin-Opener-Policy', 'same-origin')
    .header('Cross-Origin-Embedder-Policy', 'require-corp')
    .header('Cross-Origin-Resource-Policy', 'same-origin');
}

/**
 * `serve --ui`: the browser page (apps/demo's build) at /ui/. COOP + COEP make the page cross-origin
 * isolated, which is what lets onnxruntime-web use WASM threads; the page's "compare with server" calls
 * this same origin's /v2 routes, so no CORS is involved. A small reader rather than @fastify/static: the
 * folder is a few fixed files, and the server keeps no dependency for an optional page.
 */
export function uiRoutes(app: FastifyInstance, dir: string): void {
  app.get('/ui', async (_request, reply) => reply.redirect('/ui/'));
  app.get('/ui/*', async (request, reply) => {
    const rest = (request.params as { '*': string })['*'] || 'index.html';
    // normalize() of a rooted path resolves every "..", so the file cannot leave dir.
    const file = join(dir, normalize(`/${rest}`));
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return reply.code(404).type('text/plain; charset=utf-8').send(`not found: /ui/${rest}\n`);
    }
    return isolate(reply)
      .type(TYPES[extname(file)] ?? 'application/octet-stream')
      .send(body);
  });
}
