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
# Another apt or dpkg (unattended-upgrades on a fresh VM, a second terminal) holds dpkg's lock for a
# while; apt would fail at once with "Could not get lock". Wait for it, bounded, and say for whom.
APT_WAIT_SECS=${OXV_APT_WAIT_SECS:-900}
apt_holders() {
  ps -eo pid=,comm= | awk '$2 ~ /^(apt|apt-get|aptitude|dpkg|unattended-upgr|packagekitd)$/ { print $1 }' | xargs
}
wait_for_apt() {
  local waited=0 pids
  while pids=$(apt_holders) && [ -n "$pids" ]; do
    if [ "$waited" -eq 0 ]; then
      echo "setup: another package manager is running ($(ps -o pid=,comm= -p "${pids// /,}" | xargs)); waiting up to ${APT_WAIT_SECS}s for it to finish (OXV_APT_WAIT_SECS)" >&2
    fi
    if [ "$waited" -ge "$APT_WAIT_SECS" ]; then
      echo "setup: gave up after ${APT_WAIT_SECS}s: the package manager ($pids) still runs; let it finish, then re-run" >&2
      exit 1
    fi
    sleep 5
    waited=$((waited + 5))
  done
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  wait_for_apt
  # The lock timeout covers the race where another apt starts between the check and these calls.
  $SUDO apt-get -o DPkg::Lock::Timeout="$APT_WAIT_SECS" update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout="$APT_WAIT_SECS" install -y -qq "${missing[@]}" >/dev/null
fi

# onnxruntime-node's postinstall would download CUDA libraries from outside the npm registry.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci (installs the workspaces and builds native addons: about 3 minutes, quiet until done)" >&2
  npm ci --no-audit --no-fund
fi
echo "setup: building" >&2
npm run build --silent
# The browser page: converts the example denoiser if needed and copies it, the samples and
# onnxruntime-web's WASM into the page, then builds apps/demo/dist (what `serve --ui` serves). Done here,
# once, so the browser test files (which rebuild the page in parallel) never race on the conversion.
if [ -f examples/unet-denoiser/out/unet-denoiser.onnx ]; then
  echo "setup: building the browser page" >&2
else
  echo "setup: building the browser page (converts the example denoiser first: examples/unet-denoiser/out/)" >&2
fi
npm run build --silent --workspace=apps/demo
