// cpu backend, part 2: the neural-network references. float64 inside, f32 storages outside.
import * as R from '@pretext/kernels';
import type { Conv2dSpec, InfonceSpec, MaskSpec, MlmMaskSpec, OptimizerSpec, ParamLayout, PoolSpec, Saved, Segment } from '../backend.js';
import { type Shape, sizeOf } from '../shape.js';
import type { CpuStorage, Makers } from './cpu.js';

type S = CpuStorage;

const refMask = (m: MaskSpec<S>) => ({
  mask: m.mask ? { data: m.mask.data, shape: m.mask.shape, additive: m.maskKind !== 'boolean' && m.mask.dtype === 'f32' } : undefined,
  causal: m.causal,
});
const poolGeom = (x: Shape, p: PoolSpec): R.PoolGeometry => R.poolGeometry('pool', x, { kernel: p.kernel, stride: p.stride, padding: p.padding });
const convGeom = (x: Shape, w: Shape, c: Conv2dSpec) => R.conv2dGeometry('conv2d', x, w, c);
const segsOf = (segs: readonly Segment[]) => segs.map((s) => ({ weightDecay: 1, lr: 1, lars: (s.weightDecay ?? 1) !== 0, ...s }) as Required<Segment>);
const f64 = (s: S) => Float64Array.from(s.data);

