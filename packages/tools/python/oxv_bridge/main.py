"""Command dispatch: probe, convert, reference, and the benchmark session."""
import json
import sys
import traceback

from .protocol import BridgeError, claim_stdout, send


def _probe(_request):
    import platform

    info = {"python": sys.executable, "python_version": platform.python_version()}
    try:
        import torch
    except Exception as exc:  # report, do not crash: the TS side tries the next interpreter
        info["torch"] = None
        info["torch_error"] = f"{type(exc).__name__}: {exc}"
        return info
    info["torch"] = torch.__version__
    for name in ("torchvision", "onnx", "onnxscript", "numpy"):
        try:
            module = __import__(name)
            info[name] = getattr(module, "__version__", "unknown")
        except Exception:
            info[name] = None
    from .exporting import exporter_capabilities

    info.update(exporter_capabilities())
    return info


def main(argv):
    claim_stdout()
    command = argv[0] if argv else ""
    try:
        if command == "benchmark":  # a session: one request per stdin line until stdin closes
            from .benchmarking import serve

            return serve()
        raw = sys.stdin.read()
        request = json.loads(raw) if raw.strip() else {}
        if command == "probe":
            result = _probe(request)
        elif command == "convert":
            from .converting import convert

            result = convert(request)
        elif command == "reference":
            from .reference import reference

            result = reference(request)
        else:
            raise BridgeError("ERR_PYTHON_BRIDGE", f"unknown bridge command {command!r}")
        send({"ok": True, "result": result})
        return 0
    except BridgeError as exc:
        send({"ok": False, "error": exc.to_json()})
        return 1
    except Exception as exc:  # anything unforeseen still comes back as one JSON document
        send(
            {
                "ok": False,
                "error": {
                    "code": "ERR_PYTHON_BRIDGE",
                    "message": f"{type(exc).__name__}: {exc}",
                    "details": {"traceback": traceback.format_exc()},
                },
            }
        )
        return 1
