"""Synthetic detection data: solid-coloured squares, circles and triangles on photos and on noise.

    /usr/bin/python3 examples/shapes-detector/data.py --out /tmp/shapes --count 8 --seed 7
    /usr/bin/python3 examples/shapes-detector/data.py --out /tmp/lone --count 20 --seed 7 --lone

Each image is 256x256 RGB, uint8. It holds 0 to 6 shapes (``--lone``: exactly one, on a photo), each
a single colour of any hue, 20 to 120 px across, squares and triangles at any rotation. A shape may
run off the image border (at least 40% of it stays inside) and may partly cover an earlier one (each
shape keeps at least 60% of its area visible). Its box is the shape's own bounding box clipped to the
image, in pixel coordinates (x1, y1, x2, y2 with 0..256; pixel i covers [i, i + 1)). Labels index
LABELS: 0 square, 1 circle, 2 triangle, the order of config.yml's ``labels``.

Backgrounds: random square crops (from a quarter of the photo's short side up to all of it, maybe
mirrored; in the train split also colour-jittered: channels swapped, greyscale photos tinted,
contrast and brightness changed) of photographs that ship inside scikit-image, read from
the installed package (nothing is downloaded); or noise: white, coloured Gaussian, or smooth
low-frequency blobs. The ``train`` split uses TRAIN_PHOTOS; the ``eval`` split uses EVAL_PHOTOS, which
training never sees.

Determinism: image ``i`` of seed ``s`` depends only on (s, i, split, lone), through numpy's
``default_rng([s, i, ...])``, so any one image can be regenerated without the ones before it.

As a script it writes PNGs plus ``labels.jsonl`` (a JSON object per image: file name, boxes, labels,
label names) to ``--out``.
"""

import argparse
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image
from skimage import data as skdata

SIZE = 256
LABELS = ("square", "circle", "triangle")
SIDE_RANGE = (20.0, 120.0)  # side of a square/triangle, diameter of a circle, in pixels
MAX_SHAPES = 6
MIN_INSIDE = 0.4  # fraction of a shape's area that must fall inside the image
MIN_VISIBLE = 0.6  # fraction of an earlier shape's area a later one may not cover
SUPERSAMPLE = 3  # coverage is measured on a 3x3 sub-pixel grid: anti-aliased edges

# Colour and greyscale photographs shipped with scikit-image 0.19 (no download needed). astronaut,
# coffee and rocket are held out: only evaluation uses them, so its photo backgrounds are unseen.
TRAIN_PHOTOS = (
    "chelsea", "motorcycle", "immunohistochemistry", "retina", "hubble_deep_field", "colorwheel",
    "camera", "coins", "brick", "grass", "gravel", "moon", "page", "text", "clock",
)
EVAL_PHOTOS = ("astronaut", "coffee", "rocket")


@lru_cache(maxsize=None)
def load_photo(name: str) -> Image.Image:
    """A scikit-image sample as an RGB PIL image (cached: crops are resized from it directly)."""
    img = skdata.stereo_motorcycle()[0] if name == "motorcycle" else getattr(skdata, name)()
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return Image.fromarray(np.ascontiguousarray(img[..., :3]))


def photo_background(rng: np.random.Generator, photos: Tuple[str, ...], jitter: bool) -> np.ndarray:
    img = load_photo(photos[int(rng.integers(len(photos)))])
    w, h = img.size
    side = int(rng.uniform(0.25, 1.0) * min(h, w))
    top, left = int(rng.integers(h - side + 1)), int(rng.integers(w - side + 1))
    crop = img.resize((SIZE, SIZE), Image.BILINEAR, box=(left, top, left + side, top + side))
    out = np.asarray(crop, dtype=np.float32) / 255
    if rng.random() < 0.5:
        out = out[:, ::-1]
    if not jitter:
        return np.ascontiguousarray(out)
    # Colour jitter (training only), so that a few photos stand for many: swap channels (a red scene
    # turns blue), tint greyscale ones, and change contrast and brightness.
    if np.allclose(out[..., 0], out[..., 1]):
        if rng.random() < 0.5:
            out = out * rng.uniform(0.5, 1.0, size=3).astype(np.float32)
    elif rng.random() < 0.5:
        out = out[..., rng.permutation(3)]
    contrast, brightness = rng.uniform(0.6, 1.2), rng.uniform(-0.15, 0.15)
    out = (out - 0.5) * contrast + 0.5 + brightness
    return np.ascontiguousarray(np.clip(out, 0, 1), dtype=np.float32)


