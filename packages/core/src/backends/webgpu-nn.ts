// webgpu backend, part 2: the neural-network kernels (matmul, softmax, attention, losses, conv,
// pooling, norms, dropout, augmentation, optimizer steps).
import { contiguousStrides, type Gpu, type GpuArray, numel } from '@pretext/gpu';
import * as K from '@pretext/kernels';
import type { Conv2dSpec, InfonceSpec, MaskSpec, MlmMaskSpec, OptimizerSpec, ParamLayout, PoolSpec, Saved, Segment } from '../backend.js';
import type { Shape } from '../shape.js';
import type { GpuStorage } from './webgpu.js';

type S = GpuStorage;

const maskOpts = (m: MaskSpec<S>) => ({ mask: m.mask, causal: m.causal, causalOffset: m.causalOffset });
const convOpts = (c: Conv2dSpec) => ({ stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
const poolOpts = (p: PoolSpec) => ({ kernel: p.kernel, stride: p.stride, padding: p.padding });

export function webgpuNnOps(gpu: Gpu, own: (a: GpuArray) => S) {
  const ownAll = <T extends Record<string, GpuArray | undefined>>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v).map(([k, v]) => [k, own(v as GpuArray)])) as { [P in keyof T]: S };
  return {
    gather: (x: S, idx: S) => own(K.gather(gpu, x, idx)),
    scatterAddRows: (dy: S, idx: S, rows: number) => own(K.scatterAddRows(gpu, dy, idx, rows)),
    matmul: (a: S, b: S, transA: boolean, transB: boolean, bias?: S) => own(K.matmul(gpu, a, b, { transA, transB, bias })),

    softmax: (x: S, scale: number, m: MaskSpec<S>, log: boolean) => own((log ? K.logSoftmax : K.softmax)(gpu, x, { scale, ...maskOpts(m) })),
    softmaxBackward: (y: S, dy: S, scale: number, log: boolean) => own((log ? K.logSoftmaxBackward : K.softmaxBackward)(gpu, y, dy, { scale })),
    attention: (q: S, k: S, v: S, scale: number, m: MaskSpec<S>) => {
      const { out, lse } = K.attention(gpu, q, k, v, { scale, ...maskOpts(m) });
      return { out: own(out), saved: { lse: own(lse) } as Saved<S> };
    },
    attentionBackward: (q: S, k: S, v: S, out: S, dout: S, saved: Saved<S>, scale: number, m: MaskSpec<S>) =>
      ownAll(K.attentionBackward(gpu, q, k, v, out, saved.lse, dout, { scale, ...maskOpts(m) })),

    crossEntropy: (logits: S, targets: S, ignoreIndex: number, smoothing: number) => {
      const r = K.crossEntropy(gpu, logits, targets, { ignoreIndex, labelSmoothing: smoothing });
      return { loss: own(r.loss), accuracy: own(r.accuracy), saved: { lse: own(r.lse), count: own(r.count) } as Saved<S> };
    },
    crossEntropyBackward: (logits: S, targets: S, dloss: S, saved: Saved<S>, ignoreIndex: number, smoothing: number) =>
      own(K.crossEntropyBackward(gpu, logits, targets, { lse: saved.lse, count: saved.count }, dloss, { ignoreIndex, labelSmoothing: smoothing })),
    softCrossEntropy: (logits: S, index: S, prob: S, weight: S | null) => {
      const r = K.softCrossEntropy(gpu, logits, { index, prob }, { weight: weight ?? undefined });
      return { loss: own(r.loss), accuracy: own(r.accuracy), saved: { lse: own(r.lse) } as Saved<S> };
    },
    softCrossEntropyBackward: (logits: S, index: S, prob: S, weight: S | null, dloss: S, saved: Saved<S>) =>
      own(K.softCrossEntropyBackward(gpu, logits, { index, prob }, { lse: saved.lse }, dloss, { weight: weight ?? undefined })),
    softAssign: (points: S, codebook: S, k: number, sigma: number, codeWeights: S | null) => {
      const r = K.softAssign(gpu, points, codebook, { k, sigma, codeWeights: codeWeights ?? undefined });
      return { index: own(r.index), prob: own(r.prob), ...(r.weight ? { weight: own(r.weight) } : {}) };
    },
    infonce: (q: S, k: S, pos: S | null, o: InfonceSpec<S>) => {
      if (!pos) {
        const r = K.ntXent(gpu, q, { tau: o.tau, normalize: o.normalize });
        if (!o.gradQ) gpu.free(r.dZ);
        return { loss: own(r.loss), accuracy: own(r.accuracy), ...(o.gradQ ? { dq: own(r.dZ) } : {}) };
      }
      const r = K.infonce(gpu, q, k, pos, { tau: o.tau, normalize: o.normalize, maskSelf: o.maskSelf, batchNegatives: o.batchNegatives, queue: o.queue, gradQ: o.gradQ, gradK: o.gradK });
      return { loss: own(r.loss), accuracy: own(r.accuracy), ...(r.dQ ? { dq: own(r.dQ) } : {}), ...(r.dK ? { dk: own(r.dK) } : {}) };
    },

    conv2d: (x: S, w: S, bias: S | undefined, spec: Conv2dSpec) => own(K.conv2d(gpu, x, w, bias, convOpts(spec))),
    conv2dBackward: (x: S, w: S, dy: S, spec: Conv2dSpec, hasBias: boolean, needDx: boolean) => {
      const { dw, db } = K.conv2dBackwardWeight(gpu, dy, x, w.shape, { ...convOpts(spec), bias: hasBias });
      const dx = needDx ? own(K.conv2dBackwardData(gpu, dy, w, x.shape, convOpts(spec))) : undefined;
      return { dx, dw: own(dw), ...(db ? { db: own(db) } : {}) };
    },
    maxPool2d: (x: S, p: PoolSpec) => {
      const { y, indices } = K.maxPool2d(gpu, x, poolOpts(p));
      return { out: own(y), saved: { indices: own(indices) } as Saved<S> };
    },
    maxPool2dBackward: (dy: S, xShape: Shape, saved: Saved<S>, p: PoolSpec) => own(K.maxPool2dBackward(gpu, dy, saved.indices, xShape, poolOpts(p))),
    avgPool2d: (x: S, p: PoolSpec) => own(K.avgPool2d(gpu, x, poolOpts(p))),
    avgPool2dBackward: (dy: S, xShape: Shape, p: PoolSpec) => own(K.avgPool2dBackward(gpu, dy, xShape, poolOpts(p))),
    upsample2d: (x: S, size: [number, number], mode: K.UpsampleMode) => own(K.upsample2d(gpu, x, { size, mode })),
    upsample2dBackward: (dy: S, xShape: Shape, mode: K.UpsampleMode) => own(K.upsample2dBackward(gpu, dy, xShape, { size: [dy.shape[2], dy.shape[3]], mode })),

    layerNorm: (x: S, w: S, b: S, eps: number) => {
      const r = K.layernorm(gpu, x, w, b, { eps });
      return { out: own(r.y), saved: { mean: own(r.mean), rstd: own(r.rstd) } as Saved<S> };
    },
    layerNormBackward: (x: S, w: S, dy: S, saved: Saved<S>) => {
      const r = K.layernormBackward(gpu, dy, x, w, saved.mean, saved.rstd);
      return { dx: own(r.dx), dw: own(r.dweight), db: own(r.dbias) };
    },
    batchNorm: (x: S, w: S, b: S, runMean: S, runVar: S, training: boolean, momentum: number, eps: number, relu: boolean) => {
      const r = K.batchnorm(gpu, x, w, b, runMean, runVar, { training, relu, momentum, eps });
      const saved: Saved<S> = {};
      if (r.mean) saved.mean = own(r.mean);
      if (r.invstd) saved.invstd = own(r.invstd);
      return { out: own(r.y), saved };
    },
    batchNormBackward: (x: S, w: S, dy: S, saved: Saved<S>, reluBias: S | null) => {
      const r = K.batchnormBackward(gpu, dy, x, w, saved.mean, saved.invstd, { reluBeta: reluBias ?? undefined });
      return { dx: own(r.dx), dw: own(r.dgamma), db: own(r.dbeta) };
    },
    batchNormReluPool: (x: S, w: S, b: S, runMean: S, runVar: S, training: boolean, momentum: number, eps: number, pool: number | 'mean') => {
      const r = K.batchnormReluPool(gpu, x, w, b, runMean, runVar, { pool, training, momentum, eps });
      const saved: Saved<S> = {};
      if (r.mean) saved.mean = own(r.mean);
      if (r.invstd) saved.invstd = own(r.invstd);
      return { out: own(r.y), saved };
    },
    batchNormReluPoolBackward: (x: S, w: S, b: S, dy: S, saved: Saved<S>, pool: number | 'mean') => {
      const r = K.batchnormReluPoolBackward(gpu, dy, x, w, b, saved.mean, saved.invstd, { pool });
      return { dx: own(r.dx), dw: own(r.dgamma), db: own(r.dbeta) };
    },
    dropout: (x: S, p: number, seed: number, stream: number) => own(K.dropout(gpu, x, p, { seed, stream })),
    mlmMask: (ids: S, m: MlmMaskSpec) => ownAll(K.mlmMask(gpu, ids, m)),
    augment: (images: S, pipeline: K.Pipeline, seed: number, outSize: [number, number], views: number) => own(K.augment(gpu, images, pipeline, { seed, outSize, views })),
    rotate90: (images: S, seed: number, labels: Int32Array | undefined) => ownAll(K.rotate90(gpu, images, { seed, labels })),
    jigsaw: (images: S, l: K.JigsawLayout, permutations: Int32Array, seed: number) => ownAll(K.jigsaw(gpu, images, { ...l, permutations, seed })),
    contextPatches: (images: S, size: number, gap: number, jitter: number, seed: number) => ownAll(K.contextPatches(gpu, images, { size, gap, jitter, seed })),
    lab: (images: S, toLab: boolean) => own((toLab ? K.rgbToLab : K.labToRgb)(gpu, images)),

    viewAt: (flat: S, offset: number, shape: Shape): S => {
      if (offset + numel(shape) > numel(flat.shape)) throw new RangeError(`viewAt: [${offset}, ${offset + numel(shape)}) is outside the flat buffer of ${numel(flat.shape)}`);
      return own({ buffer: flat.buffer, dtype: flat.dtype, shape: [...shape], offset: (flat.offset ?? 0) + offset * 4 });
    },
    copyInto: (src: S, dst: S, offset = 0) => {
      if (offset === 0 && numel(src.shape) === numel(dst.shape)) K.unary(gpu, 'copy', src, { out: dst });
      else K.stridedCopy(gpu, src, dst, { shape: [numel(src.shape)], xStrides: [1], outStrides: [1], outOffset: offset }, 'copy.into');
    },
    copyAlong: (src: S, dst: S, axis: number, start: number) => {
      const outStrides = contiguousStrides(dst.shape);
      K.stridedCopy(gpu, src, dst, { shape: src.shape, xStrides: contiguousStrides(src.shape), outStrides, outOffset: start * outStrides[axis] }, 'copy.along');
    },
    paramLayout: (n: number, segments: readonly Segment[]): ParamLayout => K.paramLayout(gpu, n, segments),
    optimizerStep: (o: OptimizerSpec, w: S, g: S, state: readonly S[], layout: ParamLayout) => {
      if (!('table' in layout)) throw new Error('optimizerStep: the layout was made by another backend');
      if (layout.n !== numel(w.shape)) throw new Error(`optimizerStep: the layout covers ${layout.n} elements, the parameters ${numel(w.shape)}`);
      const l = layout as K.ParamLayout;
      if (o.kind === 'sgd') K.sgdStep(gpu, l, w, g, o.momentum > 0 ? state[0] : null, o);
      else if (o.kind === 'adam') K.adamStep(gpu, l, w, g, { m: state[0], v: state[1] }, o);
      else K.larsStep(gpu, l, w, g, state[0], o);
    },
    globalNorm: (g: S) => own(K.globalNorm(gpu, g)),
    clipByNorm: (g: S, norm: S, maxNorm: number) => {
      K.clipByNorm(gpu, g, norm, maxNorm);
    },
    ema: (target: S, source: S, m: number) => {
      K.ema(gpu, target, source, m);
    },
  };
}
