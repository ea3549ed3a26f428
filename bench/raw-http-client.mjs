// A lean HTTP/1.1 keep-alive client for the server benchmarks: the load generator shares the two cores with
// the server it measures, so whatever CPU it spends per request is taken from the server's throughput. A
// remote client would cost the server nothing. node:http allocates a Buffer per received chunk, runs
// each through streams and a parser object, and its GC then runs as often as the server's; this client
// writes prebuilt request bytes and reads answers into one reused buffer per socket (net's `onread`),
// so it allocates almost nothing per request. Measured per 0.8 MB UNet request and answer:
// docs/benchmarks.md. Only what the benchmarks need: one request at a time per socket, answers with
// Content-Length (the server always sends one), 127.0.0.1.
import net from 'node:net';

const READ_BUFFER_BYTES = 256 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * `request(method, path, headers, body, { keepBody })` resolves { status, headers, length, body } like
 * server-lib's httpClient; with keepBody false a 200 answer's body is only counted. At most `sockets`
 * connections; each request fails after `timeoutMs` instead of hanging the benchmark.
 */
export function rawHttpClient(url, sockets, { timeoutMs = 60_000 } = {}) {
  const { hostname, port } = new URL(url);
  if (hostname !== '127.0.0.1') throw new Error('benchmarks only talk to 127.0.0.1');
  const idle = [];
  const waiting = [];
  const all = new Set();
  let open = 0;
  let closed = false;

  function connect() {
    const conn = { socket: undefined, current: undefined, dead: false };
    const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    conn.socket = net.connect({
      host: hostname,
      port: Number(port),
      noDelay: true,
      onread: { buffer: readBuffer, callback: (n, buf) => (conn.current?.consume(buf, n), true) },
    });
    // 'error' is followed by 'close': count the connection out once.
    const fail = (error) => {
      if (conn.dead) return;
      conn.dead = true;
      all.delete(conn);
      const i = idle.indexOf(conn);
      if (i >= 0) idle.splice(i, 1);
      open--;
      conn.current?.reject(error);
      conn.current = undefined;
      pump();
    };
    conn.socket.on('error', fail);
    conn.socket.on('close', () => fail(new Error('connection closed by the server')));
    all.add(conn);
    open++;
    return conn;
  }

  function pump() {
    while (waiting.length > 0 && !closed) {
      let conn = idle.pop();
      if (conn === undefined && open < sockets) conn = connect();
      if (conn === undefined) return;
      waiting.shift()(conn);
    }
  }

  const acquire = () =>
    new Promise((resolve) => {
      waiting.push(resolve);
      pump();
    });

  function request(method, path, headers = {}, body, { keepBody = true } = {}) {
    const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: keep-alive\r\n`;
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'content-length') head += `${k}: ${v}\r\n`;
    head += `Content-Length: ${bytes?.length ?? 0}\r\n\r\n`;
    return acquire().then(
      (conn) =>
        new Promise((resolve, reject) => {
          const parts = []; // head bytes until the blank line, then (keepBody or not 200) body chunks
          let status = 0;
          let responseHeaders;
          let expected = -1;
          let received = 0;
          let keep = keepBody;
          const timer = setTimeout(() => {
            settle();
            conn.socket.destroy();
            reject(new Error(`no complete answer within ${timeoutMs} ms`));
          }, timeoutMs);
          const settle = () => {
            clearTimeout(timer);
            conn.current = undefined;
          };
          const finish = () => {
            settle();
            idle.push(conn);
            pump();
            resolve({
              status,
              headers: responseHeaders,
              length: received,
              body: keep ? Buffer.concat(parts) : null,
            });
          };
          const onBody = (buf, from, to) => {
            const take = Math.min(to - from, expected - received);
            if (keep) parts.push(Buffer.from(buf.subarray(from, from + take)));
            received += take;
            if (from + take < to) throw new Error('the server sent bytes after the answer');
            if (received === expected) finish();
          };
          conn.current = {
            reject: (error) => {
              settle();
              reject(error);
            },
            consume: (buf, n) => {
              try {
                if (expected >= 0) return onBody(buf, 0, n);
                parts.push(Buffer.from(buf.subarray(0, n))); // the head is small; copy it out of the reused buffer
                const joined = parts.length === 1 ? parts[0] : Buffer.concat(parts);
                const end = joined.indexOf(HEAD_END);
                if (end < 0) {
                  parts.length = 0;
                  parts.push(joined);
                  return;
                }
                const lines = joined.toString('latin1', 0, end).split('\r\n');
                status = Number(lines[0].split(' ')[1]);
                responseHeaders = {};
                for (const line of lines.slice(1)) {
                  const colon = line.indexOf(':');
                  responseHeaders[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
                }
                if (responseHeaders['content-length'] === undefined) {
                  throw new Error(`answer without Content-Length (status ${status})`);
                }
                expected = Number(responseHeaders['content-length']);
                keep = keepBody || status !== 200;
                parts.length = 0;
                if (expected === 0 && joined.length === end + 4) return finish();
                onBody(joined, end + 4, joined.length);
              } catch (error) {
                conn.socket.destroy();
                conn.current?.reject(error);
              }
            },
          };
          // One writev for head and body.
          conn.socket.cork();
          conn.socket.write(head);
          if (bytes !== undefined && bytes.length > 0) conn.socket.write(bytes);
          conn.socket.uncork();
        }),
    );
  }

  return {
    request,
    close: () => {
      closed = true;
      for (const conn of all) conn.socket.destroy();
    },
  };
}
