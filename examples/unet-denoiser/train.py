"""Train the example UNet as an RGB Gaussian denoiser on CPU, in a few minutes, with no downloads.

    /usr/bin/python3 examples/unet-denoiser/train.py --minutes 5

Data: photographs that ship inside scikit-image (skimage.data reads them from the installed
package). astronaut and coffee are held out: the final evaluation and samples/ use them only.

Task: inputs are clean images in [0, 1] (the config's preprocessing: pixel / 255, mean 0, std 1)
plus Gaussian noise with a sigma drawn per crop from [0, 50] / 255 (a fifth of the crops are left
clean), clipped to [0, 1] and rounded to 8 bits, which is exactly what a noisy PNG looks like after
that preprocessing. The UNet is residual (it predicts the noise and returns input - noise) and is
trained with MSE on random 64x64 crops under the 8 flips/rotations.

Reproducibility: all randomness comes from --seed. Without --steps, the number of steps is planned
from the speed of the first 30 steps so that training takes about --minutes, and then always runs
to the end of its learning-rate schedule (on a shared machine that slows down later it overruns
rather than stopping half-annealed). The report (TRAINING.md) records the step count; passing it
back with --steps replays the same run bit for bit (same seed, same thread count, same torch).

Writes a bare state_dict (--out, default checkpoint.pt next to this file) and TRAINING.md next to it.
"""

import argparse
import hashlib
import math
import os
import platform
import shlex
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

# Let idle OpenMP threads sleep instead of spin. On a shared 2-core machine a spinning thread whose
# partner is descheduled stalls every parallel region: measured here under load, 2 threads took
# 610-1266 ms per training step with the default policy and 104-242 ms with PASSIVE. It must be set
# before torch (and numpy's BLAS) load their OpenMP runtime, hence before the imports below.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from skimage import __version__ as skimage_version  # noqa: E402
from skimage import data  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from model import UNet  # noqa: E402  (model.py sits next to this script)

# Must stay in step with config.yml's model.init_args, or the checkpoint will not load there.
MODEL_ARGS = dict(in_channels=3, out_channels=3, base_features=16, residual=True)

# Colour photographs, plus greyscale ones (replicated to RGB) for more texture variety:
# brick/grass/gravel are fine textures, coins and camera have hard edges.
TRAIN_IMAGES = (
    "chelsea", "rocket", "motorcycle", "immunohistochemistry", "retina",
    "camera", "coins", "brick", "grass", "gravel",
)
HELD_OUT = ("astronaut", "coffee")

# In 8-bit units. A blind denoiser must also leave a clean or lightly noisy photo alone. Trained on
# sigma in [15, 35] only, this net put a green cast (+0.05 mean error) on clean inputs; on [0, 50] it
# still brightened flat clean areas by about 12 levels, because crops with almost no noise were
# rare. CLEAN_FRACTION of the crops therefore get no noise at all (target = input).
SIGMA_RANGE = (0, 50)
CLEAN_FRACTION = 0.2
EVAL_SIGMAS = (0, 5, 15, 25, 35, 50)
EVAL_SEED = 2024  # fixed apart from --seed, so runs with different seeds are scored on the same noise
WARMUP_STEPS = 30  # linear LR warm-up; steps 10..30 also time the machine to plan the run
BASE_LR = 1e-3
FINAL_LR_FRACTION = 0.02


def load_rgb(name: str) -> torch.Tensor:
    """A scikit-image sample as float32 [3, H, W] in [0, 1]."""
    img = data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(data, name)()
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return torch.from_numpy(np.ascontiguousarray(img[..., :3])).permute(2, 0, 1).float() / 255


