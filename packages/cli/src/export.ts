// `pretext export <DIR> --format onnx|safetensors`: a run's trained encoder for other runtimes.
// onnx: the forward in evaluation mode (opset 17–21), optionally checked in onnxruntime-node
// against our own forward before the file is written. safetensors: the weights with PyTorch's
// names, the architecture in the metadata, and load_pretext.py beside it to rebuild the network
// in PyTorch. Every file is written whole or not at all (temp file + rename).
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeSafetensors, noGrad, tensor } from '@pretext/core';
import { rng } from '@pretext/random';
import { ConvNet, exportOnnx, type Module, ONNX_OPSETS, torchStateDict } from '@pretext/models';
import { type AnyTask, imageShapeOf } from '@pretext/tasks';
import { writeFileSafe } from './safe-fs.js';
import { loadEncoder } from './encoder-checkpoint.js';
import { parseFlags, UsageError } from './flags.js';

export const FORMATS = ['onnx', 'safetensors'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export interface ExportArgs {
  command: 'export';
  dir: string;
  format: ExportFormat;
  /** The output file (default DIR/export/encoder.<format>). */
  out?: string;
  opset: number;
  /** onnx: run the model in onnxruntime-node and compare with our forward before writing. */
  check: boolean;
}

export const EXPORT_USAGE = `  export <DIR> --format onnx|safetensors [--out FILE] [--opset 17-21] [--check]
      The run's encoder: ONNX (evaluation-mode forward; --check runs it in onnxruntime-node
      against ours first) or safetensors with PyTorch names plus load_pretext.py to load it.`;

export function parseExport(rest: string[]): ExportArgs {
  const { values: v, positionals } = parseFlags(rest, { format: 'string', out: 'string', opset: 'string', check: 'boolean' }, 'export', '; see `pretext --help`');
  if (positionals.length !== 1) throw new UsageError(`pretext export takes one run directory, got ${positionals.length ? positionals.map((p) => `'${p}'`).join(' ') : 'none'}`);
  const format = v.format as string | undefined;
  if (!format || !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`pretext export needs --format ${FORMATS.join('|')}${format ? `, got '${format}'` : ''}`);
  const opset = v.opset === undefined ? 17 : Number(v.opset);
  if (!ONNX_OPSETS.includes(opset)) throw new UsageError(`--opset must be one of ${ONNX_OPSETS.join(', ')}, got '${v.opset}'`);
  if (format !== 'onnx' && (v.opset !== undefined || v.check)) throw new UsageError(`--opset and --check apply to --format onnx only`);
  return { command: 'export', dir: positionals[0], format: format as ExportFormat, out: v.out as string | undefined, opset, check: (v.check as boolean | undefined) ?? false };
}

/** What load_pretext.py needs to rebuild the network; an encoder it cannot build is an error naming it. */
export function architectureOf(encoder: Module, input: readonly number[]): Record<string, unknown> {
  if (!(encoder instanceof ConvNet)) throw new UsageError(`export: the encoder is a ${encoder.constructor.name}; the exporters know ConvNet (ONNX emitters: see ONNX_MODULES in @pretext/models)`);
  const eps = encoder.blocks[0].bn.opts.eps ?? 1e-5;
  return { architecture: 'ConvNet', in_channels: encoder.inChannels, width: encoder.width, grid: encoder.grid, downsample: encoder.downsample, eps, input };
}

/** The bundled PyTorch loader (python/load_pretext.py, beside src/ and dist/). */
export const LOAD_PRETEXT_PY = fileURLToPath(new URL('../python/load_pretext.py', import.meta.url));

export async function exportCommand(a: ExportArgs, tasks: Record<string, AnyTask>, log: (l: string) => void = console.log): Promise<number> {
  const run = await loadEncoder(a.dir, tasks);
  try {
    const input = imageShapeOf(run.cfg);
    const arch = architectureOf(run.encoder, input);
    const out = a.out ?? join(a.dir, 'export', `encoder.${a.format}`);
    const meta = { 'pretext.task': run.task.id, 'pretext.dataset': run.cfg.dataset, 'pretext.step': String(run.meta.step), 'pretext.commit': run.meta.commit, 'pretext.architecture': JSON.stringify(arch) };
    if (a.format === 'onnx') {
      const bytes = await exportOnnx(run.encoder, { input, opset: a.opset, metadata: meta });
      if (a.check) log(`check     ${await checkWithOnnxRuntime(bytes, run.encoder, input, basename(out))}`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSafe(out, bytes);
      log(`onnx      ${out} (opset ${a.opset}, input images (N, ${input.join(', ')}) → features (N, ${run.encoder.featureDim}), ${(bytes.length / 1024).toFixed(0)} KiB)`);
    } else {
      const sd = await torchStateDict(run.encoder);
      const bytes = encodeSafetensors(new Map([...sd].map(([k, w]) => [k, { dtype: 'f32' as const, shape: w.shape, data: w.data }])), { format: 'pt', ...meta });
      mkdirSync(dirname(out), { recursive: true });
      writeFileSafe(out, bytes);
      const py = join(dirname(out), 'load_pretext.py');
      writeFileSafe(py, readFileSync(LOAD_PRETEXT_PY));
      log(`weights   ${out} (${sd.size} tensors, PyTorch names); load with ${py}: load_pretext("${basename(out)}")`);
    }
  } finally {
    run.encoder.dispose();
  }
  return 0;
}

/** The largest |ORT − ours| an export may show (f32 sums in another order). */
export const ONNX_TOLERANCE = 1e-4;

/**
 * Runs an exported model in onnxruntime-node (CPU) on random images and compares with our forward;
 * throws (naming the file, and the op or opset ORT lacks) when it cannot load or differs.
 */
export async function checkWithOnnxRuntime(model: Uint8Array, encoder: Module & { forward(x: ReturnType<typeof tensor>): ReturnType<typeof tensor> }, input: readonly number[], file: string, n = 4): Promise<string> {
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch {
    throw new UsageError('--check needs the npm package onnxruntime-node (an optional dependency): ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node');
  }
  const version = ort.env.versions.node ?? ort.env.versions.common ?? '?';
  const shape = [n, ...input];
  const r = rng(7);
  const x = Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => r()); // images in [0, 1)
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  } catch (e) {
    throw new Error(`onnxruntime-node ${version} cannot load ${file}: ${(e as Error).message}`);
  }
  let got: Float32Array;
  try {
    const outs = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, shape) });
    got = outs[session.outputNames[0]].data as Float32Array;
  } catch (e) {
    throw new Error(`onnxruntime-node ${version} cannot run ${file}: ${(e as Error).message}`);
  } finally {
    await session.release();
  }
  const y = noGrad(() => encoder.forward(tensor(x, shape)));
  const want = (await y.data()) as Float32Array;
  y.dispose();
  if (got.length !== want.length) throw new Error(`${file}: onnxruntime-node gave ${got.length} values, our forward ${want.length}`);
  let diff = 0;
  for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]) || (Number.isNaN(got[i]) ? Number.POSITIVE_INFINITY : 0));
  if (!(diff < ONNX_TOLERANCE)) throw new Error(`${file}: onnxruntime-node ${version} differs from our forward by ${diff.toExponential(2)} (> ${ONNX_TOLERANCE}); not written`);
  return `onnxruntime-node ${version} (cpu) matches our forward: max |Δ| ${diff.toExponential(2)} over ${shape.join('×')} random images`;
}
