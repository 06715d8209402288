#!/usr/bin/env bash
# Installs everything Pretext needs on a fresh Debian/Ubuntu machine with Node 20:
# pnpm, the workspace's npm packages, a WebGPU adapter (Mesa's lavapipe when there is no GPU),
# the datasets (Fashion-MNIST, fortunes) and Chromium (the browser test). Safe to run again: it
# skips what is there. `--torch` also installs PyTorch for the bench's CPU peer (the tests never
# need it): pip's CPU build torch 2.13.0+cpu where pip can find that wheel, else Debian's python3-torch.
set -euo pipefail
cd "$(dirname "$0")/.."
with_torch=0
for arg in "$@"; do
  case "$arg" in
    --torch) with_torch=1 ;;
    *) echo "setup.sh: unknown option '$arg' (valid: --torch)" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
have_root_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
apt_updated=0
apt_install() { # packages...
  if [ $apt_updated = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 1. pnpm (pinned, as package.json's packageManager says)
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "12.4.2" ]; then
  say "installing pnpm 12.4.2"
  npm install -g --silent pnpm@12.4.2 >/dev/null
fi

# 2. the workspace (postinstall turns .wgsl into importable modules)
say "pnpm install"
ONNXRUNTIME_NODE_INSTALL=skip pnpm install --frozen-lockfile --reporter=silent

# 3. a WebGPU adapter: use the one there is; with none, install lavapipe
if ! pnpm exec tsx scripts/check-webgpu.ts --quiet; then
  if have_root_apt; then
    . /etc/os-release
    if [ "${ID:-}" = debian ] && [ "${VERSION_CODENAME:-}" = bookworm ]; then
      # bookworm's own mesa (22.3) is refused by Dawn; backports has 25.x
      say "installing Mesa lavapipe from bookworm-backports"
      if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        awk 'BEGIN{RS="";ORS="\n\n"} NR==1' /etc/apt/sources.list.d/debian.sources \
          | sed -e 's/^Suites: .*/Suites: bookworm-backports/' -e '/^#/d' \
          > /etc/apt/sources.list.d/backports.sources
      else
        echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/backports.list
      fi
      apt_updated=0
      apt_install -t bookworm-backports mesa-vulkan-drivers libvulkan1
    else
      say "installing Mesa lavapipe (mesa-vulkan-drivers)"
      apt_install mesa-vulkan-drivers libvulkan1
    fi
    pnpm exec tsx scripts/check-webgpu.ts
  else
    pnpm exec tsx scripts/check-webgpu.ts   # prints exactly what to install, exits non-zero
  fi
fi

# 4. datasets
need=()
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
[ -d /usr/share/games/fortunes ] || need+=(fortunes)
if [ ${#need[@]} -gt 0 ]; then
  if have_root_apt; then say "installing datasets: ${need[*]}"; apt_install "${need[@]}"
  else say "missing datasets; install as root: apt-get install ${need[*]}"; fi
fi
# 5. Chromium for the browser test (web/: Playwright drives Debian's headless Chromium)
if ! command -v chromium >/dev/null; then
  if have_root_apt; then say "installing chromium (the browser test)"; apt_install chromium
  else say "missing Chromium for the browser test; install as root: apt-get install chromium"; fi
fi
# 6. PyTorch on the CPU for the bench's second peer (bench/torch/*.py), only when asked
if [ $with_torch = 1 ]; then
  if python3 -c 'import torch' 2>/dev/null || /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    say "PyTorch: present"
  elif python3 -m pip install --quiet 'torch==2.13.0+cpu' 2>/dev/null && python3 -c 'import torch'; then
    say "PyTorch: installed $(python3 -c 'import torch; print(torch.__version__)') with pip"
  elif have_root_apt; then
    say "installing PyTorch (python3-torch)"; apt_install python3-torch
  else
    say "missing PyTorch for the bench's CPU peer; install as root: apt-get install python3-torch"
  fi
fi
say "ready"
