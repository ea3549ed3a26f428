#!/usr/bin/env python3
"""Triton's own gRPC client (`tritonclient.grpc`), unmodified, against `oxidizedvision serve --grpc-port`.

    mkdir -p /tmp/repo/tiny_conv/1 && cp packages/server/test/fixtures/tiny_conv.onnx /tmp/repo/tiny_conv/1/model.onnx
    npx oxidizedvision serve --model-repository /tmp/repo --model-control-mode explicit \
        --port 8080 --grpc-port 8081 --admin-token secret &
    /opt/triton-venv/bin/python bench/tritonclient-grpc-check.py --url 127.0.0.1:8081 --model tiny_conv \
        --admin-token secret

Every call a Triton user makes day to day: health, metadata, config, infer (sync, async, gzip and
deflate compression, requested outputs), the bidirectional stream, statistics, the repository index,
load and unload, and the errors for an unknown model and a bad input. Answers are compared with
onnxruntime in this Python when it is importable, else with the HTTP server's answer to the same input.
Prints one line per check; exits 1 if any fails.
"""
import argparse
import queue
import sys
import threading

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException


class Checks:
    def __init__(self):
        self.failures = 0
        self.count = 0

    def run(self, what, fn):
        self.count += 1
        try:
            detail = fn()
            print(f"ok      {what}{f': {detail}' if detail else ''}")
        except Exception as error:  # noqa: BLE001 - each failure is reported, then counted
            self.failures += 1
            print(f"FAILED  {what}: {type(error).__name__}: {error}")


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="127.0.0.1:8081")
    parser.add_argument("--model", default="tiny_conv")
    parser.add_argument("--onnx", help="the served ONNX file, for the onnxruntime reference")
    parser.add_argument("--admin-token", help="the server's --admin-token, for load/unload")
    args = parser.parse_args()
    client = grpcclient.InferenceServerClient(url=args.url)
    admin = {"authorization": f"Bearer {args.admin_token}"} if args.admin_token else None
    checks = Checks()

    if admin:
        checks.run("RepositoryModelLoad", lambda: client.load_model(args.model, headers=admin))
    checks.run("ServerLive", lambda: expect(client.is_server_live(), "not live"))
    checks.run("ServerReady", lambda: expect(client.is_server_ready(), "not ready"))
    checks.run("ModelReady", lambda: expect(client.is_model_ready(args.model), "model not ready"))
    checks.run("ServerMetadata", lambda: client.get_server_metadata(as_json=True)["name"])

    meta = client.get_model_metadata(args.model, as_json=True)
    spec = meta["inputs"][0]
    out_name = meta["outputs"][0]["name"]
    shape = [2 if int(d) == -1 else int(d) for d in spec["shape"]]
    data = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    checks.run("ModelMetadata", lambda: f"{spec['name']} {spec['datatype']} {spec['shape']} -> {out_name}")
    checks.run(
        "ModelConfig",
        lambda: f"max_batch_size {client.get_model_config(args.model, as_json=True)['config'].get('max_batch_size', 0)}",
    )

    reference = None
    try:
        import onnxruntime

        if args.onnx:
            session = onnxruntime.InferenceSession(args.onnx, providers=["CPUExecutionProvider"])
            reference = session.run([out_name], {spec["name"]: data})[0]
    except ImportError:
        pass

    def request():
        inp = grpcclient.InferInput(spec["name"], shape, spec["datatype"])
        inp.set_data_from_numpy(data)
        return [inp], [grpcclient.InferRequestedOutput(out_name)]

    def infer(**kwargs):
        inputs, outputs = request()
        return client.infer(args.model, inputs, outputs=outputs, **kwargs).as_numpy(out_name)

    plain = infer()
    if reference is None:
        reference = plain
        source = "the first gRPC answer"
    else:
        source = "onnxruntime"

    def same(got, what=""):
        expect(got is not None and got.shape == reference.shape, f"shape {None if got is None else got.shape}")
        err = float(np.abs(got - reference).max())
        expect(err <= 1e-5, f"max error {err} against {source}")
        return f"{what}max error {err:.1e} against {source}"

    checks.run("ModelInfer", lambda: same(plain))
    for algorithm in ("gzip", "deflate"):
        checks.run(f"ModelInfer compression={algorithm}", lambda a=algorithm: same(infer(compression_algorithm=a)))

    def async_infer():
        done = queue.Queue()
        inputs, outputs = request()
        client.async_infer(args.model, inputs, lambda result, error: done.put((result, error)), outputs=outputs)
        result, error = done.get(timeout=30)
        if error:
            raise error
        return same(result.as_numpy(out_name))

    checks.run("ModelInfer async", async_infer)

    def stream():
        answers = queue.Queue()
        client.start_stream(callback=lambda result, error: answers.put((result, error)))
        try:
            for i in range(5):
                inputs, outputs = request()
                client.async_stream_infer(args.model, inputs, outputs=outputs, request_id=str(i))
            got = [answers.get(timeout=30) for _ in range(5)]
        finally:
            client.stop_stream()
        for result, error in got:
            if error:
                raise error
            same(result.as_numpy(out_name))
        ids = sorted(result.get_response().id for result, _ in got)
        expect(ids == [str(i) for i in range(5)], f"ids {ids}")
        return "5 requests, 5 answers, ids 0-4"

    checks.run("ModelStreamInfer", stream)

    def statistics():
        stats = client.get_inference_statistics(args.model, as_json=True)["model_stats"][0]
        count = int(stats["inference_stats"]["success"]["count"])
        expect(count >= 9, f"success count {count}")
        return f"success count {count}"

    checks.run("ModelStatistics", statistics)
    checks.run(
        "RepositoryIndex",
        lambda: ", ".join(
            f"{m['name']} {m.get('state', '')}" for m in client.get_model_repository_index(headers=admin, as_json=True)["models"]
        ),
    )

    def refused(fn, wanted):
        try:
            fn()
        except InferenceServerException as error:
            expect(wanted in str(error.status()), f"status {error.status()}: {error.message()}")
            return f"{error.status()}: {error.message()}"
        raise AssertionError("no error")

    checks.run("unknown model", lambda: refused(lambda: client.get_model_metadata("no-such-model"), "NOT_FOUND"))

    def bad_shape():
        inp = grpcclient.InferInput(spec["name"], [1, 1], spec["datatype"])
        inp.set_data_from_numpy(np.zeros([1, 1], np.float32))
        return client.infer(args.model, [inp])

    checks.run("bad input shape", lambda: refused(bad_shape, "INVALID_ARGUMENT"))
    if admin:
        checks.run("unload without token", lambda: refused(lambda: client.unload_model(args.model), "UNAUTHENTICATED"))
        checks.run("RepositoryModelUnload", lambda: client.unload_model(args.model, headers=admin))
        checks.run("ModelReady after unload", lambda: expect(not client.is_model_ready(args.model), "still ready"))
        checks.run("RepositoryModelLoad again", lambda: client.load_model(args.model, headers=admin))
        checks.run("ModelInfer after reload", lambda: same(infer()))

    client.close()
    print(f"{checks.count - checks.failures}/{checks.count} checks passed")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    # A stream callback thread that raised would otherwise hang the interpreter at exit.
    threading.excepthook = lambda hook: print(f"FAILED  callback thread: {hook.exc_value}")
    sys.exit(main())
