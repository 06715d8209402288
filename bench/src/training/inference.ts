// Encoder inference, ours against ONNX Runtime on the model we export: the SimCLR full preset's
// ConvNet (32/64/128, its grid: 3 since 704fdc8) forward in evaluation mode on N random 28×28 images, upload to
// readback of the features, next to onnxruntime-node's CPU execution provider running
// `exportOnnx` of the same encoder (same weights, same inputs) in the same process.
// check(): our features against ORT's, max |Δ| (the export's own bar is 1e-4).
import { noGrad, tensor } from '@pretext/core';
import { rng } from '@pretext/random';
import { exportOnnx, Init } from '@pretext/models';
import { shapeOnly, simclr } from '@pretext/tasks';
import { useGpuBackend } from './backend.js';
import type { TrainingCase } from './case.js';
import { convMacs } from './flops.js';

/** 2·MACs of the ConvNet's three convolutions over n images of s×s (pooling and BN left out). */
export function convNetForwardFlops(n: number, s: number, width: number, cin = 1): number {
  const s2 = Math.floor(s / 2);
  const s4 = Math.floor(s2 / 2);
  return 2 * (convMacs(n, cin, width, s, s) + convMacs(n, width, 2 * width, s2, s2) + convMacs(n, 2 * width, 4 * width, s4, s4));
}

export function encoderInferenceCase(n = 256): TrainingCase {
  let model: Uint8Array | undefined;
  let images: Float32Array | undefined;
  let batch = n;
  const shape = () => [batch, 1, 28, 28];
  return {
    name: `infer convnet encoder N=${n} 28x28 vs onnxruntime-node`,
    kernel: 'infer',
    target: 'ratio to onnxruntime-node CPU on the exported model',
    limits: { reps: 5, warmup: 1 },
    async setup(gpu, opts) {
      batch = opts?.quick ? Math.min(n, 32) : n;
      useGpuBackend(gpu);
      const cfg = simclr.config('fashion-mnist', 'full');
      const encoder = simclr.encoder(cfg, shapeOnly(cfg), new Init(cfg.seed)).eval();
      const r = rng(11);
      images = Float32Array.from({ length: batch * 784 }, () => r());
      model = await exportOnnx(encoder, { input: [1, 28, 28] });
      const x = images;
      let last: Float32Array | undefined;
      return {
        items: batch,
        unit: 'images',
        batch: `${batch} images`,
        // upload → forward (eval mode) → features read back   (N, 1, 28, 28) → (N, 128·grid²)
        async run() {
          const y = noGrad(() => encoder.forward(tensor(x, shape())));
          last = (await y.data()) as Float32Array;
          y.dispose();
        },
        async check() {
          const ort = await import('onnxruntime-node');
          const s = await ort.InferenceSession.create(model as Uint8Array);
          const want = (await s.run({ images: new ort.Tensor('float32', x, shape()) })).features.data as Float32Array;
          await s.release();
          if (!last || last.length !== want.length) return Number.POSITIVE_INFINITY;
          let d = 0;
          for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(last[i] - want[i]));
          return d;
        },
        tolerance: 1e-4,
        flops: convNetForwardFlops(batch, 28, cfg.width),
        bytes: 0,
        dispose: () => encoder.dispose(),
      };
    },
    cpuPeer: {
      name: 'onnxruntime-node 1.30, CPU execution provider, on the exported ONNX (same weights and inputs)',
      async setup() {
        const ort = await import('onnxruntime-node');
        if (!model || !images) throw new Error('the ONNX peer runs after our setup exported the model');
        const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
        const feeds = { images: new ort.Tensor('float32', images, shape()) };
        return {
          async run() {
            await session.run(feeds);
          },
          dispose: () => void session.release(),
        };
      },
    },
  };
}
