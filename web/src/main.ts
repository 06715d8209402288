// SimCLR trained live in this tab on WebGPU, with the same @pretext/* packages as Node: the task's
// own build and step (@pretext/tasks), its augmentation on the GPU (@pretext/core), the profiler's
// per-kernel times (@pretext/gpu). The page only draws. `window.pretext` exposes the run's state
// (losses, done, error) for the browser test.
import { augment, noGrad, tensor, tidy, useWebGpu } from '@pretext/core';
import { ImageLoader, type ImageDataset, subset } from '@pretext/data';
import type { Gpu } from '@pretext/gpu';
import { simclr } from '@pretext/tasks';
import { fetchFashionMnist } from './fashion-mnist.js';
import { pca2 } from './pca.js';
import { drawImages, drawLoss, drawScatter } from './plots.js';

/** Sized to show learning within a minute on a software adapter: 64 images × 2 views a step. */
const SETTINGS = { batchSize: 64, width: 4, projHidden: 64, projDim: 32, lr: 5e-3, tau: 0.2, jitter: 0.3, warmupSteps: 5, epochs: 2, seed: 0 };
const STEPS = 50;
const TRAIN_IMAGES = 2048;
const MAP_IMAGES = 500;

const state = { ready: false, adapter: '', losses: [] as number[], done: false, error: '' };
(window as unknown as { pretext: typeof state }).pretext = state;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string) => ($('status').textContent = text);

function fail(e: unknown): void {
  state.error = e instanceof Error ? e.message : String(e);
  status(`error: ${state.error}`);
  console.error(e);
}

async function main(): Promise<void> {
  // 1. WebGPU with timestamps, and the data
  if (!('gpu' in navigator)) throw new Error('this browser has no WebGPU (navigator.gpu); Chrome/Chromium 113+ or a flag');
  const backend = await useWebGpu({ profile: true });
  const gpu = backend.gpu;
  state.adapter = `${gpu.info.vendor} ${gpu.info.architecture} ${gpu.info.description}`.trim();
  $('adapter').textContent = `adapter: ${state.adapter} · timestamps ${gpu.profiler.enabled ? 'on' : 'unavailable'}`;
  const [train, test] = await Promise.all([fetchFashionMnist('train', TRAIN_IMAGES), fetchFashionMnist('test', MAP_IMAGES)]);
  status(`Fashion-MNIST: ${train.shape[0]} training images`);
  state.ready = true;
  const button = $<HTMLButtonElement>('train');
  button.disabled = false;
  button.onclick = () => {
    button.disabled = true;
    train_(gpu, train, test).catch(fail);
  };
}

async function train_(gpu: Gpu, train: ImageDataset, test: ImageDataset): Promise<void> {
  // 2. the task, as `pretext train simclr` builds it
  const cfg = simclr.config('fashion-mnist', 'quick', SETTINGS);
  const run = simclr.build(cfg, train);
  try {
    await showViews(train, cfg);
    const loader = new ImageLoader(train, cfg.batchSize, { seed: cfg.seed });
    // 3. steps: the task's step, then the curve and the profiler's table
    let step = 0;
    for (let epoch = 0; step < STEPS; epoch++) {
      for await (const batch of loader.epoch(epoch)) {
        const m = await run.step(batch, step, STEPS);
        state.losses.push(m.loss);
        step++;
        drawLoss($('loss'), state.losses, STEPS);
        status(`step ${step}/${STEPS} · loss ${m.loss.toFixed(3)} · accuracy ${(100 * (m.accuracy ?? 0)).toFixed(1)}%`);
        if (step % 5 === 0) await showKernels(gpu);
        if (step >= STEPS) break;
      }
    }
    // 4. the embedding map of test images
    await showMap(run.encoder, test);
    status(`trained ${STEPS} steps: loss ${state.losses[0].toFixed(3)} → ${state.losses.at(-1)?.toFixed(3)}`);
    state.done = true;
  } finally {
    run.dispose();
  }
}

async function showViews(train: ImageDataset, cfg: ReturnType<typeof simclr.config>): Promise<void> {
  const pipeline = simclr.augmentation(cfg);
  if (!pipeline) return;
  const k = 8;
  const first = subset(train, Array.from({ length: k }, (_, i) => i));
  const views = noGrad(() => tidy(() => augment(tensor(first.images, first.shape), pipeline, { seed: cfg.seed, views: 2 }))); // (2k, 1, 28, 28)
  const v = (await views.data()) as Float32Array;
  views.dispose();
  const all = new Float32Array(3 * k * 784);
  all.set(first.images);
  all.set(v, k * 784);
  drawImages($('views'), all, [3 * k, 1, 28, 28], k, 2);
}

async function showKernels(gpu: Gpu): Promise<void> {
  if (!gpu.profiler.enabled) return;
  await gpu.profiler.flush();
  const rows = gpu.profiler.summary().slice(0, 10);
  $('kernels').innerHTML = `<thead><tr><th>kernel</th><th>calls</th><th>ms</th><th>GFLOP/s</th></tr></thead><tbody>${rows
    .map((r) => `<tr><td>${r.kernel}</td><td>${r.calls}</td><td>${r.totalMs.toFixed(1)}</td><td>${r.gflops.toFixed(1)}</td></tr>`)
    .join('')}</tbody>`;
}

async function showMap(encoder: ReturnType<typeof simclr.build>['encoder'], test: ImageDataset): Promise<void> {
  encoder.eval();
  const f = noGrad(() => tidy(() => encoder.forward(tensor(test.images, test.shape)))); // (n, featureDim)
  const values = (await f.data()) as Float32Array;
  f.dispose();
  encoder.train();
  const { x, y } = pca2(values, test.shape[0], encoder.featureDim);
  drawScatter($('map'), x, y, test.labels);
}

main().catch(fail);
