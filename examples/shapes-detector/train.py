"""Train the shapes detector from scratch on CPU, in about ten minutes, with no downloads.

    nice -n 10 /usr/bin/python3 examples/shapes-detector/train.py --minutes 12

Data: data.py's synthetic images (train split), generated on the fly: step s trains on images
s*B .. s*B + B - 1 of --seed, so no image is seen twice and the run needs no dataset on disk.

Targets and losses are CenterNet's ("Objects as Points", Zhou et al. 2019), at stride 4:

* per class heatmap: an elliptical Gaussian around each box centre with sigma = 0.54 * box side / 6
  along each axis (TTFNet's shape-aware variant), peak 1 at the centre cell; penalty-reduced focal
  loss (alpha 2, beta 4) normalised by the number of objects;
* log box width/height and the centre's sub-cell offset, L1 at the centre cells only.

Reproducibility: all randomness comes from --seed (weights, then the data through data.py's per-image
seeding; the DataLoader worker only computes what the indices fix). Without --steps the step count is
planned from the speed of the first 30 steps to take about --minutes, and the run then always finishes
its learning-rate schedule. TRAINING.md records the count; --steps with it replays the run.

Writes a bare state_dict (--out, default checkpoint.pt next to this file) and TRAINING.md next to it,
with the evaluation of evaluate.py (mAP@0.5 and the lone-shape check) on images training never saw.
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
from typing import Dict, Tuple

# Let idle OpenMP threads sleep instead of spin: on a shared 2-core machine a spinning thread whose
# partner is descheduled stalls every parallel region (see examples/unet-denoiser/train.py). Must be
# set before torch loads its OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from skimage import __version__ as skimage_version  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import data  # noqa: E402  (data.py, model.py and evaluate.py sit next to this script)
import evaluate  # noqa: E402
from model import STRIDE, ShapesDetector  # noqa: E402

# Must stay in step with config.yml's model.init_args, or the checkpoint will not load there.
MODEL_ARGS = dict(num_classes=len(data.LABELS), width=32, max_detections=50)
GRID = data.SIZE // STRIDE
GAUSSIAN_ALPHA = 0.54
WARMUP_STEPS = 30
BASE_LR = 2e-3
FINAL_LR_FRACTION = 0.02
WEIGHT_DECAY = 1e-4


def targets(boxes: np.ndarray, labels: np.ndarray) -> Dict[str, np.ndarray]:
    """CenterNet targets of one image on the stride-4 grid."""
    heat = np.zeros((len(data.LABELS), GRID, GRID), dtype=np.float32)
    size = np.zeros((2, GRID, GRID), dtype=np.float32)
    offset = np.zeros((2, GRID, GRID), dtype=np.float32)
    mask = np.zeros((GRID, GRID), dtype=np.float32)
    cells = np.arange(GRID, dtype=np.float32)
    for (x1, y1, x2, y2), k in zip(boxes, labels):
        cx, cy = (x1 + x2) / 2 / STRIDE, (y1 + y2) / 2 / STRIDE
        ix, iy = min(int(cx), GRID - 1), min(int(cy), GRID - 1)
        sx = max(GAUSSIAN_ALPHA * (x2 - x1) / STRIDE / 6, 0.3)
        sy = max(GAUSSIAN_ALPHA * (y2 - y1) / STRIDE / 6, 0.3)
        # Centred on the peak cell, so that the cell holding the centre is exactly 1 (a positive).
        g = np.exp(-((cells - ix) ** 2)[None, :] / (2 * sx * sx) - ((cells - iy) ** 2)[:, None] / (2 * sy * sy))
        np.maximum(heat[k], g, out=heat[k])
        heat[k, iy, ix] = 1.0
        size[:, iy, ix] = np.log([x2 - x1, y2 - y1])
        offset[:, iy, ix] = (cx - ix, cy - iy)
        mask[iy, ix] = 1.0
    return {"heat": heat, "size": size, "offset": offset, "mask": mask}


class ShapesStream(torch.utils.data.Dataset):
    """Image i of the training split of one seed, with its targets; pixels scaled to [0, 1]."""

    def __init__(self, seed: int, length: int):
        self.seed, self.length = seed, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> Dict[str, torch.Tensor]:
        pixels, boxes, labels = data.make_image(self.seed, i, "train")
        item = {k: torch.from_numpy(v) for k, v in targets(boxes, labels).items()}
        item["image"] = torch.from_numpy(pixels).permute(2, 0, 1).float() / 255
        return item


def focal_loss(logits: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced pixel-wise focal loss, normalised by the number of centres."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    pos_loss = torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = torch.log(1 - p) * p**2 * (1 - gt) ** 4 * (1 - pos)
    return -(pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1)


def losses(net: ShapesDetector, batch: Dict[str, torch.Tensor]) -> Tuple[torch.Tensor, Dict[str, float]]:
    heat, log_size, offset = net.raw(batch["image"])
    mask = batch["mask"].unsqueeze(1)
    n = mask.sum().clamp(min=1)
    l_heat = focal_loss(heat, batch["heat"])
    l_size = (torch.abs(log_size - batch["size"]) * mask).sum() / (2 * n)
    l_off = (torch.abs(offset - batch["offset"]) * mask).sum() / (2 * n)
    total = l_heat + l_size + l_off
    return total, {"heat": l_heat.item(), "size": l_size.item(), "offset": l_off.item()}


def lr_at(step: int, total: int) -> float:
    if step < WARMUP_STEPS:
        return BASE_LR * (step + 1) / WARMUP_STEPS
    progress = min(1.0, (step - WARMUP_STEPS) / max(1, total - WARMUP_STEPS))
    return BASE_LR * (FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) * 0.5 * (1 + math.cos(math.pi * progress)))


def train(args: argparse.Namespace, net: ShapesDetector) -> Dict[str, float]:
    opt = torch.optim.AdamW(net.parameters(), lr=BASE_LR, weight_decay=WEIGHT_DECAY)
    # Sequential indices: which images a step sees depends only on the step number and --seed.
    loader = torch.utils.data.DataLoader(
        ShapesStream(args.seed, 10**8), batch_size=args.batch_size, shuffle=False,
        num_workers=args.workers, prefetch_factor=4 if args.workers else 2, persistent_workers=args.workers > 0,
    )
    budget = args.minutes * 60
    total = args.steps if args.steps else 10**9
    planned_from_timing = args.steps is None
    running: Dict[str, float] = {}
    t0, t_calib = time.perf_counter(), 0.0
    load_start = os.getloadavg()[0]
    net.train()
    step = 0
    for batch in loader:
        if step >= total:
            break
        for group in opt.param_groups:
            group["lr"] = lr_at(step, total)
        loss, parts = losses(net, batch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        for k, v in parts.items():
            running[k] = v if k not in running else 0.98 * running[k] + 0.02 * v
        elapsed = time.perf_counter() - t0
        if step == 10:
            t_calib = elapsed  # the first steps are slower (worker start-up, oneDNN caches)
        if planned_from_timing and step == WARMUP_STEPS:
            per_step = (elapsed - t_calib) / (WARMUP_STEPS - 10)
            total = WARMUP_STEPS + max(0, int((budget - elapsed) / per_step))
            print(f"{per_step * 1000:.0f} ms/step -> planning {total} steps for {args.minutes:g} min", flush=True)
        if step % args.log_every == 0 or step == total:
            print(
                f"step {step:5d}/{total if total < 10**9 else '?'}  lr {lr_at(step - 1, total):.2e}  "
                + "  ".join(f"{k} {v:.3f}" for k, v in running.items())
                + f"  {elapsed:6.1f}s",
                flush=True,
            )
    return {"steps": step, "train_seconds": time.perf_counter() - t0, "load_start": load_start, **running}


def write_report(path: Path, args: argparse.Namespace, stats: Dict[str, float], wall: float,
                 n_params: int, ckpt: Path, result: Dict[str, object]) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor() or "unknown")
    command = shlex.join([Path(sys.executable).as_posix(), *sys.argv])
    sha = hashlib.sha256(ckpt.read_bytes()).hexdigest()
    text = f"""# Training record: shapes-detector

