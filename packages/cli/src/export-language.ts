// `pretext export` of a language run (gpt, mlm, mlm-simcse): the Transformer and its LM head,
// restored from the checkpoint as `pretext generate` restores them, with the run's tokenizer
// written beside the export (the model takes token ids).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad, type Tensor, tensor } from '@pretext/core';
import { exportLanguageModelOnnx, Linear, LM_NAMES, meanPool, torchStateDict, Transformer } from '@pretext/models';
import { rng } from '@pretext/random';
import type { Task } from '@pretext/tasks';
import { type loadRun, restoreRun } from './checkpoints.js';
import { checkDiff, loadOrt, maxAbsDiff, type OrtFeeds, runOnnx } from './export-check.js';
import type { Exportable } from './export.js';
import { UsageError } from './flags.js';
import { readTokenizer, TOKENIZER_JSON } from './text-runner.js';

export interface LanguageModel {
  net: Transformer;
  /** An untied LM head (gpt --no-tie-weights); absent: the token embedding transposed. */
  head?: Linear;
}

/** What load_pretext.py needs to rebuild the Transformer. */
export function languageArchitecture({ net, head }: LanguageModel): Record<string, unknown> {
  const c = net.cfg;
  return { architecture: 'Transformer', vocab: c.vocab, max_len: c.maxLen, dim: c.dim, heads: c.heads, layers: c.layers, positions: c.positions ?? 'learned', causal: c.causal, tied: !head, head_bias: !!head?.bias, eps: net.lnf.eps, gelu: 'tanh' };
}

export async function languageExportable(dir: string, task: Task<'text'>, ckpt: Awaited<ReturnType<typeof loadRun>>): Promise<Exportable> {
  const cfg = task.parse(ckpt.meta.config, `checkpoint ${ckpt.path}`);
  const tokenizer = readTokenizer(dir);
  // the model needs only the vocabulary: an empty corpus with the run's tokenizer
  const state = task.build(cfg, { name: 'export', tokenizer, entries: [], labels: new Int32Array(0), categories: [] });
  try {
    const net = (state.encoder as { net?: unknown }).net;
    if (!(net instanceof Transformer)) throw new UsageError(`export: the ${task.id} encoder's network is a ${net?.constructor.name ?? state.encoder.constructor.name}; the exporters know Transformer (ONNX emitters: see ONNX_MODULES in @pretext/models)`);
    const head = state.modules.head;
    if (head !== undefined && !(head instanceof Linear)) throw new UsageError(`export: the ${task.id} LM head is a ${head.constructor.name}; the exporters know a Linear head or the tied embedding`);
    restoreRun(ckpt, state);
    for (const m of Object.values(state.modules)) m.eval();
    const lm: LanguageModel = { net, head };
    const { vocab, dim, causal } = net.cfg;
    return {
      stem: 'lm',
      architecture: languageArchitecture(lm),
      onnx: (opset, metadata) => exportLanguageModelOnnx(net, { opset, metadata, head }),
      check: (model, file) => checkLanguageWithOnnxRuntime(model, lm, file),
      signature: causal ? `input ${LM_NAMES.ids} (N, T ≤ ${net.cfg.maxLen}) → ${LM_NAMES.logits} (N, T, ${vocab})` : `input ${LM_NAMES.ids}, ${LM_NAMES.mask} (N, T ≤ ${net.cfg.maxLen}) → ${LM_NAMES.logits} (N, T, ${vocab}), ${LM_NAMES.features} (N, ${dim})`,
      weights: () => torchStateDict(head ? { '': net, head } : net),
      companions: [[TOKENIZER_JSON, readFileSync(join(dir, TOKENIZER_JSON))]],
      dispose: () => state.dispose(),
    };
  } catch (e) {
    state.dispose();
    throw e;
  }
}

/**
 * Runs an exported language model in onnxruntime-node on random token ids of lengths 1, 7 and the
 * context (a bidirectional model's second row padded) and compares logits (and pooled features)
 * with our forward; throws naming the file when it cannot load or differs.
 */
export async function checkLanguageWithOnnxRuntime(model: Uint8Array, { net, head }: LanguageModel, file: string, n = 2): Promise<string> {
  const { ort } = await loadOrt();
  const { vocab, maxLen, causal } = net.cfg;
  const r = rng(7);
  const lengths = [...new Set([1, Math.min(7, maxLen), maxLen])];
  const cases = lengths.map((t) => {
    const ids = Int32Array.from({ length: n * t }, () => Math.floor(r() * vocab));
    const keep = Int32Array.from({ length: n * t }, (_, i) => (i < t || i % t < Math.max(1, t - 3) ? 1 : 0)); // row 1: the last 3 are padding
    return { t, ids, keep };
  });
  const feeds = cases.map(({ t, ids, keep }): OrtFeeds => {
    const f: OrtFeeds = { [LM_NAMES.ids]: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [n, t]) };
    if (!causal) f[LM_NAMES.mask] = new ort.Tensor('int64', BigInt64Array.from(keep, BigInt), [n, t]);
    return f;
  });
  const { version, outputs } = await runOnnx(model, feeds, file);
  let diff = 0;
  for (const [c, { t, ids, keep }] of cases.entries()) {
    for (const [i, want] of (await ours(net, head, ids, [n, t], causal ? undefined : keep)).entries()) {
      diff = Math.max(diff, maxAbsDiff(outputs[c][i] ?? new Float32Array(0), want, file, i ? LM_NAMES.features : LM_NAMES.logits));
    }
  }
  checkDiff(diff, file, version);
  return `onnxruntime-node ${version} (cpu) matches our forward: max |Δ| ${diff.toExponential(2)} over random ids (${n} × T, T = ${lengths.join(', ')})`;
}

/** [logits (N, T, V)] or, with a padding mask, [logits, pooled features (N, C)]. */
async function ours(net: Transformer, head: Linear | undefined, ids: Int32Array, shape: [number, number], keep?: Int32Array): Promise<Float32Array[]> {
  const read = async (y: Tensor) => {
    const d = (await y.data()) as Float32Array;
    y.dispose();
    return d;
  };
  const h = noGrad(() => net.forward(tensor(ids, shape), keep && tensor(keep, shape)));
  try {
    const out = [await read(noGrad(() => (head ? head.forward(h) : net.logits(h))))];
    if (keep) out.push(await read(noGrad(() => meanPool(h, tensor(Float32Array.from(keep), shape)))));
    return out;
  } finally {
    h.dispose();
  }
}
