"""A small anchor-free detector (CenterNet-style) for squares, circles and triangles.

Backbone: five stride-2 stages of 3x3 conv -> BatchNorm -> ReLU (widths w/2, w, 2w, 3w, 4w for
``width`` w), the deepest at stride 32 so that its receptive field spans the largest shapes (120 px).
Neck: a top-down path (nearest x2 upsampling plus 1x1 lateral convs, as in an FPN) back to stride 4.
Head: one shared 3x3 conv, then a 1x1 conv to 3 + 2 + 2 maps at stride 4:

* a heatmap per class, whose peaks are object centres (CenterNet's "objects as points");
* the box width and height, as log pixels;
* the sub-pixel offset of the centre inside its stride-4 cell.

``forward()`` decodes those maps inside the graph, so the exported ONNX file outputs detections
directly (the OxidizedVision detection contract): sigmoid, a 3x3 max-pool that keeps only local peaks
(CenterNet's replacement for NMS), then the top ``max_detections`` peaks over all classes. It returns
``{"boxes": [K, 4] (x1, y1, x2, y2 in input pixels), "scores": [K], "labels": [K] int64}``, K fixed;
low-score rows are padding that the runner's score threshold drops. ``raw()`` returns the undecoded
maps for training, ``decode()`` decodes a batch of them.

Input: float32 [1, 3, H, W], RGB in [0, 1] (pixel / 255), H and W multiples of 32; trained at 256.
"""

from typing import Dict, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDE = 4
MAX_LOG_SIZE = 6.0  # exp(6) = 403 px: caps the size map so an odd input cannot overflow exp()


def conv_bn_relu(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class ShapesDetector(nn.Module):
    """CenterNet-style detector.

    Args:
        num_classes: heatmap channels (3: square, circle, triangle).
        width: base channel width w (stages w/2, w, 2w, 3w, 4w; neck and head w).
        max_detections: K, the fixed number of rows forward() returns.
    """

    def __init__(self, num_classes: int = 3, width: int = 32, max_detections: int = 50):
        super().__init__()
        self.num_classes = num_classes
        self.max_detections = max_detections
        w = width
        chans = [w // 2, w, 2 * w, 3 * w, 4 * w]
        self.stem = conv_bn_relu(3, chans[0], stride=2)  # stride 2
        self.stage2 = nn.Sequential(conv_bn_relu(chans[0], chans[1], 2), conv_bn_relu(chans[1], chans[1]))
        self.stage3 = nn.Sequential(conv_bn_relu(chans[1], chans[2], 2), conv_bn_relu(chans[2], chans[2]))
        self.stage4 = nn.Sequential(conv_bn_relu(chans[2], chans[3], 2), conv_bn_relu(chans[3], chans[3]))
        self.stage5 = nn.Sequential(conv_bn_relu(chans[3], chans[4], 2), conv_bn_relu(chans[4], chans[4]))
        # Top-down neck: 1x1 laterals to width w, then a 3x3 conv after each merge.
        self.lateral = nn.ModuleList([nn.Conv2d(c, w, 1) for c in chans[1:]])  # strides 4, 8, 16, 32
        self.smooth = nn.ModuleList([conv_bn_relu(w, w) for _ in range(3)])  # after merging at 16, 8, 4
        self.head = conv_bn_relu(w, w)
        self.out = nn.Conv2d(w, num_classes + 4, 1)
        # CenterNet's prior: heatmaps start at sigmoid(-2.19) = 0.1, so the focal loss of the
        # (overwhelmingly) negative pixels does not swamp the first steps.
        nn.init.constant_(self.out.bias[:num_classes], -2.19)
        nn.init.constant_(self.out.bias[num_classes : num_classes + 2], 3.5)  # exp(3.5) = 33 px
        nn.init.constant_(self.out.bias[num_classes + 2 :], 0.5)

    def raw(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(heatmap logits [B, C, H/4, W/4], log box size [B, 2, ...], centre offset [B, 2, ...])."""
        c2 = self.stage2(self.stem(x))
        c3 = self.stage3(c2)
        c4 = self.stage4(c3)
        c5 = self.stage5(c4)
        p = self.lateral[3](c5)
        for lateral, smooth, c in zip(self.lateral[2::-1], self.smooth, (c4, c3, c2)):
            p = smooth(F.interpolate(p, scale_factor=2.0, mode="nearest") + lateral(c))
        y = self.out(self.head(p))
        n = self.num_classes
        return y[:, :n], y[:, n : n + 2], y[:, n + 2 :]

    def decode(self, heat_logits: torch.Tensor, log_size: torch.Tensor, offset: torch.Tensor,
               image_size: Tuple[int, int]) -> Dict[str, torch.Tensor]:
        """Top-K local peaks of a batch: boxes [B, K, 4], scores [B, K], labels [B, K] int64."""
        b, c, h, w = heat_logits.shape
        heat = torch.sigmoid(heat_logits)
        # A pixel is a detection only where it is the maximum of its 3x3 neighbourhood.
        peaks = heat * (F.max_pool2d(heat, 3, stride=1, padding=1) == heat).to(heat.dtype)
        k = min(self.max_detections, c * h * w)
        scores, index = peaks.reshape(b, c * h * w).topk(k, dim=1)
        labels = torch.div(index, h * w, rounding_mode="floor")
        pixel = index - labels * (h * w)
        ys = torch.div(pixel, w, rounding_mode="floor")
        xs = pixel - ys * w
        size = torch.exp(log_size.clamp(max=MAX_LOG_SIZE)).reshape(b, 2, h * w)
        off = offset.reshape(b, 2, h * w)
        bw, bh = size[:, 0].gather(1, pixel), size[:, 1].gather(1, pixel)
        cx = (xs.to(heat.dtype) + off[:, 0].gather(1, pixel)) * STRIDE
        cy = (ys.to(heat.dtype) + off[:, 1].gather(1, pixel)) * STRIDE
        img_h, img_w = image_size
        boxes = torch.stack([
            (cx - bw / 2).clamp(0, img_w), (cy - bh / 2).clamp(0, img_h),
            (cx + bw / 2).clamp(0, img_w), (cy + bh / 2).clamp(0, img_h),
        ], dim=2)
        return {"boxes": boxes, "scores": scores, "labels": labels}

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Detections of a single image (batch 1, as the detection contract has it)."""
        if x.shape[0] != 1:
            raise ValueError(f"forward() takes one image ([1, 3, H, W]), got batch {x.shape[0]}; use raw() + decode()")
        out = self.decode(*self.raw(x), image_size=(x.shape[2], x.shape[3]))
        return {name: t[0] for name, t in out.items()}


if __name__ == "__main__":
    # Quick shape/size check: /usr/bin/python3 examples/shapes-detector/model.py
    net = ShapesDetector().eval()
    with torch.no_grad():
        out = net(torch.rand(1, 3, 256, 256))
    print({k: (tuple(v.shape), str(v.dtype)) for k, v in out.items()},
          f"parameters {sum(p.numel() for p in net.parameters()):,}")
