"""`convert`: the model a config describes → ONNX (+ TorchScript, + the exact weights exported)."""
import os

from .exporting import export_onnx
from .loading import example_inputs, load_model, _user_frame
from .outputs import dtype_name, flatten_outputs
from .protocol import BridgeError, progress


def _forward(model, inputs, spec):
    import torch

    shapes = ", ".join(str(list(t.shape)) for t in inputs)
    try:
        with torch.no_grad():
            return model(*inputs)
    except Exception as exc:
        where = _user_frame(exc, spec.get("path", "")) if spec.get("kind") == "python" else None
        raise BridgeError(
            "ERR_EXPORT",
            f"running the model on example input(s) of shape {shapes} failed"
            + (f" at {where}" if where else "")
            + f": {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            hint="Check model.input_shape / model.inputs against what forward() expects.",
        ) from exc


def _count_parameters(model):
    # parameters() deduplicates shared tensors, unlike summing per-layer counts (the original's bug).
    params = list(model.parameters())
    return {
        "total": sum(p.numel() for p in params),
        "trainable": sum(p.numel() for p in params if p.requires_grad),
        "buffers": sum(b.numel() for b in model.buffers()),
    }


def _trace(model, inputs, path):
    import torch

    progress("Tracing TorchScript")
    if isinstance(model, torch.jit.ScriptModule):
        torch.jit.save(model, path)
        return
    try:
        with torch.no_grad():
            traced = torch.jit.trace(model, inputs, check_trace=False)
        torch.jit.save(traced, path)
    except Exception as exc:
        raise BridgeError("ERR_EXPORT", f"TorchScript tracing failed: {type(exc).__name__}: {str(exc).splitlines()[0]}") from exc


def convert(request):
    import torch

    spec = request["model"]
    model = load_model(spec)
    inputs = example_inputs(request["inputs"])
    input_names = [i["name"] for i in request["inputs"]]
    output_names, outputs = flatten_outputs(_forward(model, inputs, spec), request.get("output_names"))
    paths = request["paths"]
    options = request["export"]
    exporter = export_onnx(model, inputs, input_names, outputs, output_names, options, paths["onnx"])
    files = {"onnx": paths["onnx"]}
    if options.get("torchscript", True):
        _trace(model, inputs, paths["torchscript"])
        files["torchscript"] = paths["torchscript"]
    if request.get("save_weights") and not isinstance(model, torch.jit.ScriptModule):
        progress("Saving the exported weights for validate")
        torch.save(model.state_dict(), paths["weights"])
        files["weights"] = paths["weights"]
    folder = os.path.dirname(paths["onnx"])
    known = {os.path.basename(p) for p in files.values()}
    external = sorted(f for f in os.listdir(folder) if f not in known)
    return {
        "exporter": exporter,
        "torch_version": torch.__version__,
        "inputs": [{"name": n, "shape": list(t.shape), "dtype": dtype_name(t)} for n, t in zip(input_names, inputs)],
        "outputs": [{"name": n, "shape": list(t.shape), "dtype": dtype_name(t)} for n, t in zip(output_names, outputs)],
        "parameters": _count_parameters(model),
        "files": files,
        "external_data": external,
    }
