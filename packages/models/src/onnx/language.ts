// A language model's ONNX export: the Transformer and its LM head (the token embedding
// transposed when tied, its own matrix when not). Token ids are int64 as ONNX Runtime's and
// Hugging Face's inputs are; an encoder-style (non-causal) model also takes the padding mask and
// gives the mean of its hidden states over the tokens, the features evaluation probes.
import type { Linear } from '../layers.js';
import type { Transformer } from '../transformer.js';
import { irVersionOf, hostWeights, type OnnxExportOptions } from './export.js';
import { OnnxGraph } from './graph.js';
import { emitModule } from './modules.js';
import { DataType, encodeModel, type ValueSpec } from './proto.js';
import { emitLinearNd, tokenMask } from './transformer.js';

export interface LanguageExportOptions extends Pick<OnnxExportOptions, 'opset' | 'metadata' | 'producerVersion'> {
  /** An untied LM head (V, C); absent: logits = h·Eᵀ with the token embedding E. */
  head?: Linear;
}

/** Graph value names: inputs and outputs as Hugging Face's exports name them. */
export const LM_NAMES = { ids: 'input_ids', mask: 'attention_mask', logits: 'logits', features: 'features' } as const;

/**
 * net's forward in evaluation mode and its LM head as an ONNX model:
 * causal:      input_ids (N, T) int64 → logits (N, T, V)
 * bidirectional: input_ids, attention_mask (N, T) int64 (1 = token, 0 = padding) → logits (N, T, V),
 *              features (N, C) = mean of the hidden states over the tokens
 * with N and T ≤ maxLen free.
 */
export async function exportLanguageModelOnnx(net: Transformer, opts: LanguageExportOptions = {}): Promise<Uint8Array> {
  const opset = opts.opset ?? 17;
  const ir = irVersionOf(opset);
  const { vocab, dim, causal } = net.cfg;
  const g = new OnnxGraph(await hostWeights(opts.head ? { '': net, head: opts.head } : net), new Map(), opset);
  const h = emitModule(net, LM_NAMES.ids, g, '', causal ? {} : { mask: LM_NAMES.mask }); // (N, T, C)
  // logits = h·Eᵀ (tied) or h·Wᵀ (+ b)   (N, T, V)
  const logits = opts.head ? emitLinearNd(opts.head, h, g, 'head') : g.node('MatMul', [h, g.node('Transpose', [g.weight(net.tok.weight, 'tok')], 'tok.weight_t', { perm: [1, 0] })], 'lm_head');
  g.node('Identity', [logits], LM_NAMES.logits);
  const seq = ['N', 'T'];
  const inputs: ValueSpec[] = [{ name: LM_NAMES.ids, dataType: DataType.INT64, shape: seq }];
  const outputs: ValueSpec[] = [{ name: LM_NAMES.logits, dataType: DataType.FLOAT, shape: [...seq, vocab] }];
  if (!causal) {
    // features = Σ_t keep·h / Σ_t keep   (N, C), as meanPool
    const keep = g.node('Unsqueeze', [tokenMask(LM_NAMES.mask, g, 'pool').keep, g.int64('pool.axis2', [2])], 'pool.weights'); // (N, T, 1)
    const axis1 = g.int64('pool.axis1', [1]);
    const total = g.node('ReduceSum', [g.node('Mul', [h, keep], 'pool.weighted'), axis1], 'pool.sum', { keepdims: 0 }); // (N, C)
    g.node('Div', [total, g.node('ReduceSum', [keep, axis1], 'pool.count', { keepdims: 0 })], LM_NAMES.features); // (N, C) / (N, 1)
    inputs.push({ name: LM_NAMES.mask, dataType: DataType.INT64, shape: seq });
    outputs.push({ name: LM_NAMES.features, dataType: DataType.FLOAT, shape: ['N', dim] });
  }
  return encodeModel({
    irVersion: ir,
    opset,
    producer: 'pretext',
    producerVersion: opts.producerVersion ?? '0.1.0',
    graphName: causal ? 'CausalLM' : 'MaskedLM',
    nodes: g.nodes,
    initializers: g.initializers,
    inputs,
    outputs,
    metadata: opts.metadata,
  });
}