def add_noise(clean: torch.Tensor, sigma: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Gaussian noise, then clip and 8-bit rounding: what a saved noisy PNG decodes to."""
    noisy = clean + sigma * torch.randn(clean.shape, generator=gen)
    return torch.round(noisy.clamp(0, 1) * 255) / 255


def sample_batch(
    images: Sequence[torch.Tensor], batch: int, crop: int, gen: torch.Generator
) -> Tuple[torch.Tensor, torch.Tensor]:
    clean = torch.empty(batch, 3, crop, crop)
    for b, i in enumerate(torch.randint(len(images), (batch,), generator=gen).tolist()):
        img = images[i]
        top = int(torch.randint(img.shape[1] - crop + 1, (1,), generator=gen))
        left = int(torch.randint(img.shape[2] - crop + 1, (1,), generator=gen))
        patch = img[:, top : top + crop, left : left + crop]
        patch = torch.rot90(patch, int(torch.randint(4, (1,), generator=gen)), dims=(1, 2))
        if bool(torch.rand(1, generator=gen) < 0.5):
            patch = patch.flip(2)
        clean[b] = patch
    sigma = torch.empty(batch, 1, 1, 1).uniform_(SIGMA_RANGE[0] / 255, SIGMA_RANGE[1] / 255, generator=gen)
    sigma[torch.rand(batch, generator=gen) < CLEAN_FRACTION] = 0.0
    return add_noise(clean, sigma, gen), clean


def lr_at(step: int, total: int) -> float:
    if step < WARMUP_STEPS:
        return BASE_LR * (step + 1) / WARMUP_STEPS
    progress = min(1.0, (step - WARMUP_STEPS) / max(1, total - WARMUP_STEPS))
    cosine = 0.5 * (1 + math.cos(math.pi * progress))
    return BASE_LR * (FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) * cosine)


def gain(before: float, after: float) -> str:
    return "n/a" if math.isinf(before) else f"{after - before:+.2f} dB"


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    mse = F.mse_loss(a.double(), b.double()).item()
    return math.inf if mse == 0 else 10 * math.log10(1.0 / mse)


@torch.no_grad()
def denoise(net: UNet, noisy: torch.Tensor) -> torch.Tensor:
    # Clamp as an image post-processor would; the raw network output can overshoot [0, 1] slightly.
    return net(noisy.unsqueeze(0)).squeeze(0).clamp(0, 1)


def train(args: argparse.Namespace, images: List[torch.Tensor], net: UNet) -> Dict[str, float]:
    gen = torch.Generator().manual_seed(args.seed)
    opt = torch.optim.Adam(net.parameters(), lr=BASE_LR)
    budget = args.minutes * 60
    # Without --steps the total is planned after warm-up; the LR during warm-up does not depend on it,
    # which is what makes "--steps <recorded total>" an exact replay.
    total = args.steps if args.steps else 10**9
    planned_from_timing = args.steps is None
    running, t0, t_calib = None, time.perf_counter(), 0.0
    load_start = os.getloadavg()[0]
    net.train()
    step = 0
    while step < total:
        for group in opt.param_groups:
            group["lr"] = lr_at(step, total)
        noisy, clean = sample_batch(images, args.batch_size, args.crop, gen)
        loss = F.mse_loss(net(noisy), clean)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        elapsed = time.perf_counter() - t0
        if step == 10:
            t_calib = elapsed  # the first steps are slower (allocator, oneDNN primitive caches)
        if planned_from_timing and step == WARMUP_STEPS:
            per_step = (elapsed - t_calib) / (WARMUP_STEPS - 10)
            total = WARMUP_STEPS + max(0, int((budget - elapsed) / per_step))
            print(f"{per_step * 1000:.0f} ms/step -> planning {total} steps for {args.minutes:g} min")
        if step % args.log_every == 0 or step == total:
            print(
                f"step {step:5d}/{total if total < 10**9 else '?'}  lr {lr_at(step - 1, total):.2e}  "
                f"loss {running:.2e} (~{10 * math.log10(1 / running):.2f} dB)  {elapsed:6.1f}s",
                flush=True,
            )
    return {"steps": step, "train_seconds": time.perf_counter() - t0,
            "final_loss": running, "load_start": load_start}


def evaluate(net: UNet) -> List[Tuple[str, int, float, float]]:
    net.eval()
    rows = []
    for i, name in enumerate(HELD_OUT):
        clean = load_rgb(name)
        for sigma in EVAL_SIGMAS:
            gen = torch.Generator().manual_seed(EVAL_SEED + 100 * i + sigma)
            noisy = add_noise(clean, torch.tensor(sigma / 255), gen)
            rows.append((name, sigma, psnr(noisy, clean), psnr(denoise(net, noisy), clean)))
    return rows


def evaluate_samples(net: UNet) -> List[Tuple[str, float, float]]:
    """Score the committed sample pairs, i.e. what a user of the exported model will see."""
    from PIL import Image  # only needed here; Pillow comes with scikit-image

    def read(path: Path) -> torch.Tensor:
        return torch.from_numpy(np.array(Image.open(path).convert("RGB"))).permute(2, 0, 1).float() / 255

    rows = []
    for stem in ("astronaut-256", "coffee"):
        clean_path, noisy_path = HERE / "samples" / f"{stem}.png", HERE / "samples" / f"{stem}-noisy.png"
        if clean_path.exists() and noisy_path.exists():
            clean, noisy = read(clean_path), read(noisy_path)
            rows.append((noisy_path.name, psnr(noisy, clean), psnr(denoise(net, noisy), clean)))
    return rows


def write_report(path: Path, args: argparse.Namespace, stats: Dict[str, float], wall: float,
                 n_params: int, ckpt: Path, held_out: List[Tuple[str, int, float, float]],
                 samples: List[Tuple[str, float, float]]) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor() or "unknown")
    command = shlex.join([Path(sys.executable).as_posix(), *sys.argv])
    table = ["image       sigma  noisy PSNR  denoised PSNR  gain"]
    table += [f"{n:<11} {s:>5}  {a:7.2f} dB  {b:10.2f} dB  {gain(a, b)}" for n, s, a, b in held_out]
    sample_table = ["file                     noisy PSNR  denoised PSNR  gain"]
    sample_table += [f"{n:<24} {a:7.2f} dB  {b:10.2f} dB  {gain(a, b)}" for n, a, b in samples]
    sha = hashlib.sha256(ckpt.read_bytes()).hexdigest()
    text = f"""# Training record: unet-denoiser

Written by `train.py` at the end of the run below; every number here was measured by that run.

- Command (from the repository root): `{command}`
- Wall time: {wall:.0f} s in all, of which {stats['train_seconds']:.0f} s training
- Steps: {stats['steps']} of {args.batch_size} crops of {args.crop}x{args.crop};
  replay this run exactly with `--steps {stats['steps']} --seed {args.seed}` and the same thread count
- Machine: {cpu}, {torch.get_num_threads()} torch threads, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')};
  load average {stats['load_start']:.1f} at the start and {os.getloadavg()[0]:.1f} at the end (other work shared the CPUs)
- Versions: Python {platform.python_version()}, torch {torch.__version__}, numpy {np.__version__}, scikit-image {skimage_version}
- Model: `UNet({', '.join(f'{k}={v}' for k, v in MODEL_ARGS.items())})`, {n_params:,} parameters
- Checkpoint: `{ckpt.name}`, bare float32 state_dict, {ckpt.stat().st_size:,} bytes, sha256 `{sha}`
- Data: training crops from {', '.join(TRAIN_IMAGES)} (skimage.data); held out: {', '.join(HELD_OUT)}
- Noise: per-crop sigma uniform in [{SIGMA_RANGE[0]}, {SIGMA_RANGE[1]}]/255 on [0, 1] images ({CLEAN_FRACTION:.0%} of crops left clean), clipped and rounded to 8 bits
- Final training loss (moving average): {stats['final_loss']:.3e} MSE

## Held-out images (full size, eval noise seed {EVAL_SEED})

PSNR against the clean image, on [0, 1] with the output clamped to [0, 1]. Sigma 0 feeds the clean
image itself: its "denoised" PSNR measures how much the model alters a photo that has no noise.

```text
{chr(10).join(table)}
```

## Committed samples (`samples/`)

```text
{chr(10).join(sample_table) if samples else 'samples/ not found when this ran'}
```
"""
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the example UNet denoiser on CPU.")
    parser.add_argument("--minutes", type=float, default=5.0, help="training time budget (default 5)")
    parser.add_argument("--out", type=Path, default=HERE / "checkpoint.pt", help="state_dict path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, help="fixed step count (then --minutes is ignored)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--crop", type=int, default=64, help="crop side; a multiple of 16")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--log-every", type=int, default=250)
    parser.add_argument("--report", type=Path, help="default: TRAINING.md next to --out")
    args = parser.parse_args()
    if args.crop % 16:
        parser.error("--crop must be a multiple of 16 (four 2x poolings)")

    wall0 = time.perf_counter()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # weight initialisation
    net = UNet(**MODEL_ARGS)
    # Zero head: the residual net starts as the identity (output = input), so training begins at
    # the noisy-input PSNR instead of from a random image, which saves a good part of a short run.
    torch.nn.init.zeros_(net.outc.weight)
    torch.nn.init.zeros_(net.outc.bias)
    n_params = sum(p.numel() for p in net.parameters())
    images = [load_rgb(name) for name in TRAIN_IMAGES]
    print(f"UNet {MODEL_ARGS}: {n_params:,} parameters; {len(images)} training images; torch {torch.__version__}")

    stats = train(args, images, net)
    held_out = evaluate(net)
    samples = evaluate_samples(net)
    for name, sigma, before, after in held_out:
        print(f"held-out {name:<10} sigma {sigma:2d}: noisy {before:.2f} dB -> denoised {after:.2f} dB ({gain(before, after)})")
    for name, before, after in samples:
        print(f"sample {name:<24}: noisy {before:.2f} dB -> denoised {after:.2f} dB ({gain(before, after)})")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), args.out)
    wall = time.perf_counter() - wall0
    report = args.report or args.out.parent / "TRAINING.md"
    write_report(report, args, stats, wall, n_params, args.out, held_out, samples)
    print(f"saved {args.out} ({args.out.stat().st_size:,} bytes) and {report}; wall {wall:.0f} s")


if __name__ == "__main__":
    main()
