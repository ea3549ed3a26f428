"""Export wrappers: torchvision modules whose forward() does not take and return plain tensors.

A wrapper is a module whose forward() takes the configured input tensors and returns a tuple of tensors,
and which carries what exporting needs to know (`export_info`): the output names, the dynamic axes of
each output, the task run/serve default to, the lowest opset that works and whether the batch is fixed.
`unwrap()` gives the module that checkpoints and saved weights belong to.

- Detectors (torchvision.models.detection) take a list of 3-D images and return one dict per image; the
  wrapper takes one [1, 3, H, W] tensor and returns the contract's boxes, scores, labels (and keypoints,
  keypoints_scores or masks where the model has them), their first dimension `detections`. Batch 1 and
  a fixed image size: torchvision's own ONNX tests export them like that, and a graph traced at one
  size fails in onnxruntime's Reshape nodes (roi_heads) when fed another.
- RAFT (torchvision.models.optical_flow) returns the list of its 12 (num_flow_updates) flow
  refinements; only the last is the estimate anyone uses, so the wrapper returns that one, as `flow`.
  Its input shapes are fixed in the graph (batch included), like a detector's.
"""
import torch

DETECTION_OPTIONAL = (("keypoints", "keypoint_predictor"), ("keypoints_scores", "keypoint_predictor"), ("masks", "mask_predictor"))


class ExportWrapper(torch.nn.Module):
    def __init__(self, inner, info):
        super().__init__()
        self.inner = inner
        self.export_info = info


class DetectionExport(ExportWrapper):
    def forward(self, image):
        if image.dim() != 4 or image.shape[0] != 1:
            raise ValueError(f"a detector takes one image per call, shape [1, 3, H, W]; got {list(image.shape)}")
        detections = self.inner([image[0]])[0]
        return tuple(detections[name] for name in self.export_info["output_names"])


class FinalFlow(ExportWrapper):
    def forward(self, image1, image2):
        return self.inner(image1, image2)[-1]


def _detection_outputs(model):
    names = ["boxes", "scores", "labels"]
    heads = getattr(model, "roi_heads", None)
    for name, head in DETECTION_OPTIONAL:
        if heads is not None and getattr(heads, head, None) is not None:
            names.append(name)
    return names


def wrap_for_export(model, family):
    if family == "detection":
        names = _detection_outputs(model)
        info = {
            "output_names": names,
            "output_axes": {name: {0: "detections"} for name in names},
            "task": "detection",
            "min_opset": 11,
            "one_image": True,
            "static_inputs": True,
            "fixed_size": True,
        }
        return DetectionExport(model, info).eval()
    if family == "optical_flow":
        info = {
            "output_names": ["flow"],
            "task": None,
            # grid_sample (RAFT's correlation lookup) exists in ONNX from opset 16.
            "min_opset": 16,
            "min_opset_reason": "RAFT's correlation lookup uses grid_sample, an ONNX operator from opset 16",
            "one_image": False,
            # With a symbolic batch, torch 1.13 leaves RAFT's sqrt(channels) as a Sqrt on an int64 shape
            # value, which onnxruntime refuses; with static input shapes it folds to a constant.
            "static_inputs": True,
            "fixed_size": True,
            # Features at 1/8 scale, then a 4-level correlation pyramid: below 128 its last level is
            # 1 pixel wide and grid_sample's normalisation divides by zero (the flow comes out NaN).
            "min_side": 128,
            "side_multiple": 8,
        }
        return FinalFlow(model, info).eval()
    return model


def export_info(model):
    return getattr(model, "export_info", None)


def unwrap(model):
    return model.inner if isinstance(model, ExportWrapper) else model


FAMILY_TASKS = {"classification": "classification", "quantization": "classification", "segmentation": "segmentation"}


def task_hint(model, spec):
    """The task run/serve default to when the config names none (a torchvision family's)."""
    info = export_info(model)
    if info:
        return info["task"]
    if spec.get("kind") != "torchvision":
        return None
    import torchvision

    from .torchvision_builders import find_builder

    family, _ = find_builder(torchvision, spec["arch"])
    return FAMILY_TASKS.get(family)
