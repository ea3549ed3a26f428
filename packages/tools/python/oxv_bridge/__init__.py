"""OxidizedVision's Python bridge: model loading, ONNX/TorchScript export and PyTorch reference outputs."""