Written by `train.py` at the end of the run below; every number here was measured by that run.

- Command (from the repository root): `{command}`
- Wall time: {wall:.0f} s in all, of which {stats['train_seconds']:.0f} s training
- Steps: {stats['steps']} of {args.batch_size} images of {data.SIZE}x{data.SIZE} ({stats['steps'] * args.batch_size:,} images, none seen twice);
  replay this run exactly with `--steps {stats['steps']} --seed {args.seed}` and the same thread count
- Machine: {cpu}, {torch.get_num_threads()} torch threads + {args.workers} data worker(s), OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')};
  load average {stats['load_start']:.1f} at the start and {os.getloadavg()[0]:.1f} at the end (other work shared the CPUs)
- Versions: Python {platform.python_version()}, torch {torch.__version__}, numpy {np.__version__}, scikit-image {skimage_version}
- Model: `ShapesDetector({', '.join(f'{k}={v}' for k, v in MODEL_ARGS.items())})`, {n_params:,} parameters
- Checkpoint: `{ckpt.name}`, bare float32 state_dict, {ckpt.stat().st_size:,} bytes, sha256 `{sha}`
- Data: `data.py`, train split (photos: {', '.join(data.TRAIN_PHOTOS)}; and noise), seed {args.seed}
- Final training losses (moving average): heatmap focal {stats['heat']:.3f}, log-size L1 {stats['size']:.3f}, offset L1 {stats['offset']:.3f}

## Evaluation (`evaluate.py`, PyTorch, eval split: held-out photos {', '.join(data.EVAL_PHOTOS)} and noise)

```text
{evaluate.format_result(result)}
```
"""
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the shapes detector on CPU.")
    parser.add_argument("--minutes", type=float, default=12.0, help="training time budget (default 12)")
    parser.add_argument("--out", type=Path, default=HERE / "checkpoint.pt", help="state_dict path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, help="fixed step count (then --minutes is ignored)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--workers", type=int, default=1, help="DataLoader worker processes drawing images")
    parser.add_argument("--log-every", type=int, default=50)
    parser.add_argument("--report", type=Path, help="default: TRAINING.md next to --out")
    parser.add_argument("--eval-count", type=int, default=evaluate.DEFAULT_COUNT, help="images per evaluation set")
    args = parser.parse_args()

    wall0 = time.perf_counter()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # weight initialisation
    net = ShapesDetector(**MODEL_ARGS)
    n_params = sum(p.numel() for p in net.parameters())
    print(f"ShapesDetector {MODEL_ARGS}: {n_params:,} parameters; torch {torch.__version__}", flush=True)

    stats = train(args, net)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), args.out)
    net.eval()
    result = evaluate.evaluate(evaluate.torch_predictor(net), args.eval_count)
    print(evaluate.format_result(result))
    wall = time.perf_counter() - wall0
    report = args.report or args.out.parent / "TRAINING.md"
    write_report(report, args, stats, wall, n_params, args.out, result)
    print(f"saved {args.out} ({args.out.stat().st_size:,} bytes) and {report}; wall {wall:.0f} s")


if __name__ == "__main__":
    main()
