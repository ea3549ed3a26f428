"""Stdout/stderr discipline shared by every command.

Torch and user code print freely (some of it from C++, straight to file descriptor 1), so the real stdout
is duplicated away first and fd 1 is pointed at stderr: the TypeScript side then reads exactly one JSON
document from stdout, whatever the model prints.
"""
import json
import os
import sys

_result_stream = None


def claim_stdout():
    global _result_stream
    _result_stream = os.fdopen(os.dup(1), "w")
    sys.stdout.flush()
    os.dup2(2, 1)


def progress(message, **fields):
    sys.stderr.write(json.dumps({"event": "progress", "message": message, **fields}) + "\n")
    sys.stderr.flush()


def warn(message):
    sys.stderr.write(json.dumps({"event": "warning", "message": message}) + "\n")
    sys.stderr.flush()


def send(document):
    stream = _result_stream or sys.stdout
    stream.write(json.dumps(document))
    stream.write("\n")
    stream.flush()


class BridgeError(Exception):
    """An error with a stable OxidizedVision code (see packages/runtime/src/errors.ts)."""

    def __init__(self, code, message, hint=None, details=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.details = details or {}

    def to_json(self):
        out = {"code": self.code, "message": self.message, "details": self.details}
        if self.hint:
            out["hint"] = self.hint
        return out
