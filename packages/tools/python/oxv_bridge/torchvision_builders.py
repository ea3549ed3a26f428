"""Finding a torchvision builder by name in every family, and calling it without downloading anything."""
import difflib
import inspect

from .protocol import BridgeError

# Searched in this order for a bare name; `quantization.resnet18` (or any `<family>.<name>`) picks one.
# Classification builders live at the top of torchvision.models; the quantizable ones reuse their names.
FAMILIES = (
    ("classification", ""),
    ("segmentation", "segmentation"),
    ("detection", "detection"),
    ("optical_flow", "optical_flow"),
    ("video", "video"),
    ("quantization", "quantization"),
)
# torchvision.models' helpers that are callable and lower-case but build nothing.
NOT_BUILDERS = {"get_model", "get_model_builder", "get_model_weights", "get_weight", "list_models"}


def _family_module(models, attr):
    if not attr:
        return models
    try:
        return getattr(models, attr)
    except AttributeError:  # an older torchvision without that family
        return None


def family_builders(models):
    """{family: {name: builder}} for this torchvision."""
    found = {}
    for family, attr in FAMILIES:
        module = _family_module(models, attr)
        if module is None:
            continue
        found[family] = {
            name: value
            for name, value in vars(module).items()
            if inspect.isfunction(value) and name.islower() and not name.startswith("_") and name not in NOT_BUILDERS
            and "weights" in inspect.signature(value).parameters
        }
    return found


def _module_name(family):
    attr = dict(FAMILIES)[family]
    return "torchvision.models" + (f".{attr}" if attr else "")


def find_builder(torchvision, arch):
    """`arch` or `family.arch` → (family, builder); a clear error listing close names otherwise."""
    families = family_builders(torchvision.models)
    wanted_family, _, name = arch.rpartition(".")
    if wanted_family and wanted_family not in families:
        raise BridgeError(
            "ERR_MODEL_IMPORT",
            f"torchvision {torchvision.__version__} has no model family {wanted_family!r}; families: {', '.join(families)}",
        )
    searched = [wanted_family] if wanted_family else list(families)
    for family in searched:
        builder = families[family].get(name)
        if builder is not None:
            return family, builder
    every = [f"{n}" if f == "classification" else f"{f}.{n}" for f in searched for n in families[f]]
    plain = {full.rpartition(".")[2]: full for full in reversed(every)}
    close = [plain[n] for n in difflib.get_close_matches(name, list(plain), n=4, cutoff=0.6)]
    raise BridgeError(
        "ERR_MODEL_IMPORT",
        f"torchvision {torchvision.__version__} has no architecture {arch!r}"
        + (f"; did you mean {', '.join(close)}?" if close else "")
        + f" (searched {', '.join(_module_name(f) for f in searched)})",
        details={"searched": searched, "close": close},
    )


def build(builder, init_args):
    """Calls the builder with every `weights*` argument it takes set to None: nothing is downloaded."""
    params = inspect.signature(builder).parameters
    forced = {name: None for name in ("weights", "weights_backbone") if name in params}
    clash = sorted(set(forced) & set(init_args))
    if clash:
        raise BridgeError(
            "ERR_MODEL_INIT",
            f"model.init_args sets {', '.join(clash)}, but torchvision weights are never downloaded",
            hint="Remove it; give trained weights as model.checkpoint (a state_dict file) instead.",
        )
    return builder(**forced, **init_args)