def noise_background(rng: np.random.Generator) -> np.ndarray:
    kind = int(rng.integers(3))
    if kind == 0:  # white noise, full range or around a colour
        lo = rng.uniform(0, 0.6, size=3)
        hi = lo + rng.uniform(0.1, 1.0 - lo)
        return rng.uniform(lo, hi, size=(SIZE, SIZE, 3)).astype(np.float32)
    if kind == 1:  # Gaussian noise around a random colour
        mean = rng.uniform(0, 1, size=3)
        noise = rng.standard_normal((SIZE, SIZE, 3), dtype=np.float32) * rng.uniform(0.03, 0.3)
        return np.clip(mean + noise, 0, 1).astype(np.float32)
    # Smooth blobs: a coarse random grid upsampled, plus a little fine noise.
    cells = int(rng.integers(2, 33))
    coarse = (rng.uniform(0, 1, (cells, cells, 3)) * 255).astype(np.uint8)
    smooth = np.asarray(Image.fromarray(coarse).resize((SIZE, SIZE), Image.BICUBIC), dtype=np.float32) / 255
    noise = rng.standard_normal(smooth.shape, dtype=np.float32) * rng.uniform(0, 0.08)
    return np.clip(smooth + noise, 0, 1).astype(np.float32)


def random_colour(rng: np.random.Generator) -> np.ndarray:
    """Any hue; mostly saturated, sometimes grey, black or white."""
    h = rng.uniform(0, 1)
    s = rng.uniform(0, 0.2) if rng.random() < 0.1 else rng.uniform(0.25, 1)
    v = rng.uniform(0.15, 1)
    i, f = int(h * 6) % 6, h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    rgb = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]
    return np.array(rgb, dtype=np.float32)


def shape_vertices(kind: int, cx: float, cy: float, side: float, angle: float,
                   rng: np.random.Generator) -> Optional[np.ndarray]:
    """Polygon vertices [n, 2] (x, y) for a square or triangle; None for a circle."""
    if kind == 1:
        return None
    if kind == 0:
        r = side / math.sqrt(2)  # centre to corner
        angles = angle + np.pi / 4 + np.arange(4) * np.pi / 2
    else:
        r = side / math.sqrt(3)  # equilateral: centroid to vertex
        angles = angle + np.arange(3) * 2 * np.pi / 3
        # Not only equilateral ones: each vertex moves by up to 10% of the side.
        r = r + rng.uniform(-0.1, 0.1, size=3) * side
    return np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], axis=1)


def coverage(kind: int, cx: float, cy: float, side: float, verts: Optional[np.ndarray],
             box: np.ndarray) -> Tuple[np.ndarray, Tuple[int, int, int, int]]:
    """Fraction of each pixel inside the shape, over the shape's box clipped to the image."""
    x0, y0 = max(0, int(math.floor(box[0]))), max(0, int(math.floor(box[1])))
    x1, y1 = min(SIZE, int(math.ceil(box[2]))), min(SIZE, int(math.ceil(box[3])))
    ss = SUPERSAMPLE
    xs = (np.arange(x0 * ss, x1 * ss, dtype=np.float32) + 0.5) / ss
    ys = (np.arange(y0 * ss, y1 * ss, dtype=np.float32) + 0.5) / ss
    gx, gy = np.meshgrid(xs, ys)
    if verts is None:
        inside = (gx - cx) ** 2 + (gy - cy) ** 2 <= (side / 2) ** 2
    else:
        # Convex polygon with counter-clockwise vertices (in y-down coordinates the cross products
        # of a polygon built with increasing angles are all positive inside).
        inside = np.ones(gx.shape, dtype=bool)
        for a, b in zip(verts, np.roll(verts, -1, axis=0)):
            inside &= (b[0] - a[0]) * (gy - a[1]) - (b[1] - a[1]) * (gx - a[0]) >= 0
    cov = inside.reshape(y1 - y0, ss, x1 - x0, ss).mean(axis=(1, 3))
    return cov.astype(np.float32), (x0, y0, x1, y1)


