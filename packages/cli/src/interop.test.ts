// Your images in, your model out: train on a folder of images, evaluate on it, export the encoder
// (ONNX checked in onnxruntime-node, safetensors loaded by load_pretext.py in PyTorch when
// python3-torch is installed), embed the folder; and the bad inputs of each, which leave no file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, noGrad, type Tensor, tensor, useWebGpu } from '@pretext/core';
import { saveCheckpoint } from '@pretext/core/checkpoint';
import { destroyGpu } from '@pretext/gpu';
import { rng } from '@pretext/random';
import { Init, Linear, Module, OnnxDataType, encodeOnnxModel } from '@pretext/models';
import { type AnyTask, defineTask, TASKS, trainingOptions, trainObjectives } from '@pretext/tasks';
import jpeg from 'jpeg-js';
import * as ort from 'onnxruntime-node';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from './args.js';
import { checkpointDir } from './checkpoints.js';
import { evalCommand, trainCommand } from './commands.js';
import { embedCommand, type EmbedArgs } from './embed.js';
import { loadEncoder } from './encoder-checkpoint.js';
import { checkWithOnnxRuntime, exportCommand, type ExportArgs } from './export.js';
import { encodeNpy } from './npy.js';
import { readSummary, runInfo } from './summary.js';

const root = mkdtempSync(join(tmpdir(), 'pretext-interop-'));
const folder = join(root, 'shapes');
const run = join(root, 'run');
const quiet = () => {};

/** circles/ and squares/: 12 coloured shapes each on 20–32 × 24 canvases (PNG, every 4th JPEG), one gray PNG, one broken file. */
function makeFolder(dir: string): void {
  const r = rng(5);
  for (const cls of ['circles', 'squares']) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let i = 0; i < 12; i++) {
      const w = 20 + (i % 3) * 6;
      const h = 24;
      const [cx, cy, rad] = [w / 2 + (r() - 0.5) * 6, h / 2 + (r() - 0.5) * 6, 4 + 4 * r()];
      const col = [r() * 255, r() * 255, r() * 255];
      const data = new Uint8Array(w * h * 4);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const inside = cls === 'circles' ? (x - cx) ** 2 + (y - cy) ** 2 < rad * rad : Math.abs(x - cx) < rad && Math.abs(y - cy) < rad;
        data.set(inside ? [...col, 255] : [240, 240, 240, 255], 4 * (y * w + x));
      }
      if (i % 4 === 3) writeFileSync(join(dir, cls, `${i}.jpg`), jpeg.encode({ width: w, height: h, data }, 90).data);
      else {
        const p = new PNG({ width: w, height: h });
        p.data.set(data);
        writeFileSync(join(dir, cls, `${i}.png`), PNG.sync.write(p, { colorType: i === 0 ? 0 : 6 }));
      }
    }
  }
  writeFileSync(join(dir, 'circles', 'broken.png'), 'not a png');
}

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

beforeAll(async () => {
  const info = runInfo((await useWebGpu()).gpu.info);
  process.env.PRETEXT_CACHE = join(root, 'cache');
  makeFolder(folder);
  const a = parseCli(['train', 'simclr', '--dataset', folder, '--image-size', '16', '--epochs', '2', '--batch-size', '8', '--width', '4', '--baselines', 'none', '--no-progress', '--out', run], TASKS);
  if (a.command !== 'train') throw new Error('expected a train command');
  await trainCommand(a, info, () => false);
});
afterAll(() => destroyGpu());

describe('your images in', () => {
  it('trains on a folder: colour (one colour image makes it so), the emoji presets without pairs, the config records the folder', () => {
    const s = readSummary(run);
    expect(s.config).toMatchObject({ dataset: folder, folder: { size: 16, channels: 3, like: 'emoji' }, pairs: false, downsample: 2 });
    expect(s.evaluations[0].reports[0].linear).toBeDefined();
  });

  it('evaluates the run on another labelled folder, and refuses one without labels', async () => {
    const other = join(root, 'other');
    makeFolder(other);
    await evalCommand({ command: 'eval', dir: run, dataset: other, protocols: ['knn'], baselines: [] }, TASKS);
    expect(readSummary(run).evaluations).toHaveLength(2);
    const flat = join(root, 'flat');
    mkdirSync(flat);
    for (const f of readdirSync(join(other, 'squares'))) writeFileSync(join(flat, f), readFileSync(join(other, 'squares', f)));
    await expect(evalCommand({ command: 'eval', dir: run, dataset: flat }, TASKS)).rejects.toThrow(/--dataset .*flat: evaluation needs labels; put the images in one sub-folder per class/);
  });

  it('names a dataset that is neither known nor a folder', () => {
    expect(() => parseCli(['train', 'simclr', '--dataset', join(root, 'nope')], TASKS)).toThrow(/--dataset '.*nope' is neither a known dataset \(fashion-mnist, emoji\) nor a folder of images: image folder .* does not exist/);
    expect(() => parseCli(['train', 'simclr', '--dataset', 'fashion-mnist', '--image-size', '32'], TASKS)).toThrow(/--image-size applies to a folder dataset/);
  });
});

