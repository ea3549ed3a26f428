"""Evaluate the shapes detector on freshly generated images it has never seen.

    /usr/bin/python3 examples/shapes-detector/evaluate.py                       # checkpoint.pt, PyTorch
    /usr/bin/python3 examples/shapes-detector/evaluate.py --onnx out/shapes-detector.onnx

Two sets, both from data.py's eval split (photo backgrounds from photos training never sees; noise)
with EVAL_SEED, which training does not use (training draws the train split, a different stream):

* mAP@0.5: --count images of 0..6 shapes. Per class, every returned detection is ranked by score and
  matched greedily to the unmatched ground-truth box of its class with the highest IoU, a match
  needing IoU >= 0.5; AP is the area under the precision-recall curve with VOC's all-point
  interpolation (precision made monotone, summed over every recall step). mAP is the mean over the
  three classes.
* lone shape on a photo: --count images with exactly one shape on a photographic crop. A hit is the
  top-scoring detection having box IoU >= 0.5 with it and the right label; the rate is hits / images.

--onnx evaluates an exported file with onnxruntime's Python package when that is importable (it is
not part of Debian's torch install); without it the script says so and evaluates checkpoint.pt in
PyTorch instead, as it does without --onnx, through the same forward() the ONNX file was exported from.
"""

import argparse
import sys
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import data  # noqa: E402

EVAL_SEED = 1000
DEFAULT_COUNT = 200
IOU_MATCH = 0.5

Detections = Tuple[np.ndarray, np.ndarray, np.ndarray]  # boxes [K, 4], scores [K], labels [K]
Predictor = Callable[[np.ndarray], Detections]


def to_input(pixels: np.ndarray) -> np.ndarray:
    """uint8 [H, W, 3] -> float32 [1, 3, H, W] in [0, 1]: config.yml's preprocessing."""
    return (pixels.astype(np.float32) / 255).transpose(2, 0, 1)[None].copy()


def torch_predictor(net) -> Predictor:
    import torch

    def predict(pixels: np.ndarray) -> Detections:
        with torch.no_grad():
            out = net(torch.from_numpy(to_input(pixels)))
        return out["boxes"].numpy(), out["scores"].numpy(), out["labels"].numpy()

    return predict


def onnx_predictor(path: Path) -> Predictor:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    outputs = [o.name for o in session.get_outputs()]

    def predict(pixels: np.ndarray) -> Detections:
        got = dict(zip(outputs, session.run(None, {name: to_input(pixels)})))
        return got["boxes"], got["scores"], got["labels"]

    return predict


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one box [4] with each of boxes [n, 4] (x1, y1, x2, y2)."""
    ix = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = ix * iy
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def average_precision(dets: List[Tuple[float, int, np.ndarray]], gts: Dict[int, np.ndarray]) -> float:
    """VOC all-point AP of one class. dets: (score, image, box); gts: image -> boxes [n, 4]."""
    n_gt = sum(len(b) for b in gts.values())
    if n_gt == 0:
        return float("nan")
    used = {i: np.zeros(len(b), dtype=bool) for i, b in gts.items()}
    tp = np.zeros(len(dets))
    for d, (_score, image, box) in enumerate(sorted(dets, key=lambda t: -t[0])):
        boxes = gts.get(image)
        if boxes is None or len(boxes) == 0:
            continue
        overlaps = np.where(used[image], -1.0, iou(box, boxes))
        j = int(np.argmax(overlaps))
        if overlaps[j] >= IOU_MATCH:
            used[image][j] = True
            tp[d] = 1
    cum_tp = np.cumsum(tp)
    recall = cum_tp / n_gt
    precision = cum_tp / np.arange(1, len(dets) + 1)
    # All-point interpolation: precision at recall r is the best precision at any recall >= r.
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[0.0], precision, [0.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    steps = np.nonzero(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[steps + 1] - mrec[steps]) * mpre[steps + 1]))


def evaluate(predict: Predictor, count: int = DEFAULT_COUNT, seed: int = EVAL_SEED) -> Dict[str, object]:
    dets: Dict[int, List[Tuple[float, int, np.ndarray]]] = {k: [] for k in range(len(data.LABELS))}
    gts: Dict[int, Dict[int, np.ndarray]] = {k: {} for k in range(len(data.LABELS))}
    n_objects = 0
    for i in range(count):
        pixels, boxes, labels = data.make_image(seed, i, "eval")
        n_objects += len(labels)
        for k in range(len(data.LABELS)):
            gts[k][i] = boxes[labels == k]
        p_boxes, p_scores, p_labels = predict(pixels)
        for box, score, label in zip(p_boxes, p_scores, p_labels):
            dets[int(label)].append((float(score), i, box))
    ap = {data.LABELS[k]: average_precision(dets[k], gts[k]) for k in dets}

    hits, per_class = 0, {name: [0, 0] for name in data.LABELS}
    for i in range(count):
        pixels, boxes, labels = data.make_image(seed, i, "eval", lone=True)
        p_boxes, p_scores, p_labels = predict(pixels)
        top = int(np.argmax(p_scores))
        hit = bool(p_labels[top] == labels[0] and iou(p_boxes[top], boxes)[0] >= IOU_MATCH)
        hits += hit
        per_class[data.LABELS[labels[0]]][0] += hit
        per_class[data.LABELS[labels[0]]][1] += 1
    return {
        "count": count, "seed": seed, "objects": n_objects, "ap": ap,
        "map": float(np.nanmean(list(ap.values()))),
        "lone_hits": hits, "lone_rate": hits / count, "lone_per_class": per_class,
    }


def format_result(r: Dict[str, object]) -> str:
    lines = [f"mAP@0.5 on {r['count']} images ({r['objects']} shapes), eval seed {r['seed']}:"]
    lines += [f"  AP {name:<9} {ap:.3f}" for name, ap in r["ap"].items()]  # type: ignore[union-attr]
    lines.append(f"  mAP       {r['map']:.3f}")
    lines.append(f"lone shape on a photo (top detection IoU >= {IOU_MATCH} and right label): "
                 f"{r['lone_hits']}/{r['count']} = {r['lone_rate']:.1%}")
    lines += [f"  {name:<9} {h}/{n}" for name, (h, n) in r["lone_per_class"].items()]  # type: ignore[union-attr]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="mAP@0.5 and the lone-shape check on fresh images.")
    parser.add_argument("--checkpoint", type=Path, default=HERE / "checkpoint.pt")
    parser.add_argument("--onnx", type=Path, help="evaluate this exported ONNX file with onnxruntime instead")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="images in each of the two sets")
    parser.add_argument("--seed", type=int, default=EVAL_SEED)
    args = parser.parse_args()
    predict = None
    if args.onnx:
        try:
            predict, what = onnx_predictor(args.onnx), f"ONNX {args.onnx} (onnxruntime)"
        except ImportError:
            print("onnxruntime is not importable from this Python, so the ONNX file cannot be evaluated here: "
                  "evaluating the PyTorch model instead, the forward() it was exported from "
                  "(packages/tools/test/shapes-detector.test.ts checks the ONNX file with onnxruntime-node)")
    if predict is None:
        import torch

        from model import ShapesDetector
        from train import MODEL_ARGS

        torch.set_num_threads(2)
        net = ShapesDetector(**MODEL_ARGS)
        net.load_state_dict(torch.load(args.checkpoint, map_location="cpu"))
        predict, what = torch_predictor(net.eval()), f"PyTorch {args.checkpoint}"
    print(f"evaluating {what}")
    print(format_result(evaluate(predict, args.count, args.seed)))


if __name__ == "__main__":
    main()
