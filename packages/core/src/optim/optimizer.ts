// Optimizers over a ParamArena: SGD (momentum, Nesterov), Adam/AdamW, LARS — each step one fused
// kernel over all parameters; optional clipping by global norm (on the GPU, no readback).
// The optimizer owns the arena's flat buffer reference, the gradient and state buffers and the
// segment layout (dispose() frees them); the parameter tensors stay their module's and outlive it.
import { OPTIMIZER_STATE, type OptimizerSpec, type ParamLayout, type Segment, type Storage } from '../backend.js';
import type { Tensor } from '../tensor.js';
import { ParamArena } from './arena.js';

export interface OptimizerOptions {
  /** Max global gradient norm (clip_grad_norm_); off when absent. */
  clipNorm?: number;
  /**
   * Which parameters get weight decay (and LARS adaptation). Default: rank > 1 only — weight
   * matrices and conv kernels, no biases or norm scales (SimCLR's LARS exclusion, common for AdamW
   * too). torch.optim.SGD/Adam/AdamW decay every parameter of a group; `decay: () => true` matches them.
   */
  decay?: (name: string, t: Tensor) => boolean;
  /**
   * A learning-rate multiplier per parameter (PyTorch's param groups with their own lr), applied
   * by the same fused kernel: `(name) => name.startsWith('encoder.') ? 0.1 : 1`. Default 1.
   */
  lrScale?: (name: string, t: Tensor) => number;
}

type Hyper<K extends OptimizerSpec['kind']> = Omit<Extract<OptimizerSpec, { kind: K }>, 'kind' | 'step'>;

export class Optimizer<K extends OptimizerSpec['kind'] = OptimizerSpec['kind']> {
  readonly arena: ParamArena;
  readonly grads: Storage;
  readonly state: Storage[];
  readonly segments: Segment[];
  private readonly layout: ParamLayout;
  /** Updates taken so far (Adam's t). */
  step = 0;
  lr: number;

  constructor(
    readonly kind: K,
    params: readonly (readonly [string, Tensor])[],
    readonly hyper: Hyper<K>,
    readonly opts: OptimizerOptions = {},
  ) {
    this.arena = new ParamArena(params);
    this.grads = this.arena.zeros();
    this.state = Array.from({ length: OPTIMIZER_STATE[kind] }, () => this.arena.zeros());
    this.segments = this.arena.segments(opts.decay, opts.lrScale);
    this.layout = this.arena.backend.paramLayout(this.arena.n, this.segments);
    this.lr = hyper.lr;
  }

  private disposed = false;

  /** One update from the parameters' .grad (then cleared). */
  update(): void {
    this.checkLive('update');
    const b = this.arena.backend;
    this.arena.gatherGrads(this.grads);
    if (this.opts.clipNorm !== undefined) {
      const norm = b.globalNorm(this.grads);
      b.clipByNorm(this.grads, norm, this.opts.clipNorm);
      b.release(norm);
    }
    this.step++;
    const spec = { ...this.hyper, kind: this.kind, lr: this.lr, step: this.step } as unknown as OptimizerSpec;
    b.optimizerStep(spec, this.arena.flat, this.grads, this.state, this.layout);
    this.zeroGrad();
  }

  zeroGrad(): void {
    for (const e of this.arena.entries) {
      e.tensor.grad?.dispose();
      e.tensor.grad = null;
    }
  }

  /** Optimizer state by name, for checkpoints. */
  stateTensors(): Map<string, Storage> {
    this.checkLive('stateTensors');
    return new Map(this.state.map((s, i) => [`optimizer.state${i}`, s]));
  }

  /**
   * Frees everything the optimizer allocated: the gradient buffer, the state buffers, the segment
   * layout, the parameters' pending .grad tensors and the arena's reference to the flat buffer.
   * The parameters keep working (the model can still be evaluated or saved) until their module's
   * dispose() releases the last view, which frees the flat buffer. Idempotent.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const b = this.arena.backend;
    this.zeroGrad();
    b.release(this.grads);
    for (const s of this.state) b.release(s);
    this.layout.dispose();
    this.arena.dispose();
  }

  private checkLive(op: string): void {
    if (this.disposed) throw new Error(`Optimizer (${this.kind}).${op}: the optimizer was disposed`);
  }
}

export const sgd = (params: readonly (readonly [string, Tensor])[], h: { lr: number; momentum?: number; weightDecay?: number; nesterov?: boolean }, o?: OptimizerOptions) =>
  new Optimizer('sgd', params, { lr: h.lr, momentum: h.momentum ?? 0, weightDecay: h.weightDecay ?? 0, nesterov: h.nesterov ?? false }, o);

export const adamw = (params: readonly (readonly [string, Tensor])[], h: { lr: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number }, o?: OptimizerOptions) =>
  new Optimizer('adam', params, { lr: h.lr, beta1: h.beta1 ?? 0.9, beta2: h.beta2 ?? 0.999, eps: h.eps ?? 1e-8, weightDecay: h.weightDecay ?? 0.01, decoupled: true }, o);

export const adam = (params: readonly (readonly [string, Tensor])[], h: { lr: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number }, o?: OptimizerOptions) =>
  new Optimizer('adam', params, { lr: h.lr, beta1: h.beta1 ?? 0.9, beta2: h.beta2 ?? 0.999, eps: h.eps ?? 1e-8, weightDecay: h.weightDecay ?? 0, decoupled: false }, o);

export const lars = (params: readonly (readonly [string, Tensor])[], h: { lr: number; momentum?: number; weightDecay?: number; eta?: number; nesterov?: boolean }, o?: OptimizerOptions) =>
  new Optimizer('lars', params, { lr: h.lr, momentum: h.momentum ?? 0.9, weightDecay: h.weightDecay ?? 1e-6, eta: h.eta ?? 0.001, nesterov: h.nesterov ?? false }, o);
