// The soak in the suite, shortened to 80 steps (scripts/soak.ts runs 2000).
import { destroyGpu } from '@pretext/gpu';
import { afterAll, expect, it } from 'vitest';
import { soak } from './soak.js';

afterAll(() => destroyGpu());

it('80 training steps: live GPU buffers and buffers created flat after warm-up; heap flat', async () => {
  const r = await soak({ steps: 80, every: 16, warmup: 16 });
  expect(r.samples.map((s) => s.step)).toEqual([16, 32, 48, 64, 80]);
  expect(r.growth.liveBuffers).toBe(0);
  expect(r.growth.buffersCreated).toBe(0);
  expect(r.growth.heapMB).toBeLessThan(16);
}, 600_000);
