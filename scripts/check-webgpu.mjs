#!/usr/bin/env node
// Finds a WebGPU adapter through Dawn (npm `webgpu`). With none, says exactly what to install
// and exits 1, so kernel tests fail with this message instead of skipping.
import { create, globals } from 'webgpu';

const quiet = process.argv.includes('--quiet');
Object.assign(globalThis, globals);
process.env.XDG_RUNTIME_DIR ??= '/tmp';
const gpu = create([]);
const adapter = await gpu.requestAdapter().catch(() => null);
if (!adapter) {
  if (!quiet) {
    console.error(`[pretext] No WebGPU adapter found (Dawn needs a Vulkan driver).
  Debian 12 (bookworm), as root:
    echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list
    apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1
  Ubuntu 24.04+ / Debian 13+, as root:
    apt-get install -y mesa-vulkan-drivers libvulkan1
  or run: bash scripts/setup.sh   (does the above when it can)`);
  }
  process.exit(1);
}
const info = adapter.info ?? {};
if (!quiet) console.log(`[pretext] WebGPU adapter: ${info.description || info.device || 'unknown'} (${info.vendor || '?'}, ${info.architecture || '?'})`);
process.exit(0);
