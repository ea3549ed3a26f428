#!/usr/bin/env python3
"""Triton's own HTTP client, unmodified, against `oxidizedvision serve`: JSON and binary infer with each
request and response compression it offers, compared with the plain answer.

    npx oxidizedvision serve --model packages/server/test/fixtures/tiny_conv.onnx --port 8080 &
    /opt/triton-venv/bin/python bench/tritonclient-http-check.py --url 127.0.0.1:8080 --model tiny_conv

Exits 1 if any combination fails or differs; prints one line per combination.
"""
import argparse
import sys

import numpy as np
import tritonclient.http as httpclient


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="127.0.0.1:8080")
    parser.add_argument("--model", default="tiny_conv")
    args = parser.parse_args()
    client = httpclient.InferenceServerClient(url=args.url)
    meta = client.get_model_metadata(args.model)
    spec = meta["inputs"][0]
    shape = [4 if d == -1 else d for d in spec["shape"]]
    data = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    out_name = meta["outputs"][0]["name"]

    def infer(binary: bool, request=None, response=None):
        inp = httpclient.InferInput(spec["name"], shape, spec["datatype"])
        inp.set_data_from_numpy(data, binary_data=binary)
        out = httpclient.InferRequestedOutput(out_name, binary_data=binary)
        result = client.infer(
            args.model,
            [inp],
            outputs=[out],
            request_compression_algorithm=request,
            response_compression_algorithm=response,
        )
        return result.as_numpy(out_name), result.get_response()["model_version"]

    failures = 0
    for binary in (False, True):
        reference, version = infer(binary)
        for request in (None, "gzip", "deflate"):
            for response in (None, "gzip", "deflate"):
                what = f"{'binary' if binary else 'JSON  '} request={request or 'none':7} response={response or 'none':7}"
                try:
                    got, _ = infer(binary, request, response)
                    same = got.shape == reference.shape and np.array_equal(got, reference)
                    print(f"{what} {'ok' if same else 'DIFFERENT'}")
                    failures += 0 if same else 1
                except Exception as error:  # noqa: BLE001 - every failure is reported, then counted
                    print(f"{what} FAILED: {error}")
                    failures += 1
    print(f"model {args.model} version {version}: {18 - failures}/18 combinations match the uncompressed answer")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
