"""MLServer custom runtime for bench/json-vs-mlserver.mjs: the same ONNX file, run by onnxruntime.

MLServer has no built-in ONNX runtime, so this is the small runtime a user would write: load the file
given as the model's `uri`, decode the request's tensors with NumpyCodec, run, encode the outputs.
"""
import os

import onnxruntime as ort
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse


class OnnxModel(MLModel):
    async def load(self) -> bool:
        options = ort.SessionOptions()
        threads = int(os.environ.get("OXV_BENCH_THREADS", "0"))
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(
            self.settings.parameters.uri, options, providers=["CPUExecutionProvider"]
        )
        self._outputs = [o.name for o in self._session.get_outputs()]
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        feeds = {i.name: NumpyCodec.decode_input(i) for i in payload.inputs}
        results = self._session.run(self._outputs, feeds)
        return InferenceResponse(
            model_name=self.name,
            outputs=[
                NumpyCodec.encode_output(name=name, payload=value)
                for name, value in zip(self._outputs, results)
            ],
        )
