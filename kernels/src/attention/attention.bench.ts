// Self-attention, B=32, H=4, T=128, d=32, vs the tfjs-webgpu composition
// matMul(Q, Kᵀ)·scale + mask → softmax → matMul(P, V) (and its hand-written backward).
// Two masks: causal, and key padding (sequence b keeps its first 64 + 2b keys; the Transformer
// step's shape and mask kind, non-causal).
// Napkin math, causal: T(T+1)/2 = 8256 visible (i, j) per head, 128 heads. Forward 4·d FLOPs per
// pair (Q·Kᵀ and P·V) = 135 MFLOP; compulsory bytes Q, K, V, O (+ L) = 4·128·(4·128·32 + 128) = 8.5 MB.
// Backward recomputes the scores: 14·d per pair (q·k, dO·v, dS·k in the dQ pass; q·k, dO·v,
// P·dO, dS·q in the dK/dV pass) = 473 MFLOP. Padding: FLOPs counted over all T² pairs (what tfjs
// computes; our kernels skip 32-key tiles the mask drops). tfjs materialises the (128, 128, 128) P.
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase, Tf } from '../bench-tf.js';
import { attention, attentionBackward } from './attention.js';
import { type AttentionRefInput, attentionBackwardRef, attentionRef } from './attention.ref.js';

type T3 = import('@tensorflow/tfjs-core').Tensor3D;

const dims = (quick?: boolean) => ({ b: quick ? 4 : 32, h: 4, t: 128, d: 32 });

function inputs(quick?: boolean) {
  const { b, h, t, d } = dims(quick);
  const n = b * h * t * d;
  return { b, h, t, d, q: randn(n, 21), k: randn(n, 22), v: randn(n, 23), dout: randn(n, 24) };
}

type Mask = 'causal' | 'padding';

/** Padding: sequence b keeps keys j < T/2 + 2b (1) and drops the rest (0). */
const keep = (x: { b: number; t: number }) => Uint32Array.from({ length: x.b * x.t }, (_, e) => Number(e % x.t < x.t / 2 + 2 * Math.floor(e / x.t)));

function refIn(x: ReturnType<typeof inputs>, mask: Mask): AttentionRefInput {
  const m = mask === 'padding' ? { mask: { data: keep(x), additive: false } } : { causal: true };
  return { q: x.q, k: x.k, v: x.v, b: x.b, h: x.h, tq: x.t, tk: x.t, d: x.d, ...m };
}

const work = (x: ReturnType<typeof inputs>, mask: Mask, perPair: number, rows: number) => ({
  flops: perPair * x.d * x.b * x.h * (mask === 'causal' ? (x.t * (x.t + 1)) / 2 : x.t * x.t),
  bytes: 4 * x.b * x.h * x.t * (rows * x.d + 1),
});

/** The tfjs composition on (B·H, T, d) tensors; returns P as well for the backward. */
function tfForward(tf: Tf, q: T3, k: T3, v: T3, maskAdd: import('@tensorflow/tfjs-core').Tensor, scale: number) {
  const p = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), scale), maskAdd)) as T3;
  return { p, o: tf.matMul(p, v) };
}

async function peerSetup(tf: Tf, quick: boolean | undefined, mask: Mask, backward: boolean) {
  const x = inputs(quick);
  const shape: [number, number, number] = [x.b * x.h, x.t, x.d];
  const [q, k, v, dout] = [x.q, x.k, x.v, x.dout].map((a) => tf.tensor3d(a, shape));
  // causal (T, T) or padding (B·H, 1, T) additive bias, −1e9 where dropped
  const kp = keep(x);
  const maskAdd =
    mask === 'causal'
      ? tf.tensor2d(Float32Array.from({ length: x.t * x.t }, (_, e) => (e % x.t > Math.floor(e / x.t) ? -1e9 : 0)), [x.t, x.t])
      : tf.tensor3d(Float32Array.from({ length: x.b * x.h * x.t }, (_, e) => (kp[Math.floor(e / (x.h * x.t)) * x.t + (e % x.t)] ? 0 : -1e9)), [x.b * x.h, 1, x.t]);
  const scale = 1 / Math.sqrt(x.d);
  return {
    run() {
      const { p, o } = tfForward(tf, q, k, v, maskAdd, scale);
      if (!backward) return o;
      // dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − Σ dP⊙P), dQ = scale·dS·K, dK = scale·dSᵀ·Q
      const dv = tf.matMul(p, dout, true, false);
      const dp = tf.matMul(dout, v, false, true);
      const ds = tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dp, p), -1, true)));
      return [tf.mul(tf.matMul(ds, k), scale), tf.mul(tf.matMul(ds, q, true, false), scale), dv];
    },
    dispose: () => tf.dispose([q, k, v, dout, maskAdd]),
  };
}

