"""torch.onnx.export across PyTorch 1.13 … 2.x, and the messages when it fails.

PyTorch 2.x's torch.onnx.export grew a `dynamo` flag whose default flipped to True in recent releases,
and the TorchScript-based exporter it replaces may be gone in later ones. "auto" uses the TorchScript-based
exporter where it exists (it handles the CNNs this toolkit targets on every version) and falls back to
the dynamo exporter where it does not.
"""
import inspect
import os
import re

from .protocol import BridgeError, progress, warn


def exporter_capabilities():
    import torch

    params = inspect.signature(torch.onnx.export).parameters
    has_dynamo_flag = "dynamo" in params
    try:
        from torch.onnx import _constants

        max_opset = getattr(_constants, "ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET", None) or getattr(_constants, "ONNX_MAX_OPSET", None)
    except Exception:
        max_opset = None
    return {"exporter_has_dynamo_flag": has_dynamo_flag, "exporter_max_opset": max_opset}


def _dynamic_axes(input_names, inputs, output_names, outputs, axes, override=None):
    """override (an export wrapper's): {"inputs": [] for fixed inputs or None, "outputs": {name: {dim: symbol}}}."""
    spatial_same = {}
    result = {}
    for name, tensor in zip(input_names, inputs):
        result[name] = _axes_for(tensor.dim(), axes, "")
    if override:
        if override.get("inputs") is not None:
            result = {}
        for name, tensor in zip(output_names, outputs):
            dims = dict(override["outputs"].get(name) or {})
            if override.get("inputs") is None:
                dims = {**_axes_for(tensor.dim(), axes, f"{name}_"), **dims}
            result[name] = dims
        return {k: v for k, v in result.items() if v}
    for name, tensor in zip(output_names, outputs):
        # An output keeps the input's spatial symbol only when it really has the input's size (UNet);
        # otherwise (a downsampling head) it gets its own symbol so no false equality is declared.
        same = inputs and tensor.dim() == 4 and inputs[0].dim() == 4 and tuple(tensor.shape[2:]) == tuple(inputs[0].shape[2:])
        spatial_same[name] = bool(same)
        result[name] = _axes_for(tensor.dim(), axes, "" if same else f"{name}_")
    return {k: v for k, v in result.items() if v}


def _axes_for(rank, axes, prefix):
    dims = {}
    if "batch" in axes and rank >= 1:
        dims[0] = "batch"
    if rank == 4:
        if "height" in axes:
            dims[2] = f"{prefix}height"
        if "width" in axes:
            dims[3] = f"{prefix}width"
    return dims


def _operator_location(model, inputs, operator):
    """Where in the user's code an unsupported aten operator comes from (TorchScript source ranges)."""
    try:
        import torch

        traced = model if isinstance(model, torch.jit.ScriptModule) else torch.jit.trace(model, inputs, check_trace=False)
        for node in traced.inlined_graph.nodes():
            if node.kind() == operator:
                text = node.sourceRange().strip()
                if text:
                    # "/path/model.py(11): forward" → "model.py:11 in forward"
                    found = re.match(r"(.+)\((\d+)\): (\w+)", text.splitlines()[0])
                    return f"{os.path.basename(found.group(1))}:{found.group(2)} in {found.group(3)}" if found else text.splitlines()[0]
    except Exception:
        return None
    return None


def _export_error(exc, model, inputs, opset):
    import torch

    text = str(exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    operator = re.search(r"operator '?([a-z_]+::[A-Za-z0-9_.]+)'?", text)
    if operator:
        where = _operator_location(model, inputs, operator.group(1))
        raise BridgeError(
            "ERR_EXPORT",
            f"ONNX export failed: operator {operator.group(1)} is not supported at opset {opset}"
            + (f" (used at {where})" if where else "")
            + f": {first}",
            hint="Try a higher export.opset_version, or replace that operation in the model.",
            details={"operator": operator.group(1), "location": where},
        ) from exc
    if re.search(r"[Uu]nsupported ONNX opset version|opset version \d+ is not supported|opset_version", first):
        caps = exporter_capabilities()
        raise BridgeError(
            "ERR_UNSUPPORTED_OPSET",
            f"torch {torch.__version__} cannot export opset {opset}: {first}",
            hint=f"Set export.opset_version to {caps['exporter_max_opset'] or 'a lower value'} or below.",
        ) from exc
    raise BridgeError("ERR_EXPORT", f"ONNX export failed: {type(exc).__name__}: {first}") from exc


def export_onnx(model, inputs, input_names, outputs, output_names, options, path):
    """Exports to `path`; returns the name of the exporter that did it."""
    import torch

    opset = options["opset_version"]
    from .onnx_symbolics import register_fixes

    register_fixes(opset)
    caps = exporter_capabilities()
    wanted = options.get("exporter", "auto")
    use_dynamo = wanted == "dynamo"
    if use_dynamo and not caps["exporter_has_dynamo_flag"]:
        raise BridgeError("ERR_EXPORT", f"export.exporter is dynamo but torch {torch.__version__} has no dynamo exporter")
    kwargs = dict(
        opset_version=opset,
        do_constant_folding=options.get("do_constant_folding", True),
        input_names=list(input_names),
        output_names=list(output_names),
        dynamic_axes=_dynamic_axes(
            input_names, inputs, output_names, outputs, options.get("dynamic_axes", ["batch"]), options.get("axes_override")
        ),
    )
    if "external_data" in inspect.signature(torch.onnx.export).parameters:
        # The dynamo exporter writes weights to a side file by default; keep one self-contained file
        # unless protobuf's 2 GB limit forces external data (browsers then need every file fetched).
        kwargs["external_data"] = _weight_bytes(model) > INLINE_LIMIT_BYTES
    attempts = [True] if use_dynamo else ([False] if caps["exporter_has_dynamo_flag"] else [None])
    if wanted == "auto" and caps["exporter_has_dynamo_flag"]:
        attempts.append(True)
    last_error = None
    for dynamo in attempts:
        name = "dynamo" if dynamo else "torchscript"
        progress(f"Exporting ONNX (opset {opset}, {name} exporter)")
        extra = {} if dynamo is None else {"dynamo": dynamo}
        try:
            torch.onnx.export(model, inputs, path, **kwargs, **extra)
            return name
        except Exception as exc:  # noqa: BLE001 - classified below
            last_error = exc
            if dynamo is False and len(attempts) > 1 and _legacy_exporter_gone(exc):
                warn(f"the TorchScript-based exporter is unavailable in torch {torch.__version__}; using dynamo")
                continue
            break
    _export_error(last_error, model, inputs, opset)


INLINE_LIMIT_BYTES = 1_800_000_000


def _weight_bytes(model):
    tensors = list(model.parameters()) + list(model.buffers())
    return sum(t.numel() * t.element_size() for t in tensors)


def _legacy_exporter_gone(exc):
    text = str(exc).lower()
    return "dynamo=false" in text or "no longer supported" in text or "has been removed" in text
