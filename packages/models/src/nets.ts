// Encoders and heads: MLP, the small ConvNet for 28×28, a CIFAR-style ResNet, projection heads.
import { add, avgPool2d, globalAvgPool2d, lightness, relu, type Tensor } from '@pretext/core';
import { BatchNorm, Conv2d, Linear } from './layers.js';
import { type Init, Module } from './module.js';

/** Linear → [BN] → ReLU → … → Linear. dims = [in, hidden…, out]. */
export class MLP extends Module {
  layers: Linear[];
  norms: BatchNorm[];
  constructor(init: Init, readonly dims: readonly number[], opts: { batchNorm?: boolean } = {}) {
    super();
    this.layers = dims.slice(1).map((d, i) => new Linear(init, dims[i], d, { bias: !(opts.batchNorm && i < dims.length - 2) }));
    this.norms = opts.batchNorm ? dims.slice(1, -1).map((d) => new BatchNorm(init, d)) : [];
  }
  forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((l, i) => {
      h = l.forward(h);
      if (i < this.layers.length - 1) {
        h = this.norms[i] ? this.norms[i].forward(h, { relu: true }) : relu(h);
      }
    });
    return h;
  }
}

/** conv3×3 → BN → ReLU [→ max pool k×k of stride k, or global average pool], BN to pool in one pass. */
export class ConvBlock extends Module {
  conv: Conv2d;
  bn: BatchNorm;
  constructor(init: Init, cin: number, cout: number, stride = 1) {
    super();
    this.conv = new Conv2d(init, cin, cout, 3, { stride, padding: 1, bias: false });
    this.bn = new BatchNorm(init, cout);
  }
  forward(x: Tensor, opts: { pool?: number | 'mean' } = {}): Tensor {
    const h = this.conv.forward(x);
    return opts.pool ? this.bn.forwardReluPool(h, opts.pool) : this.bn.forward(h, { relu: true });
  }
}

/**
 * The small ConvNet for 28×28 input: three conv-BN-ReLU blocks of width w, 2w, 4w
 * (default 32/64/128), 2×2 max-pool after the first two, then average pooling of the last map
 * (N, 4w, H/4, W/4) to a grid × grid of cells, flattened → (N, 4w·grid²). grid = 1 (default) is
 * global average pooling; grid = 2 keeps where in the image a feature fired (left/right,
 * top/bottom), which a linear classifier on 28×28 objects uses a lot. downsample = s > 1 first
 * average-pools the input s×s (64×64 emoji → 32×32: a quarter of the convolution work, and the
 * same network at training and evaluation). input 'lightness' takes RGB images and sees only
 * their L/100 (one channel; colorization's encoder, which must never see colour). featureMap()
 * is the last map before pooling, for dense decoders.
 */
export class ConvNet extends Module {
  blocks: ConvBlock[];
  readonly featureDim: number;
  readonly grid: number;
  readonly downsample: number;
  readonly input: 'pixels' | 'lightness';
  /** Channels and stride (input pixels per map cell) of featureMap(). */
  readonly mapChannels: number;
  readonly mapStride: number;
  constructor(init: Init, readonly inChannels = 1, readonly width = 32, opts: { grid?: number; downsample?: number; input?: 'pixels' | 'lightness' } = {}) {
    super();
    const w = [width, 2 * width, 4 * width];
    this.grid = opts.grid ?? 1;
    this.downsample = opts.downsample ?? 1;
    this.input = opts.input ?? 'pixels';
    if (!(Number.isInteger(this.grid) && this.grid >= 1)) throw new Error(`ConvNet: grid must be an integer ≥ 1, got ${opts.grid}`);
    if (!(Number.isInteger(this.downsample) && this.downsample >= 1)) throw new Error(`ConvNet: downsample must be an integer ≥ 1, got ${opts.downsample}`);
    if (this.input === 'lightness' && inChannels !== 1) throw new Error(`ConvNet: input 'lightness' is one channel (L of RGB images), got inChannels ${inChannels}`);
    this.blocks = [new ConvBlock(init, inChannels, w[0]), new ConvBlock(init, w[0], w[1]), new ConvBlock(init, w[1], w[2])];
    this.featureDim = w[2] * this.grid * this.grid;
    this.mapChannels = w[2];
    this.mapStride = 4 * this.downsample;
  }
  /** The first two blocks: (N, C, H, W) → (N, 2w, H/(4s), W/(4s)). */
  private trunk(x: Tensor): Tensor {
    let h = this.input === 'lightness' ? lightness(x) : x; // (N, 1, H, W) from RGB
    if (this.downsample > 1) h = avgPool2d(h, this.downsample); // (N, C, H/s, W/s), 28×28 below
    h = this.blocks[0].forward(h, { pool: 2 }); // (N, w, 14, 14)
    return this.blocks[1].forward(h, { pool: 2 }); // (N, 2w, 7, 7)
  }
  /** The last block's map before pooling, (N, 4w, H/(4s), W/(4s)). */
  featureMap(x: Tensor): Tensor {
    return this.blocks[2].forward(this.trunk(x));
  }
  forward(x: Tensor): Tensor {
    if (this.grid === 1) return this.blocks[2].forward(this.trunk(x), { pool: 'mean' }); // (N, 4w, 7, 7) → (N, 4w)
    const h = this.featureMap(x); // (N, 4w, 7, 7)
    const [n, , ph, pw] = h.shape;
    const [kh, sh] = gridWindow(ph, this.grid);
    const [kw, sw] = gridWindow(pw, this.grid);
    return avgPool2d(h, [kh, kw], [sh, sw]).reshape([n, this.featureDim]); // (N, 4w, g, g) → (N, 4w·g²)
  }
}

