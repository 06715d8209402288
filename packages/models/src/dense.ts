// Dense prediction on an encoder's feature map: a decoder that upsamples it back towards the input
// resolution, and the encoder–decoder that chains them (colorization's per-pixel ab logits).
import { type Tensor, upsample2d } from '@pretext/core';
import { Conv2d } from './layers.js';
import { type Init, Module } from './module.js';
import { ConvBlock } from './nets.js';

/** An encoder with a spatial map: (N, C, H, W) → (N, mapChannels, H/mapStride, W/mapStride). */
export type DenseEncoder = Module & { featureMap(x: Tensor): Tensor; mapChannels: number; mapStride: number };

/**
 * Resize-convolution decoder (Odena et al. 2016: no checkerboard, unlike a strided transposed
 * conv): nearest upsample ×scale → conv3×3 → BN → ReLU → conv1×1 with bias → `out` channels.
 */
export class UpsampleDecoder extends Module {
  block: ConvBlock;
  head: Conv2d;
  constructor(init: Init, readonly inChannels: number, readonly hidden: number, readonly outChannels: number, readonly scale = 2) {
    super();
    if (!(Number.isInteger(scale) && scale >= 1)) throw new Error(`UpsampleDecoder: scale must be an integer ≥ 1, got ${scale}`);
    this.block = new ConvBlock(init, inChannels, hidden);
    this.head = new Conv2d(init, hidden, outChannels, 1);
  }
  forward(map: Tensor): Tensor {
    const up = this.scale > 1 ? upsample2d(map, { scale: this.scale }) : map; // (N, C, s·h, s·w)
    return this.head.forward(this.block.forward(up)); // (N, out, s·h, s·w)
  }
}

/** encoder.featureMap → decoder: (N, C, H, W) → (N, out, H·scale/stride, W·scale/stride). */
export class EncoderDecoder extends Module {
  constructor(readonly encoder: DenseEncoder, readonly decoder: UpsampleDecoder) {
    super();
  }
  /** Input pixels per output cell. */
  get stride(): number {
    return this.encoder.mapStride / this.decoder.scale;
  }
  forward(x: Tensor): Tensor {
    return this.decoder.forward(this.encoder.featureMap(x));
  }
}
