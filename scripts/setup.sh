#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for OxidizedVision: PyTorch for the Python bridge (Debian's
# packages), the npm workspaces, and a build. Safe to re-run: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the browser tests drive Debian's build through playwright-core (never a downloaded browser).
DEBIAN_PACKAGES=(python3-torch python3-torchvision python3-onnx python3-skimage python3-numpy chromium)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# onnxruntime-node's postinstall would download CUDA libraries from outside the npm registry.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund
fi
echo "setup: building" >&2
npm run build --silent
# The browser page: converts the example denoiser if needed and copies it, the samples and
# onnxruntime-web's WASM into the page, then builds apps/demo/dist (what `serve --ui` serves). Done here,
# once, so the browser test files (which rebuild the page in parallel) never race on the conversion.
echo "setup: building the browser page" >&2
npm run build --silent --workspace=apps/demo
