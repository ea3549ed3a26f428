"""What the scripts that build the committed ONNX test fixtures share.

Imported by packages/runtime/test/fixtures/make_fixtures.py, packages/server/test/fixtures/make_models.py
and packages/server/test/fixtures/http/make_http_models.py, which run under Debian's /usr/bin/python3
(python3-onnx 1.12). IR version 8 and opset 13: onnxruntime-node and onnxruntime-web 1.30 both load them,
and onnx.helper writes the same bytes on every run, so rerunning a script leaves the committed files as
they are.
"""

import os

import onnx
from onnx import helper

OPSET = 13
IR_VERSION = 8


def save(graph, path):
    """Checks the graph as a model and writes it to `path`; returns the path."""
    model = helper.make_model(
        graph,
        producer_name="oxidizedvision-fixtures",
        opset_imports=[helper.make_opsetid("", OPSET)],
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")
    return path
