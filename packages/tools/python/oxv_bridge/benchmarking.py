"""`benchmark`: a session that loads one model once and times it from inside Python.

Unlike the other commands it is long-lived: the TypeScript side (packages/benchmark/src/) sends one
JSON request per line on stdin and reads one reply line per request from the real stdout, until it closes
stdin. Every inference is timed here with perf_counter_ns, so neither process start-up nor the pipe is in
any latency; the window loop and the statistics live on the TypeScript side, shared with the ONNX runners.

Requests: load {runner, model, torchscript, device, threads} · prepare {inputs, warmup} · window {iters |
duration_ms} · rss.
"""
import json
import os
import resource
import sys
import time

from .loading import example_inputs, load_model
from .protocol import BridgeError, progress, send

# ru_maxrss is in kilobytes on Linux and in bytes on macOS.
_RSS_UNIT = 1 if sys.platform == "darwin" else 1024


def _peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _RSS_UNIT


class _Session:
    def __init__(self):
        import torch

        self.torch = torch
        # Measured after importing torch and before any model exists: what the interpreter alone costs.
        self.baseline_rss = _peak_rss_bytes()
        self.model = None
        self.inputs = None
        self.cuda = False

    def load(self, request):
        torch = self.torch
        if request.get("threads"):
            torch.set_num_threads(int(request["threads"]))
        device = request.get("device") or "cpu"
        if device == "cuda" and not torch.cuda.is_available():
            raise BridgeError(
                "ERR_BACKEND_UNAVAILABLE",
                f"torch {torch.__version__} cannot use CUDA here (torch.cuda.is_available() is False)",
                hint="Run the PyTorch runners on the CPU (benchmark.device: cpu, or --device cpu).",
            )
        self.cuda = device == "cuda"
        start = time.perf_counter_ns()
        if request["runner"] == "torchscript":
            path = request.get("torchscript")
            if not path or not os.path.exists(path):
                raise BridgeError("ERR_FILE_NOT_FOUND", f"no TorchScript file at {path}")
            progress(f"Loading TorchScript {path}")
            model = torch.jit.load(path, map_location=device).eval()
        else:
            model = load_model(request["model"]).to(device)
        if self.cuda:
            torch.cuda.synchronize()
        load_ns = time.perf_counter_ns() - start
        self.model = model
        return {
            "load_ms": load_ns / 1e6,
            "torch_version": torch.__version__,
            "threads": torch.get_num_threads(),
            "device": device,
            "baseline_rss_bytes": self.baseline_rss,
        }

    def _forward(self):
        self.model(*self.inputs)
        if self.cuda:
            self.torch.cuda.synchronize()

    def prepare(self, request):
        """New inputs for a batch size, the first inference timed on its own, then the warmup."""
        if self.model is None:
            raise BridgeError("ERR_PYTHON_BRIDGE", "prepare before load")
        device = "cuda" if self.cuda else "cpu"
        self.inputs = tuple(t.to(device) for t in example_inputs(request["inputs"]))
        with self.torch.no_grad():
            start = time.perf_counter_ns()
            self._forward()
            first_ns = time.perf_counter_ns() - start
            for _ in range(int(request.get("warmup", 0))):
                self._forward()
        return {"first_inference_ms": first_ns / 1e6}

    def window(self, request):
        """Times each forward alone; the loop is as bare as a hand-written one (see bench/pytorch-overhead.mjs)."""
        if self.inputs is None:
            raise BridgeError("ERR_PYTHON_BRIDGE", "window before prepare")
        model, inputs, cuda = self.model, self.inputs, self.cuda
        synchronize = self.torch.cuda.synchronize
        clock = time.perf_counter_ns
        latencies = []
        iters = request.get("iters")
        duration_ns = None if iters else request["duration_ms"] * 1_000_000
        with self.torch.no_grad():
            window_start = clock()
            while True:
                start = clock()
                model(*inputs)
                if cuda:
                    synchronize()
                end = clock()
                latencies.append(end - start)
                if (iters and len(latencies) >= iters) or (duration_ns and end - window_start >= duration_ns):
                    break
            wall_ns = clock() - window_start
        return {"latencies_ns": latencies, "wall_ns": wall_ns}

    def rss(self, _request):
        result = {"peak_rss_bytes": _peak_rss_bytes()}
        if self.cuda:
            result["peak_gpu_bytes"] = self.torch.cuda.max_memory_allocated()
        return result


def serve():
    session = _Session()
    handlers = {"load": session.load, "prepare": session.prepare, "window": session.window, "rss": session.rss}
    for line in iter(sys.stdin.readline, ""):
        if not line.strip():
            continue
        request = json.loads(line)
        handler = handlers.get(request.get("cmd"))
        try:
            if handler is None:
                raise BridgeError("ERR_PYTHON_BRIDGE", f"unknown benchmark request {request.get('cmd')!r}")
            send({"ok": True, "result": handler(request)})
        except BridgeError as exc:
            send({"ok": False, "error": exc.to_json()})
        except Exception as exc:  # a failing forward ends this batch size, not the session
            send({"ok": False, "error": {"code": "ERR_INFERENCE", "message": f"{type(exc).__name__}: {exc}"}})
    return 0
