// @pretext/core: Tensor, autograd on the kernels, optimizers.
import './methods.js';

export { backward, type GradRule, type Node, type OpAttrs, type OpName, record } from './autograd.js';
export type { AugmentPipeline, Backend, BinaryOp, CompareOp, Conv2dSpec, DType, HostArray, MaskSpec, MlmMaskSpec, ReduceOp, Storage, UpsampleMode } from './backend.js';
export { getBackend, isGradEnabled, keep, liveTensors, noGrad, setBackend, tidy } from './engine.js';
export { GRADS } from './grads.js';
export * from './ops/creation.js';
export * from './ops/elementwise.js';
export * from './ops/loss.js';
export * from './ops/nn.js';
export * from './ops/reduce.js';
export * from './ops/shape.js';
export * from './ops/text.js';
export { broadcastShapes, fmt, type Shape, ShapeError, sizeOf } from './shape.js';
export { Tensor } from './tensor.js';
export { type ArenaEntry, ParamArena } from './optim/arena.js';
export { adam, adamw, lars, Optimizer, type OptimizerOptions, sgd } from './optim/optimizer.js';
export { warmupCosine } from './optim/schedule.js';
export { type CpuStorage, cpuBackend, useCpu } from './backends/cpu.js';
export { type GpuStorage, GpuStore, useWebGpu, webgpuBackend } from './backends/webgpu.js';
export * from './ops/augment.js';
export * from './ops/color.js';
export * from './ops/geometry.js';
export { assign, assignAt, assignRows } from './ops/inplace.js';
export { emaFollower } from './optim/ema.js';
export { decodeSafetensors, encodeSafetensors, f16ToF32, type NamedArray } from './safetensors.js';
