// The shape of a module's ONNX emitter, and the small helpers every row of the table uses.
import type { Module } from '../module.js';
import type { OnnxGraph } from './graph.js';

/** How a parent calls a child (ConvBlock's pool, BatchNorm's fused ReLU, a Transformer's masks). */
export interface CallOptions {
  pool?: number | 'mean';
  relu?: boolean;
  /** Transformer: the key padding mask, an int64 (N, T) graph value, 0 = padding. */
  mask?: string;
  /** Attention: an additive bias on the scores, broadcast to (N, nh, T, T) (causal, padding). */
  bias?: string;
  /** Attention: (N, 1, 1, 1) 1 where a row has a key to attend to, 0 where every key is padding (its output is 0). */
  rowKeep?: string;
}

export interface OnnxEmitter<M extends Module = Module> {
  module: abstract new (...args: never[]) => M;
  /** Adds m's forward on tensor `x` (an ONNX value name) to g; returns the output's name. `path` names the module (node names, errors). */
  emit(m: M, x: string, g: OnnxGraph, path: string, call: CallOptions): string;
}

export const row = <M extends Module>(module: OnnxEmitter<M>['module'], emit: OnnxEmitter<M>['emit']): OnnxEmitter => ({ module, emit } as unknown as OnnxEmitter);
export const join = (path: string, part: string | number): string => (path ? `${path}.${part}` : String(part));
