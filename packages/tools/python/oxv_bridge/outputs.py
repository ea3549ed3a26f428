"""Flattening whatever forward() returns into a named list of tensors.

The order is the one torch.onnx.export flattens the same value in (tuple order, dict insertion order,
depth first), so the names given to the exporter line up with its outputs.
"""
from .protocol import BridgeError


def _flatten(value, prefix, names, tensors):
    import torch

    if isinstance(value, torch.Tensor):
        names.append(prefix or "output")
        tensors.append(value)
    elif isinstance(value, dict) and value:
        for key, item in value.items():
            _flatten(item, f"{prefix}_{key}" if prefix else str(key), names, tensors)
    elif isinstance(value, (tuple, list)) and value:
        if len(value) == 1:
            # A list of one dict (a detector's one image): its keys name the outputs.
            _flatten(value[0], prefix, names, tensors)
            return
        for index, item in enumerate(value):
            _flatten(item, f"{prefix or 'output'}_{index}", names, tensors)
    else:
        raise BridgeError(
            "ERR_EXPORT",
            f"forward() returned {type(value).__name__}{' at ' + prefix if prefix else ''}; expected a tensor, "
            "or tuples, lists and dicts of tensors",
        )


def flatten_outputs(value, configured_names=None, default_names=None):
    """tensor | (nested) tuple/list/dict of tensors → (names, tensors).

    `default_names` (an export wrapper's) replace the generated ones; `configured_names`
    (model.output_names) replace both.
    """
    names, tensors = [], []
    _flatten(value, "", names, tensors)
    if default_names and len(default_names) == len(tensors):
        names = list(default_names)
    if configured_names:
        if len(configured_names) != len(tensors):
            raise BridgeError(
                "ERR_CONFIG_INVALID",
                f"model.output_names has {len(configured_names)} name(s) but forward() returns {len(tensors)} output(s)",
            )
        names = list(configured_names)
    if len(set(names)) != len(names):
        raise BridgeError("ERR_EXPORT", f"forward()'s outputs flatten to repeated names: {', '.join(names)}")
    return names, tensors


def dtype_name(tensor):
    return str(tensor.dtype).replace("torch.", "")
