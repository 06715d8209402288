// Releases what an Optimizer allocated beside the parameters (its flat arena, grads, state), so a
// protocol that trains many small probes leaves no GPU buffers behind.
import type { Optimizer } from '@pretext/core';

export function releaseOptimizer(opt: Optimizer): void {
  const b = opt.arena.backend;
  opt.zeroGrad();
  b.release(opt.grads);
  for (const s of opt.state) b.release(s);
  b.release(opt.arena.flat);
}
