"""The baseline of pytorch-overhead.mjs: a hand-written PyTorch timing loop, nothing of OxidizedVision's.

Builds the model the way a user would (import the file, construct, load_state_dict, eval) and times each
forward under torch.no_grad() with time.perf_counter_ns. Answers the benchmark's line protocol on stdin /
stdout, load {path, class_name, init_args, checkpoint, shape, warmup, threads} then window {iters}, so
both sides are driven alike.
"""
import importlib.util
import json
import sys
import time

import torch

state = {}


def load(request):
    if request.get("threads"):
        torch.set_num_threads(request["threads"])
    torch.manual_seed(0)
    if request["path"].startswith("torchvision:"):
        import torchvision

        model = getattr(torchvision.models, request["path"].split(":", 1)[1])(weights=None, **request["init_args"])
    else:
        spec = importlib.util.spec_from_file_location("bare_model", request["path"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        model = getattr(module, request["class_name"])(**request["init_args"])
    if request.get("checkpoint"):
        model.load_state_dict(torch.load(request["checkpoint"], map_location="cpu"))
    state["model"] = model.eval()
    state["x"] = torch.randn(*request["shape"])
    with torch.no_grad():
        for _ in range(request["warmup"] + 1):
            model(state["x"])
    return {"threads": torch.get_num_threads()}


def window(request):
    model, x = state["model"], state["x"]
    latencies = []
    with torch.no_grad():
        for _ in range(request["iters"]):
            start = time.perf_counter_ns()
            model(x)
            latencies.append(time.perf_counter_ns() - start)
    return {"latencies_ns": latencies}


for line in iter(sys.stdin.readline, ""):
    request = json.loads(line)
    result = {"load": load, "window": window}[request["cmd"]](request)
    sys.stdout.write(json.dumps({"ok": True, "result": result}) + "\n")
    sys.stdout.flush()