function forward(mask: Mask): BenchCase {
  return {
    name: `attention ${mask} B32 H4 T128 d32 forward`,
    kernel: 'attention',
    target: '≥3× tfjs matMul+mask+softmax+matMul',
    async setup(gpu, opts) {
      const x = inputs(opts?.quick);
      const shape = [x.b, x.h, x.t, x.d];
      const [q, k, v] = [x.q, x.k, x.v].map((a) => gpu.upload(a, shape));
      const pad = mask === 'padding' ? [gpu.upload(keep(x), [x.b, x.t])] : [];
      const m = pad.length ? { mask: pad[0] } : { causal: true };
      const out = gpu.empty(shape);
      const lse = gpu.empty([x.b, x.h, x.t]);
      return {
        run: () => void attention(gpu, q, k, v, { ...m, out, lse }),
        async check() {
          return relErr(await gpu.download(out), attentionRef(refIn(x, mask)).out);
        },
        tolerance: 1e-5,
        ...work(x, mask, 4, 4),
        dispose: () => [q, k, v, out, lse, ...pad].forEach((a) => gpu.free(a)),
      };
    },
    peer: { name: `tf.matMul → mul(scale) → add(${mask} mask) → softmax → matMul`, setup: (tf, opts) => peerSetup(tf, opts?.quick, mask, false) },
  };
}

function backward(mask: Mask): BenchCase {
  return {
    name: `attention ${mask} B32 H4 T128 d32 backward`,
    kernel: 'attention',
    target: '≥3× tfjs composition (forward recompute + 5 matMuls)',
    async setup(gpu, opts) {
      const x = inputs(opts?.quick);
      const shape = [x.b, x.h, x.t, x.d];
      const [q, k, v, dout] = [x.q, x.k, x.v, x.dout].map((a) => gpu.upload(a, shape));
      const pad = mask === 'padding' ? [gpu.upload(keep(x), [x.b, x.t])] : [];
      const m = pad.length ? { mask: pad[0] } : { causal: true };
      const { out, lse } = attention(gpu, q, k, v, m);
      const [dq, dk, dv] = [0, 1, 2].map(() => gpu.empty(shape));
      return {
        run: () => void attentionBackward(gpu, q, k, v, out, lse, dout, { ...m, dq, dk, dv }),
        async check() {
          const want = attentionBackwardRef(refIn(x, mask), x.dout);
          const errs = await Promise.all([[dq, want.dq], [dk, want.dk], [dv, want.dv]].map(async ([a, w]) => relErr(await gpu.download(a as typeof dq), w as Float64Array)));
          return Math.max(...errs);
        },
        tolerance: 5e-5,
        // D pass reads O, dO; dQ pass reads Q, dO, K, V and writes dQ; dK/dV pass reads Q, dO, K, V and writes dK, dV
        ...work(x, mask, 14, 11),
        dispose: () => [q, k, v, dout, out, lse, dq, dk, dv, ...pad].forEach((a) => gpu.free(a)),
      };
    },
    peer: { name: 'tfjs forward recompute + dV, dP, dS, dQ, dK from matMul/mul/sum', setup: (tf, opts) => peerSetup(tf, opts?.quick, mask, true) },
  };
}

export const benches: BenchCase[] = [forward('causal'), backward('causal'), forward('padding'), backward('padding')];
