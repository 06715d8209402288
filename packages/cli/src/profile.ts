// PRETEXT_PROFILE=1 pretext train …: the Gpu timestamps every pass (it reads the variable) and the
// trainer marks each step on the host track; after the last step, the per-kernel table against the
// adapter's FMA and copy ceilings measured right then, and a Chrome/Perfetto trace in the run
// directory (a GPU track of kernel launches, a host track of steps, recording and waits).
import { join } from 'node:path';
import { getGpu, type Profiler } from '@pretext/gpu';
import { measureCeilings } from '@pretext/kernels';

export const TRACE_FILE = 'trace.json';

/** The profiler when PRETEXT_PROFILE=1 turned it on (null otherwise, or when the adapter has no timestamps). */
export async function activeProfiler(log: (line: string) => void): Promise<Profiler | null> {
  if (process.env.PRETEXT_PROFILE !== '1') return null;
  const gpu = await getGpu();
  if (!gpu.profiler.enabled) {
    log(`profile   PRETEXT_PROFILE=1, but the adapter ${gpu.info.device || gpu.info.description} has no 'timestamp-query': no per-kernel times`);
    return null;
  }
  return gpu.profiler;
}

/** Prints the per-kernel table and writes the trace; returns the trace's path. Then clears the records. */
export async function reportProfile(dir: string, log: (line: string) => void): Promise<string> {
  const gpu = await getGpu();
  await gpu.sync();
  const ceilings = await measureCeilings(gpu);
  log('profile   per kernel over the training steps (GPU timestamps; share of all kernel time; rates against the ceilings):');
  for (const line of gpu.profiler.table(ceilings).split('\n')) log(`          ${line}`);
  const path = join(dir, TRACE_FILE);
  await gpu.writeTrace(path);
  log(`trace     ${path} (open in ui.perfetto.dev or chrome://tracing)`);
  gpu.profiler.clear();
  return path;
}
