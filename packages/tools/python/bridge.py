"""Entry point of OxidizedVision's Python bridge: `python bridge.py <command>` with a JSON request on stdin.

The TypeScript side (packages/tools/src/bridge/) starts this script; it is the only Python in the product.
Protocol: one JSON request on stdin; progress events as JSON lines on stderr; exactly one JSON object on
the real stdout at the end, `{"ok": true, "result": ...}` or `{"ok": false, "error": {code, message, ...}}`.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from oxv_bridge.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
