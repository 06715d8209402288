// Corrupt inputs of every kind through the real command: each gives one message naming the file,
// a non-zero exit, and leaves the files as they were. One tiny run is trained; each case copies
// it and breaks one thing — checkpoint bytes, NaN weights, every JSON sidecar, metrics.jsonl,
// the dataset's files.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '@pretext/core';
import { FASHION_MNIST_DIR } from '@pretext/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exit, pretext } from './pretext.js';

const dir = mkdtempSync(join(tmpdir(), 'pretext-corrupt-'));
const run = join(dir, 'run');
const env = { XDG_RUNTIME_DIR: dir };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const r = await pretext(['train', 'simclr', '--dataset', 'fashion-mnist', '--train-limit', '64', '--test-limit', '64', '--epochs', '1', '--batch-size', '32', '--baselines', 'none', '--no-progress', '--out', run], env);
  expect(r.code, r.err).toBe(0);
});

let n = 0;
/** A copy of the run with `breakIt` applied; returns its directory. */
function broken(breakIt: (d: string, ckpt: string) => void): string {
  const d = join(dir, `case-${n++}`);
  cpSync(run, d, { recursive: true });
  const latest = JSON.parse(readFileSync(join(d, 'checkpoints', 'latest.json'), 'utf8')).checkpoint;
  breakIt(d, join(d, 'checkpoints', latest));
  return d;
}

/** One line on stderr naming `file` (a pattern), a non-zero exit. */
function refused(r: Exit, file: RegExp, what: RegExp) {
  expect(r.code, `${r.out}\n${r.err}`).not.toBe(0);
  const lines = r.err.trim().split('\n').filter((l) => !l.startsWith('Warning:')); // Dawn's own start-up notes
  expect(lines, r.err).toHaveLength(1);
  expect(lines[0]).toMatch(/^pretext: /);
  expect(lines[0]).toMatch(file);
  expect(lines[0]).toMatch(what);
}

const evalRun = (d: string) => pretext(['eval', d, '--protocol', 'knn', '--baselines', 'none'], env);

