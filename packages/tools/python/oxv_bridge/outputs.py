"""Flattening whatever forward() returns into a named list of tensors."""
from .protocol import BridgeError


def flatten_outputs(value, configured_names=None):
    """tensor | tuple/list of tensors | dict of tensors → (names, tensors)."""
    import torch

    if isinstance(value, torch.Tensor):
        tensors, names = [value], ["output"]
    elif isinstance(value, (tuple, list)) and value and all(isinstance(v, torch.Tensor) for v in value):
        tensors = list(value)
        names = ["output"] if len(tensors) == 1 else [f"output_{i}" for i in range(len(tensors))]
    elif isinstance(value, dict) and value and all(isinstance(v, torch.Tensor) for v in value.values()):
        tensors, names = list(value.values()), [str(k) for k in value.keys()]
    else:
        raise BridgeError(
            "ERR_EXPORT",
            f"forward() returned {type(value).__name__}; expected a tensor, or a tuple/list/dict of tensors",
        )
    if configured_names:
        if len(configured_names) != len(tensors):
            raise BridgeError(
                "ERR_CONFIG_INVALID",
                f"model.output_names has {len(configured_names)} name(s) but forward() returns {len(tensors)} output(s)",
            )
        names = list(configured_names)
    return names, tensors


def dtype_name(tensor):
    return str(tensor.dtype).replace("torch.", "")