export function cpuNnOps({ f32, i32 }: Makers) {
  return {
    gather: (x: S, idx: S) => f32(R.gatherRef(x.data, x.shape[0], sizeOf(x.shape.slice(1)), idx.data), [...idx.shape, ...x.shape.slice(1)]),
    scatterAddRows: (dy: S, idx: S, rows: number) => {
      const d = dy.data.length / idx.data.length;
      return f32(R.scatterAddRowsRef(dy.data, d, idx.data, rows), [rows, ...dy.shape.slice(idx.shape.length)]);
    },
    matmul: (a: S, b: S, transA: boolean, transB: boolean, bias?: S) => {
      const s = R.matmulShape(a.shape, b.shape, transA, transB);
      return f32(R.matmulRef(a.data, a.shape, b.data, b.shape, { transA, transB, bias: bias?.data }), [...s.batchShape, s.M, s.N]);
    },

    softmax: (x: S, scale: number, m: MaskSpec<S>, log: boolean) => f32(R.softmaxRef(x.data, x.shape, { scale, ...refMask(m) }, log), x.shape),
    // dx = scale·y⊙(dy − Σ dy⊙y);  log-softmax: dx = scale·(dy − softmax·Σ dy)
    softmaxBackward: (y: S, dy: S, scale: number, log: boolean) => {
      const len = y.shape[y.shape.length - 1];
      const dx = new Float64Array(y.data.length);
      for (let r = 0; r < y.data.length / len; r++) {
        let dot = 0;
        for (let j = 0; j < len; j++) dot += log ? dy.data[r * len + j] : dy.data[r * len + j] * y.data[r * len + j];
        for (let j = 0; j < len; j++) {
          const i = r * len + j;
          dx[i] = scale * (log ? dy.data[i] - Math.exp(y.data[i]) * dot : y.data[i] * (dy.data[i] - dot));
        }
      }
      return f32(dx, y.shape);
    },
    attention: (q: S, k: S, v: S, scale: number, m: MaskSpec<S>) => {
      const [b, h, tq, d] = q.shape;
      const r = R.attentionRef({ q: q.data, k: k.data, v: v.data, b, h, tq, tk: k.shape[2], d, scale, ...attnMask(m) });
      return { out: f32(r.out, [b, h, tq, v.shape[3]]), saved: { lse: f32(r.lse, [b, h, tq]) } as Saved<S> };
    },
    attentionBackward: (q: S, k: S, v: S, _out: S, dout: S, _saved: Saved<S>, scale: number, m: MaskSpec<S>) => {
      const [b, h, tq, d] = q.shape;
      const r = R.attentionBackwardRef({ q: q.data, k: k.data, v: v.data, b, h, tq, tk: k.shape[2], d, scale, ...attnMask(m) }, dout.data);
      return { dq: f32(r.dq, q.shape), dk: f32(r.dk, k.shape), dv: f32(r.dv, v.shape) };
    },

    crossEntropy: (logits: S, targets: S, ignoreIndex: number, smoothing: number) => {
      const [rows, c] = logits.shape;
      const r = R.crossEntropyRef(logits.data, targets.data, rows, c, { ignoreIndex, labelSmoothing: smoothing });
      return { loss: f32([r.loss], [1]), accuracy: f32([r.accuracy], [1]), saved: {} as Saved<S> };
    },
    crossEntropyBackward: (logits: S, targets: S, dloss: S, _saved: Saved<S>, ignoreIndex: number, smoothing: number) => {
      const [rows, c] = logits.shape;
      return f32(R.crossEntropyBackwardRef(logits.data, targets.data, rows, c, dloss.data[0], { ignoreIndex, labelSmoothing: smoothing }), logits.shape);
    },
    softCrossEntropy: (logits: S, index: S, prob: S, weight: S | null) => {
      const r = R.softCrossEntropyRef(logits.data, logits.shape, index.data, prob.data, { weight: weight?.data });
      return { loss: f32([r.loss], [1]), accuracy: f32([r.accuracy], [1]), saved: {} as Saved<S> };
    },
    softCrossEntropyBackward: (logits: S, index: S, prob: S, weight: S | null, dloss: S, _saved: Saved<S>) =>
      f32(R.softCrossEntropyBackwardRef(logits.data, logits.shape, index.data, prob.data, dloss.data[0], { weight: weight?.data }), logits.shape),
    softAssign: (points: S, codebook: S, k: number, sigma: number, codeWeights: S | null) => {
      const [n, , ...spatial] = points.shape;
      const r = R.softAssignRef(points.data, points.shape, codebook.data, k, sigma, codeWeights?.data);
      return { index: i32(r.index, [n, k, ...spatial]), prob: f32(r.prob, [n, k, ...spatial]), ...(r.weight ? { weight: f32(r.weight, [n, ...spatial]) } : {}) };
    },
    infonce: (q: S, k: S, pos: S | null, o: InfonceSpec<S>) => {
      const [m, d] = q.shape;
      if (!pos) {
        const r = R.ntXentRef(q.data, m, d, o.tau, { normalize: o.normalize });
        return { loss: f32([r.loss], [1]), accuracy: f32([r.accuracy], [1]), ...(o.gradQ ? { dq: f32(r.dZ, q.shape) } : {}) };
      }
      const keys = o.queue ? Float64Array.from([...k.data, ...o.queue.data]) : k.data;
      const n = k.shape[0] + (o.queue?.shape[0] ?? 0);
      if (!o.batchNegatives && o.gradK) throw new Error('infonce: batchNegatives false needs gradK false (the keys of k other than the positive take no part)');
      const ownKeyOnly = o.batchNegatives ? undefined : k.shape[0];
      const r = R.infonceRef({ q: q.data, keys, m, n, d, pos: pos.data, tau: o.tau, maskSelf: o.maskSelf, ownKeyOnly, normalize: o.normalize, weight: 1 / m });
      return {
        loss: f32([r.loss], [1]),
        accuracy: f32([r.accuracy], [1]),
        ...(o.gradQ ? { dq: f32(r.dQ, q.shape) } : {}),
        ...(o.gradK ? { dk: f32(r.dK.subarray(0, k.data.length), k.shape) } : {}),
      };
    },

    conv2d: (x: S, w: S, bias: S | undefined, spec: Conv2dSpec) => {
      const g = convGeom(x.shape, w.shape, spec);
      return f32(R.conv2dRef(g, x.data, w.data, bias?.data), R.conv2dOutputShape(g));
    },
    conv2dBackward: (x: S, w: S, dy: S, spec: Conv2dSpec, hasBias: boolean, needDx: boolean) => {
      const r = R.conv2dBackwardRef(convGeom(x.shape, w.shape, spec), dy.data, x.data, w.data);
      return { dx: needDx ? f32(r.dx, x.shape) : undefined, dw: f32(r.dw, w.shape), ...(hasBias ? { db: f32(r.db, [w.shape[0]]) } : {}) };
    },
    maxPool2d: (x: S, p: PoolSpec) => {
      const g = poolGeom(x.shape, p);
      const r = R.maxPool2dRef(g, x.data);
      return { out: f32(r.y, [g.n, g.c, g.ho, g.wo]), saved: { indices: i32(r.indices, [g.n, g.c, g.ho, g.wo]) } as Saved<S> };
    },
    maxPool2dBackward: (dy: S, xShape: Shape, saved: Saved<S>, p: PoolSpec) => f32(R.maxPool2dBackwardRef(poolGeom(xShape, p), dy.data, saved.indices.data), xShape),
    avgPool2d: (x: S, p: PoolSpec) => {
      const g = poolGeom(x.shape, p);
      return f32(R.avgPool2dRef(g, x.data), [g.n, g.c, g.ho, g.wo]);
    },
    avgPool2dBackward: (dy: S, xShape: Shape, p: PoolSpec) => f32(R.avgPool2dBackwardRef(poolGeom(xShape, p), dy.data), xShape),
    upsample2d: (x: S, size: [number, number], mode: R.UpsampleMode) => f32(R.upsample2dRef(x.data, x.shape, size, mode), [x.shape[0], x.shape[1], ...size]),
    upsample2dBackward: (dy: S, xShape: Shape, mode: R.UpsampleMode) => f32(R.upsample2dBackwardRef(dy.data, xShape, [dy.shape[2], dy.shape[3]], mode), xShape),

    layerNorm: (x: S, w: S, b: S, eps: number) => {
      const d = x.shape[x.shape.length - 1];
      const r = R.layernormRef(x.data, w.data, b.data, d, eps);
      return { out: f32(r.y, x.shape), saved: { eps: f32([eps], [1]) } as Saved<S> };
    },
    layerNormBackward: (x: S, w: S, dy: S, saved: Saved<S>) => {
      const d = x.shape[x.shape.length - 1];
      const r = R.layernormBackwardRef(dy.data, x.data, w.data, d, saved.eps.data[0]);
      return { dx: f32(r.dx, x.shape), dw: f32(r.dweight, [d]), db: f32(r.dbias, [d]) };
    },
    batchNorm: (x: S, w: S, b: S, runMean: S, runVar: S, training: boolean, momentum: number, eps: number, relu: boolean) => {
      const dims: [number, number, number] = [x.shape[0], x.shape[1], sizeOf(x.shape.slice(2))];
      const r = R.batchnormRef(x.data, dims, w.data, b.data, { mean: runMean.data, var: runVar.data }, { training, relu, momentum, eps });
      if (training) {
        runMean.data.set(r.runningMean);
        runVar.data.set(r.runningVar);
      }
      return { out: f32(r.y, x.shape), saved: { eps: f32([eps], [1]) } as Saved<S> };
    },
    batchNormBackward: (x: S, w: S, dy: S, saved: Saved<S>, reluBias: S | null) => {
      const dims: [number, number, number] = [x.shape[0], x.shape[1], sizeOf(x.shape.slice(2))];
      const r = R.batchnormBackwardRef(dy.data, x.data, dims, w.data, saved.eps.data[0], reluBias?.data);
      return { dx: f32(r.dx, x.shape), dw: f32(r.dgamma, [dims[1]]), db: f32(r.dbeta, [dims[1]]) };
    },
    batchNormReluPool: (x: S, w: S, b: S, runMean: S, runVar: S, training: boolean, momentum: number, eps: number, pool: number | 'mean') => {
      const [n, c, h, wd] = x.shape;
      const r = R.batchnormReluPoolRef(x.data, [n, c, h, wd], w.data, b.data, { mean: runMean.data, var: runVar.data }, pool, { training, momentum, eps });
      if (training) {
        runMean.data.set(r.runningMean);
        runVar.data.set(r.runningVar);
      }
      return { out: f32(r.y, pool === 'mean' ? [n, c] : [n, c, Math.floor(h / pool), Math.floor(wd / pool)]), saved: { eps: f32([eps], [1]) } as Saved<S> };
    },
    batchNormReluPoolBackward: (x: S, w: S, b: S, dy: S, saved: Saved<S>, pool: number | 'mean') => {
      const [n, c, h, wd] = x.shape;
      const r = R.batchnormReluPoolBackwardRef(dy.data, x.data, [n, c, h, wd], w.data, b.data, pool, saved.eps.data[0]);
      return { dx: f32(r.dx, x.shape), dw: f32(r.dgamma, [c]), db: f32(r.dbeta, [c]) };
    },
    dropout: (x: S, p: number, seed: number, stream: number) => f32(R.dropoutRef(x.data, p, seed, stream), x.shape),
    mlmMask: (ids: S, m: MlmMaskSpec) => {
      const [b, t] = ids.shape;
      const q = R.mlmShareQ;
      const r = R.mlmMaskRef(ids.data, { b, t, vocab: m.vocab, special: m.special, maskId: m.maskId, rateQ: q(m.rate), maskQ: q(m.maskShare), randomQ: q(m.randomShare), seed: m.seed, stream: m.stream, ignore: m.ignoreIndex });
      return { inputs: i32(r.inputs, [b, t]), targets: i32(r.targets, [b * t]) };
    },
    augment: (images: S, pipeline: R.Pipeline, seed: number, outSize: [number, number], views: number) => {
      const [n, c] = images.shape;
      return f32(R.augmentRef(images.data, images.shape, pipeline, { seed, outSize, views }), [views * n, c, outSize[0], outSize[1]]);
    },
    rotate90: (images: S, seed: number, given: Int32Array | undefined) => {
      const labels = given ?? R.drawRotations(seed, images.shape[0]);
      return { images: f32(R.rot90Ref(images.data, images.shape, labels), images.shape), labels: i32(labels, [labels.length]) };
    },
    jigsaw: (images: S, l: R.JigsawLayout, permutations: Int32Array, seed: number) => {
      const [n, c, h, w] = images.shape;
      const k = l.grid * l.grid;
      const { origins, labels } = R.drawJigsawTiles(seed, n, h, w, l, permutations);
      return { tiles: f32(R.tilesRef(images.data, images.shape, k, l.size, origins), [n, k, c, l.size, l.size]), labels: i32(labels, [n]) };
    },
    contextPatches: (images: S, size: number, gap: number, jitter: number, seed: number) => {
      const [n, c, h, w] = images.shape;
      const { origins, labels } = R.drawPatches(seed, n, h, w, size, gap, jitter);
      return { patches: f32(R.tilesRef(images.data, images.shape, 2, size, origins), [n, 2, c, size, size]), labels: i32(labels, [n]) };
    },

    lab: (images: S, toLab: boolean) => f32(R.labRef(images.data, images.shape, toLab ? 'toLab' : 'toRgb'), images.shape),

    viewAt: (flat: S, offset: number, shape: Shape): S => ({ data: flat.data.subarray(offset, offset + sizeOf(shape)), shape: [...shape], dtype: flat.dtype }),
    copyAlong: (src: S, dst: S, axis: number, start: number) => {
      // rows of src along axis: outer × n × inner
      const inner = sizeOf(src.shape.slice(axis + 1));
      const n = src.shape[axis];
      const outer = sizeOf(src.shape.slice(0, axis));
      const m = dst.shape[axis];
      for (let o = 0; o < outer; o++) dst.data.set(src.data.subarray(o * n * inner, (o + 1) * n * inner), (o * m + start) * inner);
    },
    copyInto: (src: S, dst: S, offset = 0) => {
      if (offset + src.data.length > dst.data.length) throw new RangeError(`copyInto: [${offset}, ${offset + src.data.length}) is outside the destination of ${dst.data.length}`);
      dst.data.set(src.data, offset);
    },
    paramLayout: (n: number, segments: readonly Segment[]): ParamLayout => ({ n, segments: segsOf(segments), dispose: () => {} }),
    optimizerStep: (o: OptimizerSpec, w: S, g: S, state: readonly S[], layout: ParamLayout) => {
      if (layout.n !== w.data.length) throw new Error(`optimizerStep: the layout covers ${layout.n} elements, the parameters ${w.data.length}`);
      const segs = layout.segments;
      const W = f64(w);
      if (o.kind === 'sgd') {
        const st = { buf: o.momentum > 0 ? f64(state[0]) : null };
        R.sgdRef(W, g.data, st, segs, o);
        if (st.buf) state[0].data.set(st.buf);
      } else if (o.kind === 'adam') {
        const [m, v] = [f64(state[0]), f64(state[1])];
        R.adamRef(W, g.data, m, v, segs, o);
        state[0].data.set(m);
        state[1].data.set(v);
      } else {
        const buf = f64(state[0]);
        R.larsRef(W, g.data, buf, segs, o);
        state[0].data.set(buf);
      }
      w.data.set(W);
    },
    globalNorm: (g: S) => f32([R.globalNormRef(g.data)], [1]),
    clipByNorm: (g: S, norm: S, maxNorm: number) => {
      const c = Math.min(1, maxNorm / (norm.data[0] + 1e-6));
      for (let i = 0; i < g.data.length; i++) g.data[i] *= c;
    },
    ema: (target: S, source: S, m: number) => {
      target.data.set(R.emaRef(target.data, source.data, m));
    },
  };
}

function attnMask(m: MaskSpec<S>) {
  return { causal: m.causal, causalOffset: m.causalOffset, ...(m.mask ? { mask: { data: m.mask.data, additive: m.mask.dtype === 'f32' && m.maskKind !== 'boolean' } } : {}) };
}
