"""onnxruntime's own static quantizer on a model, for bench/quantize-bench.mjs to compare against.

    /tmp/ortq/bin/python bench/quantize_ort_python.py IN.onnx CALIB_DIR OUT_PREFIX
    (venv: python3 -m venv /tmp/ortq && /tmp/ortq/bin/pip install onnxruntime numpy onnx sympy)

CALIB_DIR holds the calibration inputs exactly as our optimize fed them (sample-N.bin, raw float32,
plus meta.json with the input name and shape), so both quantizers see the same data. Writes two models:
  OUT_PREFIX.u8s8.onnx     our recipe in their tool: QDQ, per-channel, uint8 activations, int8 weights
  OUT_PREFIX.default.onnx  their documented default: QDQ, per-tensor, int8 activations and weights (S8S8)
Both after quant_pre_process (symbolic shape inference + ORT optimization), as their docs recommend.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process


class Reader(CalibrationDataReader):
    def __init__(self, folder: Path):
        meta = json.loads((folder / "meta.json").read_text())
        self.items = iter([
            {meta["name"]: np.fromfile(folder / f"sample-{i}.bin", dtype=np.float32).reshape(meta["shape"])}
            for i in range(meta["count"])
        ])

    def get_next(self):
        return next(self.items, None)


def main(model: str, calib: str, prefix: str):
    pre = f"{prefix}.pre.onnx"
    quant_pre_process(model, pre, skip_symbolic_shape=False)
    timings = {}
    for name, kwargs in {
        "u8s8": dict(per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8),
        "default": dict(per_channel=False, activation_type=QuantType.QInt8, weight_type=QuantType.QInt8),
    }.items():
        start = time.perf_counter()
        quantize_static(pre, f"{prefix}.{name}.onnx", Reader(Path(calib)), quant_format=QuantFormat.QDQ, **kwargs)
        timings[name] = time.perf_counter() - start
    print(json.dumps({"onnxruntime": onnxruntime.__version__, "seconds": timings}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
