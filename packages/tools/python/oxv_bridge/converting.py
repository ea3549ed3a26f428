"""`convert`: the model a config describes → ONNX (+ TorchScript, + the exact weights exported)."""
import os

from .export_wrappers import export_info, task_hint, unwrap
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
            # strict=False: segmentation models return a dict, which strict tracing refuses.
            traced = torch.jit.trace(model, inputs, check_trace=False, strict=False)
        torch.jit.save(traced, path)
    except Exception as exc:
        raise BridgeError("ERR_EXPORT", f"TorchScript tracing failed: {type(exc).__name__}: {str(exc).splitlines()[0]}") from exc


def _check_export_requirements(info, request):
    """What a wrapped torchvision model needs from the config, refused before anything is exported."""
    if not info:
        return
    arch = request["model"].get("arch") or "this model"
    opset = request["export"]["opset_version"]
    if opset < info["min_opset"]:
        reason = info.get("min_opset_reason") or f"torchvision exports {arch} from opset {info['min_opset']}"
        raise BridgeError(
            "ERR_UNSUPPORTED_OPSET",
            f"{arch} needs export.opset_version ≥ {info['min_opset']} (got {opset}): {reason}",
            hint=f"Set export.opset_version: {max(info['min_opset'], 17)}.",
        )
    first = request["inputs"][0]
    if info["one_image"] and (len(request["inputs"]) != 1 or len(first["shape"]) != 4 or first["shape"][0] != 1):
        shapes = ", ".join(str(i["shape"]) for i in request["inputs"])
        raise BridgeError(
            "ERR_CONFIG_INVALID",
            f"{arch} is a detector: it takes one image [1, 3, H, W] per call, got input(s) {shapes}",
            hint="Set model.input_shape: [1, 3, H, W] (H and W are fixed in the exported graph).",
        )
    side, multiple = info.get("min_side"), info.get("side_multiple")
    for spec in request["inputs"] if side else []:
        h, w = spec["shape"][-2:]
        if h < side or w < side or h % multiple or w % multiple:
            raise BridgeError(
                "ERR_CONFIG_INVALID",
                f"{arch} needs images of at least {side} × {side} pixels with sides divisible by {multiple}; "
                f"input {spec['name']} is {h} × {w}",
                hint=f"Set its shape to e.g. [1, 3, {max(side, h + (-h % multiple))}, {max(side, w + (-w % multiple))}].",
            )
    spatial = [a for a in request["export"].get("dynamic_axes", []) if a != "batch"]
    if info["fixed_size"] and spatial:
        raise BridgeError(
            "ERR_CONFIG_INVALID",
            f"{arch} is exported with fixed input shapes; export.dynamic_axes cannot include {', '.join(spatial)}",
            hint="Remove height/width from export.dynamic_axes and convert once per input size.",
        )


def convert(request):
    import torch

    spec = request["model"]
    model = load_model(spec)
    info = export_info(model)
    _check_export_requirements(info, request)
    inputs = example_inputs(request["inputs"])
    if request.get("randomize_weights") is not None:
        from .randomize import randomize_weights

        randomize_weights(model, inputs, int(request["randomize_weights"]))
    input_names = [i["name"] for i in request["inputs"]]
    output_names, outputs = flatten_outputs(
        _forward(model, inputs, spec), request.get("output_names"), info and info["output_names"]
    )
    paths = request["paths"]
    options = dict(request["export"])
    if info:
        # The wrapper knows which output dimensions vary (detections) and whether the inputs stay static.
        options["axes_override"] = {
            "inputs": [] if info["static_inputs"] else None,
            "outputs": {name: info.get("output_axes", {}).get(default, {}) for name, default in zip(output_names, info["output_names"])},
        }
    exporter = export_onnx(model, inputs, input_names, outputs, output_names, options, paths["onnx"])
    files = {"onnx": paths["onnx"]}
    if options.get("torchscript", True):
        _trace(model, inputs, paths["torchscript"])
        files["torchscript"] = paths["torchscript"]
    if request.get("save_weights") and not isinstance(model, torch.jit.ScriptModule):
        progress("Saving the exported weights for validate")
        torch.save(unwrap(model).state_dict(), paths["weights"])
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
        "task_hint": task_hint(model, spec),
    }
