// A lean gRPC unary client for the server benchmarks, on node:http2 directly: the load generator shares
// the two cores with the server it measures, and @grpc/grpc-js spends ~9 ms of CPU per 0.8 MB UNet call
// (its own framing, metadata and status handling in JavaScript) where this costs a few (measured in
// docs/benchmarks.md). It sends a prebuilt length-prefixed message and only counts the answer's bytes,
// then checks grpc-status in the trailers: what a C++ client such as tritonclient.grpc's core does
// natively. Only what the benchmarks need: unary calls, 127.0.0.1, one HTTP/2 connection.
import http2 from 'node:http2';

const WINDOW = 16 * 1024 * 1024;

/** A gRPC message as it travels: flag byte (0, uncompressed), big-endian length, the protobuf bytes. */
export function frameMessage(message) {
  const framed = Buffer.allocUnsafe(5 + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  message.copy(framed, 5);
  return framed;
}

/**
 * `call(path, framed)` resolves the answer's byte count (its frame included) once the trailers say
 * grpc-status 0; rejects with the status and message otherwise.
 */
export function rawGrpcClient(address, { timeoutMs = 60_000 } = {}) {
  if (!address.startsWith('127.0.0.1:')) throw new Error('benchmarks only talk to 127.0.0.1');
  // HTTP/2's default 64 KiB windows would make each 0.8 MB message wait for a dozen WINDOW_UPDATEs.
  const session = http2.connect(`http://${address}`, { settings: { initialWindowSize: WINDOW } });
  session.on('connect', () => session.setLocalWindowSize(WINDOW));
  session.on('error', () => {});
  const call = (path, framed) =>
    new Promise((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      let bytes = 0;
      stream.setTimeout(timeoutMs, () => stream.close(http2.constants.NGHTTP2_CANCEL));
      stream.on('data', (chunk) => (bytes += chunk.length));
      stream.on('trailers', (trailers) => {
        const status = trailers['grpc-status'];
        if (status === '0') resolve(bytes);
        else reject(new Error(`grpc-status ${status}: ${decodeURIComponent(trailers['grpc-message'] ?? '')}`));
      });
      stream.on('response', (headers) => {
        // A refusal before any message comes as headers only ("trailers-only"), with grpc-status in them.
        if (headers['grpc-status'] !== undefined && headers['grpc-status'] !== '0') {
          reject(
            new Error(`grpc-status ${headers['grpc-status']}: ${decodeURIComponent(headers['grpc-message'] ?? '')}`),
          );
        }
      });
      stream.on('error', reject);
      stream.on('close', () => reject(new Error('stream closed before its trailers')));
      stream.end(framed);
    });
  return { call, close: () => session.close() };
}