def shape_area(kind: int, side: float, verts: Optional[np.ndarray]) -> float:
    if verts is None:
        return math.pi * (side / 2) ** 2
    x, y = verts[:, 0], verts[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def make_image(seed: int, index: int, split: str = "train", lone: bool = False
               ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Image ``index`` of ``seed``: (uint8 [256, 256, 3], boxes float32 [n, 4], labels int64 [n])."""
    if split not in ("train", "eval"):
        raise ValueError(f"split must be 'train' or 'eval', got {split!r}")
    rng = np.random.default_rng([seed, index, 0 if split == "train" else 1, int(lone)])
    photos = TRAIN_PHOTOS if split == "train" else EVAL_PHOTOS
    img = photo_background(rng, photos, split == "train") if lone or rng.random() < 0.6 else noise_background(rng)
    if lone:
        wanted = 1
    else:
        # A quarter of the images hold a single shape, the rest 0..MAX_SHAPES (mostly several).
        wanted = 1 if rng.random() < 0.25 else int(rng.integers(0, MAX_SHAPES + 1))
    owner = np.full((SIZE, SIZE), -1, dtype=np.int32)  # which shape each pixel shows (coverage > 0.5)
    areas: List[float] = []
    boxes: List[np.ndarray] = []
    labels: List[int] = []
    for _attempt in range(wanted * 20):
        if len(labels) == wanted:
            break
        kind = int(rng.integers(3))
        side = float(math.exp(rng.uniform(math.log(SIDE_RANGE[0]), math.log(SIDE_RANGE[1]))))
        # The centre may sit a little outside the image: shapes are cut by the border.
        margin = 0.0 if lone else side * 0.35
        cx, cy = rng.uniform(-margin, SIZE + margin, size=2)
        angle = rng.uniform(0, 2 * np.pi)
        verts = shape_vertices(kind, cx, cy, side, angle, rng)
        if verts is None:
            full = np.array([cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2])
        else:
            full = np.concatenate([verts.min(axis=0), verts.max(axis=0)])
        box = np.clip(full, 0, SIZE)
        if box[2] - box[0] < 4 or box[3] - box[1] < 4:
            continue
        cov, (x0, y0, x1, y1) = coverage(kind, cx, cy, side, verts, full)
        area = shape_area(kind, side, verts)
        if cov.sum() < (1.0 if lone else MIN_INSIDE) * area * 0.98:
            continue  # too much of it outside (a lone shape lies wholly inside)
        mine = cov > 0.5
        covered = owner[y0:y1, x0:x1][mine]
        if any((covered == j).sum() > (1 - MIN_VISIBLE) * areas[j] for j in np.unique(covered) if j >= 0):
            continue  # it would hide too much of an earlier shape
        patch = img[y0:y1, x0:x1]
        colour = random_colour(rng)
        under = patch[mine].mean(axis=0) if mine.any() else colour + 1
        for _ in range(10):  # keep some contrast with what lies underneath
            if np.abs(under - colour).max() >= 0.2:
                break
            colour = random_colour(rng)
        img[y0:y1, x0:x1] = patch * (1 - cov[..., None]) + colour * cov[..., None]
        owner[y0:y1, x0:x1][mine] = len(labels)
        areas.append(area)
        boxes.append(box.astype(np.float32))
        labels.append(kind)
    if rng.random() < 0.3:  # sensor-like noise over everything
        img = img + rng.standard_normal(img.shape, dtype=np.float32) * rng.uniform(0.005, 0.04)
    pixels = np.round(np.clip(img, 0, 1) * 255).astype(np.uint8)
    return (pixels, np.array(boxes, dtype=np.float32).reshape(-1, 4), np.array(labels, dtype=np.int64))


def write_set(out: Path, count: int, seed: int, split: str, lone: bool) -> List[Dict[str, object]]:
    out.mkdir(parents=True, exist_ok=True)
    rows: List[Dict[str, object]] = []
    for i in range(count):
        pixels, boxes, labels = make_image(seed, i, split, lone)
        name = f"{'lone' if lone else 'shapes'}-{seed}-{i:04d}.png"
        Image.fromarray(pixels).save(out / name)
        rows.append({
            "file": name,
            "boxes": [[round(float(v), 3) for v in b] for b in boxes],
            "labels": labels.tolist(),
            "names": [LABELS[k] for k in labels],
        })
    # JSON Lines, one image per line: short enough to read, and diffs stay per image.
    (out / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Write synthetic shape-detection images and their boxes.")
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs and labels.jsonl")
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", choices=("train", "eval"), default="eval",
                        help="eval (default) uses photos training never sees")
    parser.add_argument("--lone", action="store_true", help="exactly one shape per image, on a photo")
    args = parser.parse_args()
    rows = write_set(args.out, args.count, args.seed, args.split, args.lone)
    print(f"wrote {len(rows)} images and labels.jsonl to {args.out}")


if __name__ == "__main__":
    main()
