"""`reference`: PyTorch eager and TorchScript outputs on inputs the TypeScript side wrote.

Tensors cross the process boundary as raw little-endian files (C order) described in JSON, so neither
side needs an .npy codec and nothing is lost to text formatting.
"""
import os

from .loading import load_model
from .outputs import dtype_name, flatten_outputs
from .protocol import BridgeError, progress

NUMPY_DTYPES = {"float32": "<f4", "float16": "<f2", "int64": "<i8", "int32": "<i4", "uint8": "u1", "bool": "?"}


def _read_inputs(test, specs):
    import numpy as np
    import torch

    tensors = []
    for spec in specs:
        entry = test[spec["name"]]
        array = np.fromfile(entry["file"], dtype=NUMPY_DTYPES[spec["dtype"]]).reshape(entry["shape"])
        tensors.append(torch.from_numpy(array.copy()))
    return tuple(tensors)


def _write_outputs(value, names, out_dir, prefix):
    import torch

    written = []
    names, tensors = flatten_outputs(value, names)
    for index, (name, tensor) in enumerate(zip(names, tensors)):
        tensor = tensor.detach().cpu().contiguous()
        if tensor.dtype == torch.bool:
            tensor = tensor.to(torch.uint8)
        path = os.path.join(out_dir, f"{prefix}_{index}.bin")
        tensor.numpy().astype(tensor.numpy().dtype.newbyteorder("<")).tofile(path)
        written.append({"name": name, "shape": list(tensor.shape), "dtype": dtype_name(tensor), "file": path})
    return written


def _load_runner(name, request):
    import torch

    if name == "pytorch":
        return load_model(request["model"])
    path = request.get("torchscript")
    if not path or not os.path.exists(path):
        raise BridgeError("ERR_FILE_NOT_FOUND", f"no TorchScript file at {path} (export.torchscript is off, or convert was not run)")
    return torch.jit.load(path, map_location="cpu").eval()


def reference(request):
    import torch

    torch.set_num_threads(max(1, int(request.get("threads") or torch.get_num_threads())))
    results, errors = {}, {}
    for name in request["runners"]:
        try:
            model = _load_runner(name, request)
        except BridgeError as exc:
            errors[name] = exc.to_json()
            continue
        progress(f"Running {name} on {len(request['tests'])} input(s)")
        runs = []
        try:
            with torch.no_grad():
                for index, test in enumerate(request["tests"]):
                    value = model(*_read_inputs(test, request["inputs"]))
                    runs.append(_write_outputs(value, request.get("output_names"), request["out_dir"], f"{name}_{index}"))
        except BridgeError as exc:
            errors[name] = exc.to_json()
            continue
        except Exception as exc:  # a runner that fails is reported, the others still compare
            errors[name] = {"code": "ERR_INFERENCE", "message": f"{name} failed: {type(exc).__name__}: {exc}"}
            continue
        results[name] = runs
    return {"torch_version": torch.__version__, "results": results, "errors": errors}
