"""Building the PyTorch model a config describes, with exactly the weights it names."""
import difflib
import hashlib
import importlib.util
import inspect
import os
import sys
import traceback

from .protocol import BridgeError, progress

SEED = 0


def _user_frame(exc, path):
    """'model.py:42 in forward' for the deepest frame of the user's own file, if any."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.abspath(f.filename) == path]
    if not frames:
        return None
    frame = frames[-1]
    return f"{os.path.basename(frame.filename)}:{frame.lineno} in {frame.name}"


def _import_module(path):
    module_name = "oxv_user_" + hashlib.sha1(path.encode()).hexdigest()[:12]
    folder = os.path.dirname(path)
    # The user's file may import its own siblings (`from layers import Block`).
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        where = _user_frame(exc, path)
        raise BridgeError(
            "ERR_MODEL_IMPORT",
            f"importing {path} failed{' at ' + where if where else ''}: {type(exc).__name__}: {exc}",
            details={"file": path},
        ) from exc
    return module


def _module_classes(module):
    import torch

    return sorted(
        name
        for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, torch.nn.Module) and value is not torch.nn.Module
    )


def _construct(cls, init_args, label):
    try:
        return cls(**init_args)
    except TypeError as exc:
        try:
            signature = f"{label}{inspect.signature(cls)}"
        except (TypeError, ValueError):
            signature = label
        raise BridgeError(
            "ERR_MODEL_INIT",
            f"constructing {label} with init_args {init_args or '{}'} failed: {exc}",
            hint=f"The constructor is {signature}; set model.init_args in the config.",
        ) from exc
    except Exception as exc:
        raise BridgeError("ERR_MODEL_INIT", f"constructing {label} failed: {type(exc).__name__}: {exc}") from exc


def _python_model(spec):
    path, class_name = spec["path"], spec["class_name"]
    progress(f"Importing {class_name} from {path}")
    module = _import_module(path)
    cls = getattr(module, class_name, None)
    if cls is None:
        available = _module_classes(module)
        close = difflib.get_close_matches(class_name, available, n=1)
        raise BridgeError(
            "ERR_MODEL_IMPORT",
            f"class {class_name!r} not found in {path}"
            + (f"; did you mean {close[0]!r}?" if close else "")
            + f" Modules defined there: {', '.join(available) or 'none'}",
            details={"file": path, "available": available},
        )
    return _construct(cls, spec.get("init_args") or {}, class_name)


def _torchvision_model(spec):
    try:
        import torchvision
    except ImportError as exc:
        raise BridgeError(
            "ERR_MODEL_IMPORT",
            f"{spec['path']} needs torchvision, which this Python cannot import",
            hint="Install it: apt-get install python3-torchvision, or pip install torchvision",
        ) from exc
    from .torchvision_builders import build, find_builder

    arch = spec["arch"]
    family, builder = find_builder(torchvision, arch)
    progress(f"Building torchvision {arch} ({family}; random init, weights come from model.checkpoint)")
    # Never download weights: they come from the checkpoint, or stay the seeded random init.
    model = _construct(lambda **kw: build(builder, kw), spec.get("init_args") or {}, f"{builder.__module__}.{builder.__name__}")
    return model, family


def _torchscript_model(path):
    import torch

    progress(f"Loading TorchScript {path}")
    try:
        return torch.jit.load(path, map_location="cpu")
    except Exception as exc:
        raise BridgeError(
            "ERR_MODEL_IMPORT",
            f"{path} is not a TorchScript file torch {torch.__version__} can load: {str(exc).splitlines()[0]}",
            hint="A .pt state_dict belongs in model.checkpoint, with model.path pointing at the .py defining the class.",
        ) from exc


def load_model(spec):
    """spec: {kind, path, arch?, class_name?, init_args?, checkpoint?} → an eval()-mode module.

    Detectors and optical-flow models come wrapped so that forward() returns the tensors the export
    contract names (see export_wrappers.py); `unwrap()` gives back the module the checkpoint belongs to.
    """
    import torch

    torch.manual_seed(SEED)  # unseeded random init would make every run export different weights
    kind = spec["kind"]
    family = None
    if kind == "torchscript":
        model = _torchscript_model(spec["path"])
    elif kind == "torchvision":
        model, family = _torchvision_model(spec)
    else:
        model = _python_model(spec)
    if spec.get("checkpoint"):
        from .checkpoint import load_checkpoint

        load_checkpoint(model, spec["checkpoint"], spec.get("class_name") or spec.get("arch") or "the model")
    model.eval()
    from .export_wrappers import wrap_for_export

    return wrap_for_export(model, family)


TORCH_DTYPES = {
    "float32": "float32",
    "float16": "float16",
    "int64": "int64",
    "int32": "int32",
    "uint8": "uint8",
    "bool": "bool",
}


def example_inputs(inputs):
    """Seeded example tensors, one per configured input, for tracing and exporting."""
    import torch

    generator = torch.Generator().manual_seed(SEED)
    tensors = []
    for spec in inputs:
        dtype = getattr(torch, TORCH_DTYPES[spec["dtype"]])
        shape = spec["shape"]
        if dtype.is_floating_point:
            tensors.append(torch.randn(*shape, generator=generator).to(dtype))
        elif dtype == torch.bool:
            tensors.append(torch.randint(0, 2, shape, generator=generator).bool())
        else:
            tensors.append(torch.randint(0, 10, shape, generator=generator).to(dtype))
    return tuple(tensors)
