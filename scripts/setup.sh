#!/usr/bin/env bash
# Installs everything Pretext needs on a fresh Debian/Ubuntu machine with Node 20:
# pnpm, the workspace's npm packages, a WebGPU adapter (Mesa's lavapipe when there is no GPU),
# the datasets (Fashion-MNIST, fortunes) and Chromium (the browser test). Safe to run again: it
# skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

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
say "ready"