describe('your model out', () => {
  const exportArgs = (format: 'onnx' | 'safetensors', out: string, extra: string[] = []) => parseCli(['export', run, '--format', format, '--out', out, ...extra], TASKS) as ExportArgs;

  it('ONNX: checked in onnxruntime-node, then written; ORT on the file is within 1e-4 of our forward', async () => {
    const out = join(root, 'onnx', 'encoder.onnx');
    const lines: string[] = [];
    await exportCommand(exportArgs('onnx', out, ['--check', '--opset', '18']), TASKS, (l) => lines.push(l));
    expect(lines[0]).toMatch(/onnxruntime-node 1\.\d+\.\d+ \(cpu\) matches our forward: max \|Δ\| /);
    const enc = await loadEncoder(run, TASKS);
    const shape = [5, 3, 16, 16];
    const r = rng(3);
    const x = Float32Array.from({ length: 5 * 768 }, () => r());
    const want = (await noGrad(() => enc.encoder.forward(tensor(x, shape))).data()) as Float32Array;
    const session = await ort.InferenceSession.create(readFileSync(out));
    const got = (await session.run({ images: new ort.Tensor('float32', x, shape) })).features.data as Float32Array;
    await session.release();
    expect(got.length).toBe(want.length);
    expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-4);
    enc.encoder.dispose();
  });

  it('safetensors: PyTorch names and the architecture in the metadata, load_pretext.py beside it', async () => {
    const out = join(root, 'st', 'encoder.safetensors');
    await exportCommand(exportArgs('safetensors', out), TASKS, quiet);
    const { arrays, metadata } = decodeSafetensors(readFileSync(out));
    expect([...arrays.keys()]).toContain('blocks.1.bn.running_var');
    expect(JSON.parse(metadata['pretext.architecture'])).toEqual({ architecture: 'ConvNet', in_channels: 3, width: 4, grid: 2, downsample: 2, eps: 1e-5, input: [3, 16, 16] });
    expect(existsSync(join(root, 'st', 'load_pretext.py'))).toBe(true);
  });

  it.skipIf(!hasTorch)('load_pretext.py rebuilds the encoder in PyTorch within 1e-4 of our forward (python3-torch)', async () => {
    const dir = join(root, 'st');
    const enc = await loadEncoder(run, TASKS);
    const r = rng(9);
    const x = Float32Array.from({ length: 6 * 768 }, () => r());
    const y = (await noGrad(() => enc.encoder.forward(tensor(x, [6, 3, 16, 16]))).data()) as Float32Array;
    enc.encoder.dispose();
    writeFileSync(join(dir, 'x.npy'), encodeNpy(x, [6, 3, 16, 16]));
    writeFileSync(join(dir, 'y.npy'), encodeNpy(y, [6, enc.encoder.featureDim]));
    const py = spawnSync('/usr/bin/python3', ['load_pretext.py', 'encoder.safetensors', '--check', 'x.npy', 'y.npy'], { cwd: dir, encoding: 'utf8' });
    expect(py.stderr).toBe('');
    expect(py.stdout).toMatch(/ConvNet, \d+ parameters, features 64\nmax abs difference from Pretext's forward: .* over \(6, 3, 16, 16\) inputs/);
    expect(py.status).toBe(0);
  });

  it('embeds every readable image: safetensors, .npy, the file list and a neighbour grid', async () => {
    const out = join(root, 'emb', 'shapes.safetensors');
    await embedCommand(parseCli(['embed', run, '--input', folder, '--out', out, '--queries', '3'], TASKS) as EmbedArgs, TASKS, quiet);
    const { arrays } = decodeSafetensors(readFileSync(out));
    expect(arrays.get('embeddings')?.shape).toEqual([24, 64]);
    expect([...(arrays.get('labels')?.data ?? [])].filter((l) => l === 1)).toHaveLength(12);
    const npy = readFileSync(join(root, 'emb', 'shapes.npy'));
    expect(npy.subarray(1, 6).toString()).toBe('NUMPY');
    expect((10 + npy.readUInt16LE(8)) % 64).toBe(0);
    expect(npy.length - 10 - npy.readUInt16LE(8)).toBe(24 * 64 * 4);
    expect(readFileSync(join(root, 'emb', 'shapes.txt'), 'utf8').trim().split('\n')).toHaveLength(24);
    const grid = PNG.sync.read(readFileSync(join(root, 'emb', 'shapes-neighbours.png')));
    expect([grid.width, grid.height]).toEqual([8 * 16 + 9 * 2, 3 * 16 + 4 * 2]); // 3 rows of query + 7 neighbours
  });
});

