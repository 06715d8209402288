// Checkpoints: tensors as safetensors plus a JSON sidecar (config, step, RNG and optimizer state).
// Each save writes new files (ckpt-<step>.*) through temp files and fsync, then atomically
// replaces `latest.json`; a crash at any point leaves the previous checkpoint loadable.
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostArray } from './backend.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from './safetensors.js';
import type { Tensor } from './tensor.js';

export interface CheckpointMeta {
  step: number;
  [key: string]: unknown;
}

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const f = await open(tmp, 'w');
  try {
    await f.writeFile(data);
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(tmp, path);
}

/** Saves tensors (read back from the device) and metadata; keeps the newest `keep` checkpoints. */
export async function saveCheckpoint(dir: string, tensors: Map<string, Tensor>, meta: CheckpointMeta, opts: { keep?: number } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const arrays = new Map<string, NamedArray>();
  for (const [name, t] of tensors) arrays.set(name, { dtype: t.dtype, shape: [...t.shape], data: await t.data() });
  const stem = `ckpt-${String(meta.step).padStart(8, '0')}`;
  await writeAtomic(join(dir, `${stem}.safetensors`), encodeSafetensors(arrays, { step: String(meta.step) }));
  await writeAtomic(join(dir, `${stem}.json`), JSON.stringify(meta, null, 2));
  await writeAtomic(join(dir, 'latest.json'), JSON.stringify({ checkpoint: stem, step: meta.step }));
  const keep = opts.keep ?? 2;
  const old = (await readdir(dir)).filter((f) => /^ckpt-\d+\.(safetensors|json)$/.test(f) && !f.startsWith(stem)).sort();
  const stems = [...new Set(old.map((f) => f.replace(/\.(safetensors|json)$/, '')))];
  for (const s of stems.slice(0, Math.max(0, stems.length - (keep - 1)))) {
    await rm(join(dir, `${s}.safetensors`), { force: true });
    await rm(join(dir, `${s}.json`), { force: true });
  }
  return join(dir, stem);
}

export interface LoadedCheckpoint {
  arrays: Map<string, NamedArray>;
  meta: CheckpointMeta;
  path: string;
}

/** Reads the newest checkpoint in dir; errors say what is missing or corrupt. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  let latest: { checkpoint: string; step: number };
  try {
    latest = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8'));
  } catch (e) {
    throw new Error(`no checkpoint in ${dir} (${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'latest.json not found' : (e as Error).message})`);
  }
  const path = join(dir, latest.checkpoint);
  const file = `${path}.safetensors`;
  const bytes = await readFile(file).catch(() => {
    throw new Error(`checkpoint ${file} is missing`);
  });
  const { arrays, metadata } = decodeSafetensors(new Uint8Array(bytes), file);
  const meta = JSON.parse(await readFile(`${path}.json`, 'utf8')) as CheckpointMeta;
  if (metadata.step !== String(meta.step)) throw new Error(`checkpoint ${path}: tensors are from step ${metadata.step} but metadata from step ${meta.step}`);
  return { arrays, meta, path };
}

/** Copies checkpoint arrays into existing tensors, checking every name, dtype and shape first. */
export function restoreInto(ckpt: LoadedCheckpoint, tensors: Map<string, Tensor>): void {
  for (const [name, t] of tensors) {
    const a = ckpt.arrays.get(name);
    if (!a) throw new Error(`checkpoint ${ckpt.path}: tensor '${name}' is missing`);
    if (a.dtype !== t.dtype || a.shape.join() !== t.shape.join()) {
      throw new Error(`checkpoint ${ckpt.path}: tensor '${name}' is ${a.dtype} [${a.shape}] but the model has ${t.dtype} [${t.shape}]`);
    }
  }
  for (const name of ckpt.arrays.keys()) if (!tensors.has(name)) throw new Error(`checkpoint ${ckpt.path}: unexpected tensor '${name}' (not in the model)`);
  for (const [name, t] of tensors) t.backend.write(t.storage, ckpt.arrays.get(name)?.data as HostArray);
}
