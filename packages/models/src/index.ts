// @pretext/models: nn modules on @pretext/core.
export { type DenseEncoder, EncoderDecoder, UpsampleDecoder } from './dense.js';
export { BatchNorm, Conv2d, Dropout, Embedding, LayerNorm, Linear } from './layers.js';
export { Init, Module } from './module.js';
export { BasicBlock, ConvBlock, ConvNet, gridWindow, MLP, projectionHead, ResNet } from './nets.js';
export { Block, KvCache, meanPool, SelfAttention, sinusoidal, Transformer, type TransformerConfig } from './transformer.js';
export { type HostWeight, OnnxExportError, torchName } from './onnx/graph.js';
export type { CallOptions, OnnxEmitter } from './onnx/emitter.js';
export { emitModule, ONNX_MODULES } from './onnx/modules.js';
export { exportOnnx, hostWeights, irVersionOf, ONNX_IR_VERSION, ONNX_OPSETS, type OnnxExportOptions, torchStateDict, type WeightSource } from './onnx/export.js';
export { exportLanguageModelOnnx, type LanguageExportOptions, LM_NAMES } from './onnx/language.js';
export { DataType as OnnxDataType, encodeModel as encodeOnnxModel, type ModelSpec as OnnxModelSpec } from './onnx/proto.js';