/** Window and stride that cut a side of n cells into g equal, possibly overlapping, windows (7, 2 → 4, 3). */
export function gridWindow(n: number, g: number): [number, number] {
  const k = Math.ceil(n / g);
  const s = g > 1 ? Math.max(1, Math.floor((n - k) / (g - 1))) : 1;
  if (n < g || Math.floor((n - k) / s) + 1 !== g) throw new Error(`ConvNet: a ${n}-cell side cannot be pooled to a grid of ${g} equal windows`);
  return [k, s];
}

/** ResNet basic block: two conv3×3-BN, identity or 1×1-conv shortcut. */
export class BasicBlock extends Module {
  a: ConvBlock;
  conv2: Conv2d;
  bn2: BatchNorm;
  short?: Conv2d;
  shortBn?: BatchNorm;
  constructor(init: Init, cin: number, cout: number, stride: number) {
    super();
    this.a = new ConvBlock(init, cin, cout, stride);
    this.conv2 = new Conv2d(init, cout, cout, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm(init, cout);
    if (stride !== 1 || cin !== cout) {
      this.short = new Conv2d(init, cin, cout, 1, { stride, bias: false });
      this.shortBn = new BatchNorm(init, cout);
    }
  }
  forward(x: Tensor): Tensor {
    const h = this.bn2.forward(this.conv2.forward(this.a.forward(x)));
    const s = this.short && this.shortBn ? this.shortBn.forward(this.short.forward(x)) : x;
    return relu(add(h, s));
  }
}

/** CIFAR-style ResNet: 3×3 stem, stages of BasicBlocks (widths w, 2w, 4w, …), global pool. */
export class ResNet extends Module {
  stem: ConvBlock;
  blocks: BasicBlock[];
  readonly featureDim: number;
  constructor(init: Init, readonly opts: { inChannels?: number; width?: number; stages?: readonly number[] } = {}) {
    super();
    const width = opts.width ?? 16;
    const stages = opts.stages ?? [1, 1, 1];
    this.stem = new ConvBlock(init, opts.inChannels ?? 3, width);
    this.blocks = [];
    let c = width;
    stages.forEach((n, s) => {
      const cout = width * 2 ** s;
      for (let i = 0; i < n; i++) {
        this.blocks.push(new BasicBlock(init, c, cout, i === 0 && s > 0 ? 2 : 1));
        c = cout;
      }
    });
    this.featureDim = c;
  }
  forward(x: Tensor): Tensor {
    let h = this.stem.forward(x);
    for (const b of this.blocks) h = b.forward(h);
    return globalAvgPool2d(h);
  }
}

/** SimCLR's projection head: Linear → BN → ReLU → Linear. */
export const projectionHead = (init: Init, dim: number, hidden: number, out: number): MLP => new MLP(init, [dim, hidden, out], { batchNorm: true });
