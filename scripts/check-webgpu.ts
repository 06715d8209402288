#!/usr/bin/env -S pnpm exec tsx
// Finds a WebGPU adapter and device the way Pretext does (@pretext/gpu). With none, prints exactly
// what to install (NO_ADAPTER_HELP) and exits 1, so kernel tests fail with it instead of skipping.
import { requestAdapterAndDevice } from '../packages/gpu/src/adapter.js';

const quiet = process.argv.includes('--quiet');
try {
  const { summary } = await requestAdapterAndDevice();
  if (!quiet) console.log(`[pretext] WebGPU adapter: ${summary.device} (${summary.vendor}, ${summary.architecture}; ${summary.driver})`);
  process.exit(0);
} catch (e) {
  if (!quiet) console.error(`[pretext] ${(e as Error).message}`);
  process.exit(1);
}
