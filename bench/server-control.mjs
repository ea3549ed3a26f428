// Control for the liveness measurement of bench/server-bench.mjs: a bare node:http server in its own
// process that answers GET /v2/health/live with {"live":true} and does nothing else. Probed in the same
// window as the real server, it shows how much of the liveness latency the shared, loaded cores alone
// cause (scheduling), as opposed to the server's own event loop. Prints "listening on <url>" to stderr.
import http from 'node:http';

const server = http.createServer((req, res) => {
  const body = '{"live":true}';
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
