"""UNet for image-to-image tasks, used here as a small RGB denoiser.

The architecture follows the UNet example of the original OxidizedVision project
(OnePunchMonk/Oxidized-Vision, examples/example_unet/model.py):

* encoder: a double 3x3 conv block (conv without bias -> BatchNorm -> ReLU, twice), then four
  levels of MaxPool2d(2) + double conv; widths f, 2f, 4f, 8f and 16f (8f with bilinear upsampling);
* decoder: four levels of "upsample x2, concatenate the encoder skip, double conv"; with bilinear
  upsampling the first conv of each block narrows to half its input width, as in the original;
* head: a 1x1 conv to ``out_channels``.

Constructor arguments and defaults are the original ones (``in_channels=3, out_channels=1,
base_features=64, bilinear=True``), and so are the parameter names, so a state_dict trained with the
original model.py loads here unchanged. Deliberate differences:

* Bilinear upsampling resizes straight to the skip tensor's size instead of doubling and then
  zero-padding. For inputs whose sides are divisible by 16 the result is bit-for-bit the same
  (with ``align_corners=True`` the sampling grid depends only on the input and output sizes); for
  other sizes it avoids the zero border, and in ONNX it exports as one Resize whose target size
  comes from the skip tensor rather than a chain of Shape/Sub/Div/Pad nodes.
* ``residual=True`` (default False, the original behaviour) makes the network predict the noise
  and return ``x - noise``. Residual learning is what lets a 1M-parameter denoiser train in a few
  CPU minutes: at initialisation the model is already close to the identity.
* ``align_corners`` (default True, the original's and the setting checkpoint.pt was trained with)
  is passed to the bilinear upsampling. With True the sampling grid stretches with the tensor's
  size, so a feature's output depends on where it sits in the image: the network is not
  translation-equivariant, and running an image in overlapping tiles can never reproduce the
  whole-image result exactly. With False (half-pixel sampling) shifting the input by a multiple of
  16 pixels shifts the output by the same amount, a truly fully convolutional network that tiles
  well. It adds no parameters, so the same state_dict loads either way, but a checkpoint trained
  with True gives slightly different outputs with False (checkpoint.pt: up to 0.05 on the [0, 1]
  scale; bench/tiling-unet-half-pixel.yml exports it so, to measure tiling).
"""

from typing import List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


def _conv_bn_relu(in_channels: int, out_channels: int) -> List[nn.Module]:
    # No conv bias: the BatchNorm right after it has its own shift, a bias would be redundant.
    return [
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    ]


class DoubleConv(nn.Module):
    """(3x3 conv -> BatchNorm -> ReLU) x 2; the middle width defaults to ``out_channels``."""

    def __init__(self, in_channels: int, out_channels: int, mid_channels: Optional[int] = None):
        super().__init__()
        mid = out_channels if mid_channels is None else mid_channels
        # Attribute name kept from the original so state_dict keys match ("double_conv.0.weight", ...).
        self.double_conv = nn.Sequential(
            *_conv_bn_relu(in_channels, mid), *_conv_bn_relu(mid, out_channels)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.double_conv(x)


class Down(nn.Module):
    """Halve the resolution (2x2 max pool, floor for odd sizes), then a double conv."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.maxpool_conv(x)


class Up(nn.Module):
    """Upsample ``x`` to the skip's resolution, concatenate ``[skip, x]``, then a double conv.

    ``in_channels`` is the width after concatenation.
    """

    def __init__(
        self, in_channels: int, out_channels: int, bilinear: bool = True, align_corners: bool = True
    ):
        super().__init__()
        self.bilinear = bilinear
        # A plain attribute, not a buffer: state_dict keys stay the original's.
        self.align_corners = align_corners
        if bilinear:
            # Parameter-free upsampling keeps the channel count, so the caller halves the width of
            # the level below; the first conv narrows to in/2 to keep the block cheap.
            self.conv = DoubleConv(in_channels, out_channels, in_channels // 2)
        else:
            self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
            self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        if self.bilinear:
            # Under tracing the size stays symbolic, so the ONNX Resize follows the skip's runtime
            # shape (dynamic height/width work). torch 1.13's exporter prints a harmless "shape
            # inference of prim::Constant type is missing" warning for any bilinear interpolate.
            size = (skip.shape[2], skip.shape[3])
            x = F.interpolate(x, size=size, mode="bilinear", align_corners=self.align_corners)
        else:
            x = self.up(x)
            # A transposed conv gives 2*floor(n/2), one short of an odd skip size: pad to match.
            dh = skip.shape[-2] - x.shape[-2]
            dw = skip.shape[-1] - x.shape[-1]
            x = F.pad(x, [dw // 2, dw - dw // 2, dh // 2, dh - dh // 2])
        return self.conv(torch.cat([skip, x], dim=1))


class UNet(nn.Module):
    """Four-level UNet.

    Args:
        in_channels: channels of the input image (3 for RGB).
        out_channels: channels of the output (1 for a segmentation mask, 3 for an RGB image).
        base_features: width of the first level; it doubles at each of the four levels down.
        bilinear: bilinear upsampling (True) or 2x2 transposed convolutions (False).
        residual: return ``x - f(x)`` instead of ``f(x)`` (needs in_channels == out_channels).
        align_corners: ``align_corners`` of the bilinear upsampling. True (default) is the
            original's and the example checkpoint's training setting; False (half-pixel sampling)
            makes the network translation-equivariant for shifts by multiples of 16, which tiled
            inference benefits from. Ignored with ``bilinear=False``.

    Fully convolutional: any H, W works in PyTorch; sides divisible by 16 avoid uneven pooling.
    """

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 1,
        base_features: int = 64,
        bilinear: bool = True,
        residual: bool = False,
        align_corners: bool = True,
    ):
        super().__init__()
        if residual and in_channels != out_channels:
            raise ValueError(
                f"residual=True needs in_channels == out_channels, got {in_channels} and {out_channels}"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.residual = residual

        f = base_features
        # With bilinear upsampling the deepest level is half as wide, so that after concatenation
        # each decoder block sees exactly 2x the width of its skip.
        shrink = 2 if bilinear else 1
        self.inc = DoubleConv(in_channels, f)
        self.down1 = Down(f, 2 * f)
        self.down2 = Down(2 * f, 4 * f)
        self.down3 = Down(4 * f, 8 * f)
        self.down4 = Down(8 * f, 16 * f // shrink)
        self.up1 = Up(16 * f, 8 * f // shrink, bilinear, align_corners)
        self.up2 = Up(8 * f, 4 * f // shrink, bilinear, align_corners)
        self.up3 = Up(4 * f, 2 * f // shrink, bilinear, align_corners)
        self.up4 = Up(2 * f, f, bilinear, align_corners)
        self.outc = nn.Conv2d(f, out_channels, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = [self.inc(x)]
        for down in (self.down1, self.down2, self.down3):
            skips.append(down(skips[-1]))
        y = self.down4(skips[-1])
        for up, skip in zip((self.up1, self.up2, self.up3, self.up4), reversed(skips)):
            y = up(y, skip)
        y = self.outc(y)
        return x - y if self.residual else y


if __name__ == "__main__":
    # Quick shape/size check: /usr/bin/python3 examples/unet-denoiser/model.py
    net = UNet(in_channels=3, out_channels=3, base_features=16, residual=True).eval()
    with torch.no_grad():
        out = net(torch.rand(1, 3, 256, 256))
    print(f"output {tuple(out.shape)}, parameters {sum(p.numel() for p in net.parameters()):,}")
