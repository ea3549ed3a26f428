import { OxvError } from '@oxidizedvision/runtime';

export interface ServerComparison {
  model: string;
  psnrDb: number;
  maxAbsError: number;
  serverMs: number;
}

/**
 * Runs the browser's exact input tensor on the `oxidizedvision serve` that served this page (same origin,
 * so no CORS and COEP allows it) through Open Inference Protocol v2 JSON, and measures how far the two
 * outputs are apart. `peak` is the output's full range (1 for a model whose pixels are 0–1).
 */
export async function compareWithServer(
  model: string,
  input: { name: string; shape: number[]; data: Float32Array },
  browserOutput: Float32Array,
  peak: number,
  token = '',
): Promise<ServerComparison> {
  const url = new URL(`/v2/models/${encodeURIComponent(model)}/infer`, location.origin);
  const body = { inputs: [{ name: input.name, shape: input.shape, datatype: 'FP32', data: Array.from(input.data) }] };
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new OxvError('ERR_BACKEND_UNAVAILABLE', `no server answered at ${url.origin}: ${(error as Error).message}`);
  }
  const answer = (await response.json().catch(() => ({}))) as { outputs?: { data: number[] }[]; error?: string };
  if (!response.ok || !answer.outputs?.[0]) {
    const why = answer.error ?? `HTTP ${response.status}`;
    throw new OxvError(
      'ERR_BACKEND_UNAVAILABLE',
      `the server could not run "${model}": ${why} (open this page through \`oxidizedvision serve --ui\`)`,
    );
  }
  const serverMs = performance.now() - started;
  const theirs = answer.outputs[0].data;
  if (theirs.length !== browserOutput.length) {
    throw new OxvError(
      'ERR_INPUT_SHAPE',
      `the server's output has ${theirs.length} values, the browser's ${browserOutput.length}`,
    );
  }
  let sumSquares = 0;
  let maxAbsError = 0;
  for (let i = 0; i < theirs.length; i++) {
    const diff = Math.abs(theirs[i]! - browserOutput[i]!);
    sumSquares += diff * diff;
    if (diff > maxAbsError) maxAbsError = diff;
  }
  const rmse = Math.sqrt(sumSquares / theirs.length);
  return { model, psnrDb: rmse === 0 ? Infinity : 20 * Math.log10(peak / rmse), maxAbsError, serverMs };
}
