"""Write the demo/test images in samples/ from scikit-image's bundled photographs.

    /usr/bin/python3 examples/unet-denoiser/make_samples.py

Both source photographs are held out from training (see train.py), so a demo on these samples shows
the model on images it has never seen. The noise recipe is train.py's: Gaussian noise on [0, 1],
clipped, then rounded to 8 bits, because that is exactly what a noisy PNG fed through the config's
preprocessing (scale 1/255) looks like to the model. Seeds are fixed, so reruns write identical files.
"""

import argparse
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

HERE = Path(__file__).resolve().parent
SIGMA = 25 / 255


def add_noise(clean_u8: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = clean_u8.astype(np.float64) / 255 + rng.normal(0.0, sigma, clean_u8.shape)
    return np.round(np.clip(x, 0.0, 1.0) * 255).astype(np.uint8)


def save_png(path: Path, pixels: np.ndarray) -> None:
    # optimize=True only changes the compression effort; the decoded pixels are the same.
    Image.fromarray(pixels).save(path, optimize=True)
    print(f"{path.name}: {pixels.shape[1]}x{pixels.shape[0]}, {path.stat().st_size:,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "samples", help="output folder")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    # 256x256 around the face: skin, hair and the suit collar give smooth and textured regions.
    astronaut = data.astronaut()[0:256, 128:384]
    save_png(args.out / "astronaut-256.png", astronaut)
    save_png(args.out / "astronaut-256-noisy.png", add_noise(astronaut, SIGMA, seed=2501))

    # 400 wide x 300 high: neither side a multiple of 16 or of a typical tile size, on purpose, so
    # tiling and padding code gets exercised.
    coffee = data.coffee()[40:340, 100:500]
    save_png(args.out / "coffee.png", coffee)
    save_png(args.out / "coffee-noisy.png", add_noise(coffee, SIGMA, seed=2502))


if __name__ == "__main__":
    main()
