// 2000 training steps with the GPU buffers and process memory sampled (tests/src/soak.ts).
// Usage: pnpm soak [--steps N]; exits 1 when anything grows after warm-up.
import { parseArgs } from 'node:util';
import { destroyGpu, soak } from '../tests/src/soak.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '2000' } } });
soak({ steps: Number(values.steps), log: (l) => console.log(l) }).then(
  async (r) => {
    await destroyGpu();
    const g = r.growth;
    const flat = g.liveBuffers === 0 && g.buffersCreated === 0 && g.heapMB < 16 && g.rssMB < 64;
    console.log(`soak ${flat ? 'passed' : 'FAILED'}: ${r.steps} steps in ${r.seconds.toFixed(0)} s; after warm-up: live buffers ${g.liveBuffers >= 0 ? '+' : ''}${g.liveBuffers}, buffers created +${g.buffersCreated}, RSS ${g.rssMB >= 0 ? '+' : ''}${g.rssMB.toFixed(1)} MB, heap ${g.heapMB >= 0 ? '+' : ''}${g.heapMB.toFixed(1)} MB`);
    process.exit(flat ? 0 : 1);
  },
  (e: unknown) => {
    console.error((e as Error).stack);
    process.exit(1);
  },
);