/** A checkpoint of a task whose encoder the exporters do not know (a linear map on pixels). */
class FlatEncoder extends Module {
  fc: Linear;
  readonly featureDim = 4;
  constructor(init: Init, inFeatures: number) {
    super();
    this.fc = new Linear(init, inFeatures, 4);
  }
  forward(x: Tensor): Tensor {
    return this.fc.forward(x.reshape([x.shape[0], -1]));
  }
}

describe('bad input', () => {
  it('an architecture the exporter does not know: named, and nothing written', async () => {
    const flat = defineTask({
      id: 'flat', summary: 'test: linear encoder', modality: 'image', options: trainingOptions,
      presets: { 'fashion-mnist': { quick: {}, full: {} }, emoji: { quick: {}, full: {} } },
      encoder: (_cfg, data, init) => new FlatEncoder(init, data.shape[1] * data.shape[2] * data.shape[3]),
      build: (cfg, data) => trainObjectives(cfg, new FlatEncoder(new Init(0), data.shape[1] * 784), []),
    });
    const tasks: Record<string, AnyTask> = { flat };
    const dir = join(root, 'flat-run');
    const enc = new FlatEncoder(new Init(1), 784);
    await saveCheckpoint(checkpointDir(dir), new Map([...enc.stateDict()].map(([k, t]) => [`encoder.${k}`, t])), { step: 1, task: 'flat', config: flat.config('fashion-mnist', 'quick') });
    enc.dispose();
    for (const format of ['onnx', 'safetensors'] as const) {
      await expect(exportCommand({ command: 'export', dir, format, opset: 17, check: false }, tasks, quiet)).rejects.toThrow(/export: the encoder is a FlatEncoder; the exporters know ConvNet/);
    }
    expect(existsSync(join(dir, 'export'))).toBe(false);
    expect(() => parseCli(['export', dir, '--format', 'onnx', '--opset', '16'], TASKS)).toThrow(/--opset must be one of 17, 18, 19, 20, 21, got '16'/);
    expect(() => parseCli(['export', dir, '--format', 'tflite'], TASKS)).toThrow(UsageError);
  });

  it('an opset or op the runtime lacks: the error names the file and the opset or op', async () => {
    const enc = await loadEncoder(run, TASKS);
    const model = (opset: number, op: string) =>
      encodeOnnxModel({
        irVersion: 8, opset, producer: 'test', producerVersion: '0', graphName: 'g',
        nodes: [{ op, inputs: ['images'], outputs: ['features'], name: 'n' }],
        initializers: [],
        inputs: [{ name: 'images', dataType: OnnxDataType.FLOAT, shape: ['N', 3, 16, 16] }],
        outputs: [{ name: 'features', dataType: OnnxDataType.FLOAT }],
      });
    await expect(checkWithOnnxRuntime(model(99, 'Identity'), enc.encoder, [3, 16, 16], 'future.onnx')).rejects.toThrow(/onnxruntime-node 1\.\d+\.\d+ cannot load future\.onnx: .*opset 99/i);
    await expect(checkWithOnnxRuntime(model(17, 'Frobnicate'), enc.encoder, [3, 16, 16], 'odd.onnx')).rejects.toThrow(/cannot load odd\.onnx: .*Frobnicate/);
    // a model that loads but computes something else is refused, not written
    await expect(checkWithOnnxRuntime(model(17, 'Identity'), enc.encoder, [3, 16, 16], 'same.onnx')).rejects.toThrow(/same\.onnx: onnxruntime-node gave 3072 values, our forward 256/);
    enc.encoder.dispose();
  });

  it('embed refuses images of another shape than the encoder takes', async () => {
    await expect(embedCommand(parseCli(['embed', run, '--input', 'fashion-mnist', '--out', join(root, 'x.safetensors')], TASKS) as EmbedArgs, TASKS, quiet)).rejects.toThrow(/takes 3×16×16 images; fashion-mnist has 1×28×28/);
    expect(existsSync(join(root, 'x.safetensors'))).toBe(false);
  });
});
