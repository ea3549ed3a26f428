"""ONNX symbolics torchvision gets wrong on some versions, registered before exporting.

torchvision ≤ 0.14 registers its roi_align symbolic at opset 11 only, so at opset ≥ 16 the exporter
reuses it and writes a RoiAlign node without `coordinate_transformation_mode`. From opset 16 that
attribute defaults to `half_pixel` (torchvision's aligned=True), while the R-CNN heads use
aligned=False: onnxruntime then pools other pixels than PyTorch, and keypointrcnn found 78 detections
where PyTorch found 74. The symbolic below states the mode explicitly.
"""


def _roi_align_opset16(g, input, rois, spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned):
    from torch.onnx import symbolic_helper as sym

    spatial_scale = sym._get_const(spatial_scale, "f", "spatial_scale")
    pooled_height = sym._get_const(pooled_height, "i", "pooled_height")
    pooled_width = sym._get_const(pooled_width, "i", "pooled_width")
    sampling_ratio = sym._get_const(sampling_ratio, "i", "sampling_ratio")
    aligned = sym._get_const(aligned, "i", "aligned")
    # rois is [K, 5]: the image index, then x1, y1, x2, y2.
    index = g.op("Gather", rois, g.op("Constant", value_t=_long([0])), axis_i=1)
    batch_indices = g.op("Cast", g.op("Squeeze", index, g.op("Constant", value_t=_long([1]))), to_i=7)  # int64
    boxes = g.op("Gather", rois, g.op("Constant", value_t=_long([1, 2, 3, 4])), axis_i=1)
    return g.op(
        "RoiAlign",
        input,
        boxes,
        batch_indices,
        coordinate_transformation_mode_s="half_pixel" if aligned else "output_half_pixel",
        output_height_i=pooled_height,
        output_width_i=pooled_width,
        sampling_ratio_i=max(0, sampling_ratio),  # ONNX has no negative (adaptive) ratio; 0 is adaptive
        spatial_scale_f=spatial_scale,
    )


def _long(values):
    import torch

    return torch.tensor(values, dtype=torch.int64)


def register_fixes(opset):
    """Registers the symbolics this torchvision lacks for `opset`; a no-op where it has its own."""
    if opset < 16:
        return
    try:
        import torchvision.ops._register_onnx_ops as registered
    except ImportError:
        return
    if hasattr(registered, "roi_align_opset16"):  # torchvision ≥ 0.15 states the mode itself
        return
    import torch

    torch.onnx.register_custom_op_symbolic("torchvision::roi_align", _roi_align_opset16, 16)
