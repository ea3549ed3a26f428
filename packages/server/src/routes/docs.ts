import type { FastifyInstance } from 'fastify';
import { openApiDocument } from '../openapi/document.js';

/** A page that lists the document's operations; it loads nothing from outside (servers are often offline). */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>OxidizedVision API</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}code{background:#f4f4f4;padding:0 .3em}
h2{margin-top:1.5em;text-transform:capitalize}li{margin:.3em 0}</style></head>
<body><h1 id="title">API</h1><p>Machine-readable: <a href="/docs">/docs</a> (OpenAPI 3 JSON).</p><div id="ops"></div>
<script>
fetch('/docs').then(r => r.json()).then(doc => {
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  const byTag = {};
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) (byTag[op.tags[0]] ??= []).push([method.toUpperCase(), path, op.summary]);
  const root = document.getElementById('ops');
  for (const [tag, ops] of Object.entries(byTag)) {
    const h = document.createElement('h2'); h.textContent = tag; root.append(h);
    const ul = document.createElement('ul');
    for (const [m, p, s] of ops) { const li = document.createElement('li'); li.innerHTML = '<code></code> '; li.firstChild.textContent = m + ' ' + p; li.append(s); ul.append(li); }
    root.append(ul);
  }
});
</script></body></html>`;

export function docsRoutes(app: FastifyInstance): void {
  const document = openApiDocument(app.oxv.options);
  app.get('/docs', async () => document);
  app.get('/docs/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
