"""`randomize_weights`: every parameter redrawn from a seeded distribution, for parity checks.

A torchvision architecture built without a checkpoint keeps torchvision's own init, which is made for
training, not for comparing runtimes: vit_b_16's head is zero (every output is 0), efficientnet's and
mnasnet's zero-initialised norm scales make outputs vanish (1e-14), SSDlite's classification head gives
every anchor the same score. A comparison on such outputs passes whatever the runtime computes. Here each
weight gets a normal of variance GAIN / fan-in, norm scales and biases get values away from 0 and 1, and
then every BatchNorm's running statistics are measured over CALIBRATION_PASSES seeded inputs like the
example ones, so activations stay of order 1 at any depth instead of exploding or vanishing.
"""
from .protocol import progress

# Weight variance × fan-in. 2 (He) would keep the scale through ReLU stacks exactly, but heads without
# normalisation after an FPN then saturate: RetinaNet's and SSD300's scores all came out exactly 1.0.
# With 1 a plain ReLU stack shrinks by √2 a layer (VGG-19's logits stay near 1e-3) and BatchNorm
# calibration restores the scale wherever there is one.
GAIN = 1.0


def _draw(name, param, generator):
    import torch

    shape = param.shape
    leaf = name.rsplit(".", 1)[-1]
    if param.dim() >= 2 and leaf.endswith("weight"):
        fan_in = max(1, param[0].numel())
        values = torch.randn(shape, generator=generator) * (GAIN / fan_in) ** 0.5
    elif leaf.endswith("weight"):  # norm scales (BatchNorm, LayerNorm, GroupNorm)
        values = torch.rand(shape, generator=generator) + 0.5
    elif leaf.endswith("bias"):
        values = torch.randn(shape, generator=generator) * 0.1
    else:  # class tokens, position embeddings, layer scales, relative-position tables
        values = torch.randn(shape, generator=generator) * 0.2
    return values.to(param.dtype)


def _calibrate_batch_norms(model, batches):
    """Sets every BatchNorm's running mean/var to the statistics of what reaches it over `batches`.

    The statistics accumulate over the passes (each pass already uses those of the earlier ones): one
    input alone leaves a deep layer with a few spatial positions and a variance near zero, and then any
    other input would blow up there.
    """
    import torch

    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.track_running_stats]
    sums = {}

    def hook(module, args):
        x = args[0].double()
        dims = [d for d in range(x.dim()) if d != 1]
        n = x.numel() // max(1, x.shape[1])
        total, square, count = sums.get(module, (0.0, 0.0, 0))
        total, square, count = total + x.sum(dim=dims), square + (x * x).sum(dim=dims), count + n
        sums[module] = (total, square, count)
        if count > 1:  # one value per channel has no variance to measure
            mean = total / count
            module.running_mean.copy_(mean.to(module.running_mean.dtype))
            module.running_var.copy_((square / count - mean * mean).clamp(min=0).to(module.running_var.dtype))

    handles = [m.register_forward_pre_hook(hook) for m in norms]
    try:
        with torch.no_grad():
            for inputs in batches:
                model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    return len(handles)


CALIBRATION_PASSES = 32


def _calibration_batches(inputs, generator):
    """The example inputs, then seeded inputs like them (same shapes, dtypes and value range)."""
    import torch

    batches = [inputs]
    for _ in range(CALIBRATION_PASSES - 1):
        batch = []
        for t in inputs:
            if t.dtype.is_floating_point:
                lo, hi = float(t.min()), float(t.max())
                # Images in [0, 1] stay in [0, 1]; normal inputs stay normal.
                fresh = torch.rand(t.shape, generator=generator) if lo >= 0 and hi <= 1 else torch.randn(t.shape, generator=generator)
                batch.append(fresh.to(t.dtype))
            else:
                batch.append(t)
        batches.append(tuple(batch))
    return batches


def randomize_weights(model, inputs, seed):
    """Redraws every parameter of `model` (in place, seeded), then calibrates its BatchNorms on `inputs`."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    count = 0
    with torch.no_grad():
        for name, param in model.named_parameters():
            param.copy_(_draw(name, param, generator))
            count += param.numel()
    progress(f"Redrew {count:,} parameters from a seeded distribution (seed {seed})")
    model.eval()
    calibrated = _calibrate_batch_norms(model, _calibration_batches(inputs, generator))
    if calibrated:
        progress(f"Set the running statistics of {calibrated} BatchNorm layer(s) from the example input(s)")
