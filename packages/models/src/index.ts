// @pretext/models: nn modules on @pretext/core.
export { type DenseEncoder, EncoderDecoder, UpsampleDecoder } from './dense.js';
export { BatchNorm, Conv2d, Dropout, Embedding, LayerNorm, Linear } from './layers.js';
export { Init, Module } from './module.js';
export { BasicBlock, ConvBlock, ConvNet, gridWindow, linearHead, MLP, predictorHead, projectionHead, ResNet } from './nets.js';
export { Block, SelfAttention, sinusoidal, Transformer, type TransformerConfig } from './transformer.js';
