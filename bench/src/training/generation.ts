// Generation cases (`pnpm bench --only generate`): `generate()` of the gpt task's model (full
// preset: 4 layers, 4 heads, d = 128; random weights: the work does not depend on them) continuing
// a prompt of P fortunes characters by N tokens, greedy, with the KV cache (the prompt encoded
// once, then one position per token) and without it (the whole window per token). Timed: the
// whole call, prompt included, with its readback of each token's logits. check(): on the timed
// model, the cached and the recomputed continuations of 8 tokens are the same tokens.
import { generate, gpt, type TextEncoder } from '@pretext/tasks';
import { useGpuBackend } from './backend.js';
import type { StepInstance, TrainingCase } from './case.js';
import { fortunesChars } from './text-batch.js';

export function generationCase(prefix: number, cache: boolean, tokens = 32): TrainingCase {
  return {
    name: `generate gpt prefix=${prefix} ${cache ? 'kv-cache' : 'no-cache'} d=128 L=4`,
    kernel: 'train',
    target: 'the cache\'s speedup grows with the prefix',
    limits: { reps: 3, warmup: 1 },
    async setup(gpu, opts): Promise<StepInstance> {
      const n = opts?.quick ? 8 : tokens;
      useGpuBackend(gpu);
      const data = fortunesChars();
      const cfg = gpt.config('fortunes', 'full', { context: prefix + n, dropout: 0 });
      const state = gpt.build(cfg, data);
      const net = (state.encoder as TextEncoder).net;
      const head = (h: Parameters<typeof net.logits>[0]) => net.logits(h);
      const prompt = data.entries.flatMap((e) => Array.from(e)).slice(0, prefix);
      const ids = Int32Array.from(prompt);
      const d = cfg.dim as number;
      const layers = cfg.layers as number;
      // forward MACs per new token: 12·d² per layer + the LM head; attention over the prefix
      const perToken = (t: number) => layers * (12 * d * d + 2 * t * d) + d * data.tokenizer.vocabSize;
      const flops = cache
        ? 2 * (prefix * perToken(prefix / 2) + Array.from({ length: n }, (_, i) => perToken(prefix + i)).reduce((a, b) => a + b, 0))
        : 2 * Array.from({ length: n }, (_, i) => (prefix + i) * perToken((prefix + i) / 2)).reduce((a, b) => a + b, 0);
      return {
        items: n,
        unit: 'tokens',
        batch: `${n} tokens after a ${prefix}-token prompt (${cache ? 'KV cache' : 'no cache: the window recomputed per token'})`,
        run: async () => {
          await generate(net, head, ids, { tokens: n, temperature: 0, seed: 0, cache });
        },
        async check() {
          const a = await generate(net, head, ids, { tokens: 8, temperature: 0, seed: 0, cache: true });
          const b = await generate(net, head, ids, { tokens: 8, temperature: 0, seed: 0, cache: false });
          return a.every((t, i) => t === b[i]) ? 0 : Number.POSITIVE_INFINITY;
        },
        tolerance: 0,
        flops,
        bytes: 0,
        dispose: () => state.dispose(),
      };
    },
  };
}

export const generationBenches: TrainingCase[] = [64, 256].flatMap((p) => [generationCase(p, true), generationCase(p, false)]);
