// Checkpoints: tensors as safetensors plus a JSON sidecar (config, step, RNG and optimizer state).
// Each save writes new files (ckpt-<step>.*) through temp files and fsync, then atomically
// replaces `latest.json`; a crash at any point leaves the previous checkpoint loadable. The
// sidecar carries the SHA-256 of the tensor file, checked on load with every tensor's finiteness,
// so a flipped byte or a NaN weight is refused by name instead of trained on.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostArray } from './backend.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from './safetensors.js';
import type { Tensor } from './tensor.js';

export interface CheckpointMeta {
  step: number;
  [key: string]: unknown;
}

/** A checkpoint's stem: latest.json may name nothing else (no path, so nothing outside the directory). */
const STEM = /^ckpt-\d{8}$/;
/** Temp files of a write in flight: `<file>.tmp-<pid>`. */
const TEMP = /\.tmp-(\d+)$/;

/**
 * Writes `path` whole or not at all: a fresh temp file (O_EXCL | O_NOFOLLOW, so a planted symlink
 * is never followed), fsync, then rename over `path` (which replaces a symlink, never writes through it).
 */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await rm(tmp, { force: true });
  const f = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await f.writeFile(data);
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(tmp, path);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes temp files left by killed writes (`*.tmp-<pid>` of a process that is gone); returns their names. */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((f) => {
    const m = TEMP.exec(f);
    return m && (Number(m[1]) === process.pid || !alive(Number(m[1])));
  });
  for (const f of stale) await rm(join(dir, f), { force: true });
  return stale;
}

/** Saves tensors (read back from the device) and metadata; keeps the newest `keep` checkpoints. */
export async function saveCheckpoint(dir: string, tensors: Map<string, Tensor>, meta: CheckpointMeta, opts: { keep?: number } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  if ((await lstat(dir)).isSymbolicLink()) throw new Error(`checkpoint directory ${dir} is a symbolic link; refusing to write through it`);
  await removeStaleTemps(dir);
  const arrays = new Map<string, NamedArray>();
  for (const [name, t] of tensors) arrays.set(name, { dtype: t.dtype, shape: [...t.shape], data: await t.data() });
  const stem = `ckpt-${String(meta.step).padStart(8, '0')}`;
  const bytes = encodeSafetensors(arrays, { step: String(meta.step) });
  await writeAtomic(join(dir, `${stem}.safetensors`), bytes);
  const tensorsFile = { file: `${stem}.safetensors`, bytes: bytes.length, sha256: sha256(bytes) };
  await writeAtomic(join(dir, `${stem}.json`), JSON.stringify({ ...meta, tensors: tensorsFile }, null, 2));
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

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A JSON file as an object; every failure names the file. */
async function readJson(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`${what} ${file} ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `cannot be read (${(e as Error).message})`}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} ${file} is not valid JSON (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what} ${file} must hold a JSON object`);
  return v as Record<string, unknown>;
}

/** Reads the newest checkpoint in dir; errors name the file and say what is missing or corrupt. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const latestFile = join(dir, 'latest.json');
  let latest: Record<string, unknown>;
  try {
    latest = await readJson(latestFile, 'checkpoint pointer');
  } catch (e) {
    if ((e as Error).message.endsWith('not found')) throw new Error(`no checkpoint in ${dir} (latest.json not found)`);
    throw e;
  }
  const stem = latest.checkpoint;
  if (typeof stem !== 'string' || !STEM.test(stem)) throw new Error(`checkpoint pointer ${latestFile} names ${JSON.stringify(stem)}, not a checkpoint of this directory (ckpt-<8 digits>)`);
  const path = join(dir, stem);
  const file = `${path}.safetensors`;
  const meta = (await readJson(`${path}.json`, 'checkpoint metadata')) as CheckpointMeta;
  if (!Number.isSafeInteger(meta.step) || meta.step < 0) throw new Error(`checkpoint metadata ${path}.json: step must be an integer ≥ 0, got ${JSON.stringify(meta.step)}`);
  const bytes = await readFile(file).catch(() => {
    throw new Error(`checkpoint ${file} is missing`);
  });
  const sum = meta.tensors as { sha256?: unknown; bytes?: unknown } | undefined;
  if (sum !== undefined) {
    if (sum.bytes !== bytes.length) throw new Error(`checkpoint ${file} has ${bytes.length} bytes but ${path}.json records ${String(sum.bytes)}: the file is truncated or was replaced`);
    if (sum.sha256 !== sha256(bytes)) throw new Error(`checkpoint ${file} fails its SHA-256 check (recorded in ${path}.json): the file is corrupt`);
  }
  const { arrays, metadata } = decodeSafetensors(new Uint8Array(bytes), file);
  if (metadata.step !== String(meta.step)) throw new Error(`checkpoint ${path}: tensors are from step ${metadata.step} but metadata from step ${meta.step}`);
  for (const [name, a] of arrays) {
    if (a.dtype !== 'f32') continue;
    const i = (a.data as Float32Array).findIndex((v) => !Number.isFinite(v));
    if (i >= 0) throw new Error(`checkpoint ${file}: tensor '${name}' holds ${a.data[i]} at element ${i}; a checkpoint with NaN or Inf is refused (train from an earlier one or lower the learning rate)`);
  }
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