describe('corrupt inputs: one clear message naming the file, exit ≠ 0', () => {
  it('checkpoint bytes flipped, truncated, or NaN weights with a matching checksum', async () => {
    const flipped = broken((_d, c) => {
      const b = readFileSync(`${c}.safetensors`);
      b[b.length - 5] ^= 0x40;
      writeFileSync(`${c}.safetensors`, b);
    });
    const truncated = broken((_d, c) => writeFileSync(`${c}.safetensors`, readFileSync(`${c}.safetensors`).subarray(0, 1000)));
    // NaN in one weight, the file re-sealed so only the finiteness check can catch it
    const nan = broken((_d, c) => {
      const { arrays, metadata } = decodeSafetensors(new Uint8Array(readFileSync(`${c}.safetensors`)));
      const name = [...arrays.keys()].find((k) => k.startsWith('encoder.')) as string;
      (arrays.get(name)?.data as Float32Array)[3] = Number.NaN;
      const bytes = encodeSafetensors(arrays, metadata);
      writeFileSync(`${c}.safetensors`, bytes);
      const meta = JSON.parse(readFileSync(`${c}.json`, 'utf8'));
      meta.tensors = { ...meta.tensors, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      writeFileSync(`${c}.json`, JSON.stringify(meta));
    });
    const [f, t, x] = await Promise.all([flipped, truncated, nan].map(evalRun));
    refused(f, /ckpt-00000002\.safetensors/, /fails its SHA-256 check/);
    refused(t, /ckpt-00000002\.safetensors/, /truncated or was replaced/);
    refused(x, /ckpt-00000002\.safetensors/, /tensor 'encoder\.[^']+' holds NaN at element 3/);
  });

  it('every JSON sidecar: latest.json, the checkpoint metadata and its config, summary.json, metrics.jsonl', async () => {
    const cases: [(d: string, c: string) => void, RegExp, RegExp][] = [
      [(d) => writeFileSync(join(d, 'checkpoints', 'latest.json'), '{"checkpoint": '), /latest\.json/, /not valid JSON/],
      [(d) => writeFileSync(join(d, 'checkpoints', 'latest.json'), '{"checkpoint": "../../../etc/passwd"}'), /latest\.json/, /not a checkpoint of this directory/],
      [(_d, c) => writeFileSync(`${c}.json`, '{"step": 2, '), /ckpt-00000002\.json/, /not valid JSON/],
      [(_d, c) => writeFileSync(`${c}.json`, JSON.stringify({ ...JSON.parse(readFileSync(`${c}.json`, 'utf8')), config: { ...JSON.parse(readFileSync(`${c}.json`, 'utf8')).config, epochs: -1 } })), /ckpt-00000002\.json/, /--epochs must be an integer ≥ 1, got -1/],
      [(_d, c) => writeFileSync(`${c}.json`, JSON.stringify({ ...JSON.parse(readFileSync(`${c}.json`, 'utf8')), config: { ...JSON.parse(readFileSync(`${c}.json`, 'utf8')).config, optimizer: 'rmsprop' } })), /ckpt-00000002\.json/, /--optimizer must be one of adamw, lars, sgd, got 'rmsprop'/],
      [(d) => writeFileSync(join(d, 'summary.json'), '[]'), /summary\.json/, /must hold a JSON object/],
    ];
    const dirs = cases.map(([breakIt]) => broken(breakIt));
    const before = dirs.map((d) => readFileSync(join(d, 'summary.json')));
    const exits = await Promise.all(dirs.map(evalRun)); // independent processes: run side by side
    cases.forEach(([, file, what], i) => {
      refused(exits[i], file, what);
      expect(readFileSync(join(dirs[i], 'summary.json'))).toEqual(before[i]); // nothing saved is lost
    });
    const metrics = broken((d) => writeFileSync(join(d, 'metrics.jsonl'), '{"step": 1, "loss": 2}\n{"step": 2, "lo'));
    // resuming a finished run with a broken config is refused the same way, before anything is written
    const resumed = broken((_d, c) => writeFileSync(`${c}.json`, JSON.stringify({ ...JSON.parse(readFileSync(`${c}.json`, 'utf8')), config: { ...JSON.parse(readFileSync(`${c}.json`, 'utf8')).config, epochs: -1 } })));
    const [m, r] = await Promise.all([pretext(['report', metrics], env), pretext(['train', 'simclr', '--resume', '--out', resumed], env)]);
    refused(m, /metrics\.jsonl:2/, /not a JSON line/);
    refused(r, /ckpt-00000002\.json/, /--epochs must be an integer ≥ 1, got -1/);
  });

  it("the dataset's files: truncated gzip, a wrong magic number, a missing file", async () => {
    const data = join(dir, 'fmnist');
    mkdirSync(data);
    cpSync(FASHION_MNIST_DIR, data, { recursive: true });
    const train = (out: string, data: string) => pretext(['train', 'simclr', '--dataset', 'fashion-mnist', '--train-limit', '64', '--epochs', '1', '--batch-size', '32', '--baselines', 'none', '--no-progress', '--out', out], { ...env, PRETEXT_FASHION_MNIST: data });
    // three copies of the data, each broken one way, trained on side by side
    const copies = ['gzip', 'magic', 'missing'].map((k) => {
      const d = join(dir, `fmnist-${k}`);
      cpSync(data, d, { recursive: true });
      return d;
    });
    writeFileSync(join(copies[0], 'train-images-idx3-ubyte.gz'), readFileSync(join(data, 'train-images-idx3-ubyte.gz')).subarray(0, 5000));
    writeFileSync(join(copies[1], 'train-labels-idx1-ubyte.gz'), Buffer.from([0, 0, 9, 1, 0, 0, 0, 1, 0]));
    rmSync(join(copies[2], 'train-labels-idx1-ubyte.gz'));
    const [gz, magic, missing] = await Promise.all(copies.map((d, i) => train(join(dir, `d${i}`), d)));
    refused(gz, /train-images-idx3-ubyte\.gz/, /not a valid gzip file/);
    refused(magic, /train-labels-idx1-ubyte\.gz/, /bad IDX magic/);
    refused(missing, /train-labels-idx1-ubyte\.gz/, /not found/);
  });
});
