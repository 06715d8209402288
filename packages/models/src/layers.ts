// Basic layers with PyTorch's shapes and default initialisation.
import { batchNorm, batchNormReluPool, conv2d, dropout, full, gather, layerNorm, linear, type Tensor, zeros } from '@pretext/core';
import { type Init, Module } from './module.js';

/** y = x·Wᵀ + b; W (out, in). */
export class Linear extends Module {
  weight: Tensor;
  bias?: Tensor;
  constructor(init: Init, readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean } = {}) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = init.uniform([outFeatures, inFeatures], bound);
    if (opts.bias ?? true) this.bias = init.uniform([outFeatures], bound);
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

/** NCHW convolution; weight (Cout, Cin/groups, k, k). */
export class Conv2d extends Module {
  weight: Tensor;
  bias?: Tensor;
  constructor(
    init: Init,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    readonly opts: { stride?: number; padding?: number; dilation?: number; groups?: number; bias?: boolean } = {},
  ) {
    super();
    const groups = opts.groups ?? 1;
    const fanIn = (inChannels / groups) * kernel * kernel;
    this.weight = init.uniform([outChannels, inChannels / groups, kernel, kernel], 1 / Math.sqrt(fanIn));
    if (opts.bias ?? true) this.bias = init.uniform([outChannels], 1 / Math.sqrt(fanIn));
  }
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.opts);
  }
}

/** Batch norm over channels of (N, C) or (N, C, H, W); running stats as buffers. */
export class BatchNorm extends Module {
  weight: Tensor;
  bias: Tensor;
  constructor(init: Init, readonly channels: number, readonly opts: { momentum?: number; eps?: number } = {}) {
    super();
    this.weight = init.ones([channels]);
    this.bias = init.zeros([channels]);
    this.buffers.runningMean = zeros([channels]);
    this.buffers.runningVar = full([channels], 1);
  }
  /** relu: max(0, ·) fused into the same pass. */
  forward(x: Tensor, opts: { relu?: boolean } = {}): Tensor {
    return batchNorm(x, this.weight, this.bias, this.buffers.runningMean, this.buffers.runningVar, { training: this.training, ...this.opts, relu: opts.relu });
  }
  /** pool(relu(this(x))) in one pass each way, pool k = k×k max pool of stride k, 'mean' = global average pool; the ReLU'd map is never stored. */
  forwardReluPool(x: Tensor, pool: number | 'mean'): Tensor {
    return batchNormReluPool(x, this.weight, this.bias, this.buffers.runningMean, this.buffers.runningVar, pool, { training: this.training, ...this.opts });
  }
}

export class LayerNorm extends Module {
  weight: Tensor;
  bias: Tensor;
  constructor(init: Init, readonly dim: number, readonly eps = 1e-5) {
    super();
    this.weight = init.ones([dim]);
    this.bias = init.zeros([dim]);
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

/** Lookup table (vocab, dim), N(0, 1) init as PyTorch. */
export class Embedding extends Module {
  weight: Tensor;
  constructor(init: Init, readonly vocab: number, readonly dim: number, std = 1) {
    super();
    this.weight = init.normal([vocab, dim], std);
  }
  /** ids: i32 (…) → (…, dim) */
  forward(ids: Tensor): Tensor {
    return gather(this.weight, ids);
  }
}

/** Inverted dropout; a new mask every call (the stream advances), reproducible from the seed. */
export class Dropout extends Module {
  private calls = 0;
  constructor(readonly p: number, readonly seed: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, seed: this.seed, stream: this.calls++ });
  }
}
