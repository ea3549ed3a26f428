"""Loading a checkpoint into a model with messages that say exactly what does not match."""
import pickle

from .protocol import BridgeError, progress

WRAPPER_KEYS = ("state_dict", "model", "model_state_dict", "net")


def _read(path):
    import torch

    try:
        return torch.load(path, map_location="cpu")
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, AttributeError, ModuleNotFoundError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BridgeError(
            "ERR_CHECKPOINT",
            f"{path} is not a PyTorch checkpoint this torch can read: {first}",
            details={"file": path},
        ) from exc


def _state_dict(obj, path):
    import torch

    if isinstance(obj, torch.nn.Module):
        return obj.state_dict()
    if isinstance(obj, dict):
        for key in WRAPPER_KEYS:
            inner = obj.get(key)
            if isinstance(inner, dict) and inner and all(isinstance(v, torch.Tensor) for v in inner.values()):
                progress(f"Using the state_dict stored under {key!r} in the checkpoint")
                return inner
            if isinstance(inner, torch.nn.Module):
                return inner.state_dict()
        if obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            return obj
        keys = ", ".join(map(str, list(obj.keys())[:8]))
        raise BridgeError(
            "ERR_CHECKPOINT",
            f"{path} holds a dict without a state_dict (keys: {keys}); expected a bare state_dict "
            f"or one wrapped under {', '.join(map(repr, WRAPPER_KEYS))}",
        )
    raise BridgeError("ERR_CHECKPOINT", f"{path} holds a {type(obj).__name__}, not a state_dict")


def _strip_data_parallel(state):
    if state and all(k.startswith("module.") for k in state):
        return {k[len("module."):]: v for k, v in state.items()}
    return state


def _preview(items, limit=5):
    shown = ", ".join(items[:limit])
    return shown + (f", … ({len(items) - limit} more)" if len(items) > limit else "")


def load_checkpoint(model, path, label):
    progress(f"Loading checkpoint {path}")
    state = _strip_data_parallel(_state_dict(_read(path), path))
    expected = model.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    mismatched = [
        f"{k} (checkpoint {list(state[k].shape)} vs model {list(expected[k].shape)})"
        for k in expected
        if k in state and tuple(state[k].shape) != tuple(expected[k].shape)
    ]
    if missing or unexpected or mismatched:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing key(s): {_preview(missing)}")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected key(s): {_preview(unexpected)}")
        if mismatched:
            parts.append(f"{len(mismatched)} shape mismatch(es): {_preview(mismatched, 3)}")
        raise BridgeError(
            "ERR_CHECKPOINT",
            f"checkpoint {path} does not match {label}: " + "; ".join(parts),
            hint="Is this the checkpoint of another model, or were init_args different when it was saved?",
            details={"file": path, "missing": missing, "unexpected": unexpected, "mismatched": mismatched},
        )
    model.load_state_dict(state, strict=True)
