"""Calibration and evaluation images for bench/quantize-bench.mjs, from scikit-image's bundled photos.

    /usr/bin/python3 bench/quantize_make_images.py /tmp/oxv-quantize-bench/images

Writes, from the public-domain/CC0 sample photographs that ship with scikit-image (see its data/README):
  classify/calib/   16 RGB crops (224x224) for calibrating the classifiers
  classify/eval/     8 other crops for measuring their accuracy
  denoise/calib/    16 noisy 256x256 crops (train.py's noise: sigma 25/255, clipped, 8-bit) from photos
                    the UNet example holds out of nothing: astronaut and coffee, its test photos, are
                    excluded here so calibration never sees the evaluation images.
Seeded, so reruns write identical files.
"""

import sys
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

# The photographs bundled in the package itself (others would need a download, which is not allowed here).
PHOTOS = ["chelsea", "rocket", "hubble_deep_field", "immunohistochemistry", "coffee", "astronaut", "camera",
          "moon", "brick", "grass", "gravel", "colorwheel", "horse", "clock", "coins", "page", "text", "logo"]
HELD_OUT = {"astronaut", "coffee"}  # the UNet example's test photos


def rgb(name):
    img = getattr(data, name)()
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return np.ascontiguousarray(img[..., :3]).astype(np.uint8)


def crops(img, size, count, rng):
    h, w = img.shape[:2]
    if h < size or w < size:
        img = np.array(Image.fromarray(img).resize((max(w, size), max(h, size))))
        h, w = img.shape[:2]
    for _ in range(count):
        y, x = rng.integers(0, h - size + 1), rng.integers(0, w - size + 1)
        yield img[y:y + size, x:x + size]


def main(out: Path):
    rng = np.random.default_rng(0)
    for sub in ["classify/calib", "classify/eval", "denoise/calib"]:
        (out / sub).mkdir(parents=True, exist_ok=True)
    n_cal = n_eval = n_den = 0
    for name in PHOTOS:
        try:
            img = rgb(name)
        except Exception as error:  # a photo this scikit-image version does not bundle
            print(f"skipping {name}: {error}")
            continue
        for crop in crops(img, 224, 2, rng):
            if n_cal < 16 and (n_cal <= n_eval * 2 or n_eval >= 8):
                Image.fromarray(crop).save(out / f"classify/calib/{name}-{n_cal}.png"); n_cal += 1
            elif n_eval < 8:
                Image.fromarray(crop).save(out / f"classify/eval/{name}-{n_eval}.png"); n_eval += 1
        if name in HELD_OUT:
            continue
        for crop in crops(img, 256, 2, rng):
            if n_den >= 16:
                break
            noisy = np.clip(crop / 255 + rng.normal(0, 25 / 255, crop.shape), 0, 1)
            Image.fromarray(np.round(noisy * 255).astype(np.uint8)).save(out / f"denoise/calib/{name}-{n_den}.png"); n_den += 1
    print(f"{n_cal} classify/calib, {n_eval} classify/eval, {n_den} denoise/calib images in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
