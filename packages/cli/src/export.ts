// `pretext export <DIR> --format onnx|safetensors`: a run's trained model for other runtimes, the
// encoder of an image run or the language model of a text run (export-language.ts).
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
import { type AnyTask, imageShapeOf, type Task } from '@pretext/tasks';
import { loadRun } from './checkpoints.js';
import { loadEncoder } from './encoder-checkpoint.js';
import { checkDiff, loadOrt, maxAbsDiff, runOnnx } from './export-check.js';
import { languageExportable } from './export-language.js';
import { parseFlags, UsageError } from './flags.js';
import { writeFileSafe } from './safe-fs.js';

export const FORMATS = ['onnx', 'safetensors'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export interface ExportArgs {
  command: 'export';
  dir: string;
  format: ExportFormat;
  /** The output file (default DIR/export/encoder.<format>, a language run's DIR/export/lm.<format>). */
  out?: string;
  opset: number;
  /** onnx: run the model in onnxruntime-node and compare with our forward before writing. */
  check: boolean;
}

export const EXPORT_USAGE = `  export <DIR> --format onnx|safetensors [--out FILE] [--opset 17-21] [--check]
      An image run's encoder (DIR/export/encoder.*), or a language run's model (gpt, mlm,
      mlm-simcse: DIR/export/lm.*, token ids → logits, tokenizer.json beside): ONNX
      (evaluation-mode forward; --check runs it in onnxruntime-node against ours first) or
      safetensors with PyTorch names plus load_pretext.py to load it.`;

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

/** A run's model as the exporters see it: its ONNX graph, its check, its weights (image encoder or language model). */
export interface Exportable {
  /** The default file stem in DIR/export/. */
  stem: string;
  /** load_pretext.py's `pretext.architecture`. */
  architecture: Record<string, unknown>;
  onnx(opset: number, metadata: Record<string, string>): Promise<Uint8Array>;
  /** Runs the model in onnxruntime-node against our forward; throws unless within ONNX_TOLERANCE. */
  check(model: Uint8Array, file: string): Promise<string>;
  /** "input … → output …" for the log. */
  signature: string;
  weights(): Promise<Map<string, { shape: number[]; data: Float32Array }>>;
  /** Files written beside the export (the tokenizer). */
  companions: [name: string, data: Uint8Array | string][];
  dispose(): void;
}

export async function exportCommand(a: ExportArgs, tasks: Record<string, AnyTask>, log: (l: string) => void = console.log): Promise<number> {
  const ckpt = await loadRun(a.dir);
  const task = tasks[ckpt.meta.task];
  const model = task?.modality === 'text' ? await languageExportable(a.dir, task as Task<'text'>, ckpt) : await encoderExportable(a.dir, tasks);
  try {
    const out = a.out ?? join(a.dir, 'export', `${model.stem}.${a.format}`);
    const meta = { 'pretext.task': ckpt.meta.task, 'pretext.dataset': ckpt.meta.config.dataset, 'pretext.step': String(ckpt.meta.step), 'pretext.commit': ckpt.meta.commit, 'pretext.architecture': JSON.stringify(model.architecture) };
    // everything is computed (and checked) before the first file is written
    let bytes: Uint8Array;
    let line: string;
    const files: [string, Uint8Array | string][] = [];
    if (a.format === 'onnx') {
      bytes = await model.onnx(a.opset, meta);
      if (a.check) log(`check     ${await model.check(bytes, basename(out))}`);
      line = `onnx      ${out} (opset ${a.opset}, ${model.signature}, ${(bytes.length / 1024).toFixed(0)} KiB)`;
    } else {
      const sd = await model.weights();
      bytes = encodeSafetensors(new Map([...sd].map(([k, w]) => [k, { dtype: 'f32' as const, shape: w.shape, data: w.data }])), { format: 'pt', ...meta });
      const py = join(dirname(out), 'load_pretext.py');
      files.push([py, readFileSync(LOAD_PRETEXT_PY)]);
      line = `weights   ${out} (${sd.size} tensors, PyTorch names); load with ${py}: load_pretext("${basename(out)}")`;
    }
    files.push(...model.companions.map(([name, data]): [string, Uint8Array | string] => [join(dirname(out), name), data]));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSafe(out, bytes);
    for (const [path, data] of files) writeFileSafe(path, data);
    log(line);
  } finally {
    model.dispose();
  }
  return 0;
}

/** An image task's encoder (a ConvNet). */
async function encoderExportable(dir: string, tasks: Record<string, AnyTask>): Promise<Exportable> {
  const run = await loadEncoder(dir, tasks);
  try {
    const input = imageShapeOf(run.cfg);
    return {
      stem: 'encoder',
      architecture: architectureOf(run.encoder, input),
      onnx: (opset, metadata) => exportOnnx(run.encoder, { input, opset, metadata }),
      check: (model, file) => checkWithOnnxRuntime(model, run.encoder, input, file),
      signature: `input images (N, ${input.join(', ')}) → features (N, ${run.encoder.featureDim})`,
      weights: () => torchStateDict(run.encoder),
      companions: [],
      dispose: () => run.encoder.dispose(),
    };
  } catch (e) {
    run.encoder.dispose();
    throw e;
  }
}

/**
 * Runs an exported model in onnxruntime-node (CPU) on random images and compares with our forward;
 * throws (naming the file, and the op or opset ORT lacks) when it cannot load or differs.
 */
export async function checkWithOnnxRuntime(model: Uint8Array, encoder: Module & { forward(x: ReturnType<typeof tensor>): ReturnType<typeof tensor> }, input: readonly number[], file: string, n = 4): Promise<string> {
  const { ort } = await loadOrt();
  const shape = [n, ...input];
  const r = rng(7);
  const x = Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => r()); // images in [0, 1)
  const { version, outputs } = await runOnnx(model, [{ images: new ort.Tensor('float32', x, shape) }], file);
  const y = noGrad(() => encoder.forward(tensor(x, shape)));
  const want = (await y.data()) as Float32Array;
  y.dispose();
  const diff = maxAbsDiff(outputs[0][0], want, file, '');
  checkDiff(diff, file, version);
  return `onnxruntime-node ${version} (cpu) matches our forward: max |Δ| ${diff.toExponential(2)} over ${shape.join('×')} random images`;
}
