import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Autotuner, sizeBucket, type TuneCandidate, tuneCachePath } from './autotune.js';

const device = { sync: async () => {}, lost: null };

/** A candidate whose launch costs `ms` of host time; counts its setups. */
function candidate(name: string, ms: number, log: string[] = []): TuneCandidate {
  return {
    name,
    prepare() {
      log.push(`prepare ${name}`);
      return {
        run() {
          const t = performance.now();
          while (performance.now() - t < ms) { /* busy: the cost being measured */ }
        },
        dispose: () => log.push(`dispose ${name}`),
      };
    },
  };
}
const never = (): TuneCandidate[] => {
  throw new Error('timed a key that was cached');
};

function tuner(path: string, enabled = true) {
  const warnings: string[] = [];
  const t = new Autotuner(device, { enabled, adapter: 'test adapter', path, warn: (m) => warnings.push(m) });
  return { t, warnings };
}
const tmpFile = () => join(mkdtempSync(join(tmpdir(), 'pretext-tune-')), 'tune.json');

describe('autotune', () => {
  it('first pick takes the fallback and times in the background; then the fastest, written to disk and read back', async () => {
    const path = tmpFile();
    const log: string[] = [];
    const { t, warnings } = tuner(path);
    const cands = () => [candidate('slow', 4, log), candidate('fast', 0, log)];
    expect(t.pick('op:a', ['slow', 'fast'], 'slow', cands)).toBe('slow');
    await t.idle();
    expect(t.pick('op:a', ['slow', 'fast'], 'slow', never)).toBe('fast');
    expect(log).toEqual(['prepare slow', 'dispose slow', 'prepare fast', 'dispose fast']);
    expect(warnings).toEqual([]);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(file.schema).toBe(1);
    expect(file.entries['op:a'].choice).toBe('fast');
    expect(file.entries['op:a'].ms.slow).toBeGreaterThan(file.entries['op:a'].ms.fast);
    // a new process (a new tuner on the same file) reads the choice without timing again
    const again = tuner(path);
    expect(again.t.pick('op:a', ['slow', 'fast'], 'slow', never)).toBe('fast');
    expect(again.warnings).toEqual([]);
  });

  it('ignores a corrupted cache file with a warning, and rewrites it', async () => {
    for (const bad of ['{"schema": 1, "entries": {"op:a": {"choi', '{"schema": 2, "entries": {}}', '[1, 2]', '{"schema": 1, "entries": {"k": 3}}']) {
      const path = tmpFile();
      writeFileSync(path, bad);
      const { t, warnings } = tuner(path);
      expect(t.pick('op:a', ['slow', 'fast'], 'slow', () => [candidate('slow', 3), candidate('fast', 0)])).toBe('slow');
      expect(warnings.length, bad).toBe(1);
      expect(warnings[0]).toMatch(/autotune: ignoring the cache .*tune\.json/);
      await t.idle();
      expect(JSON.parse(readFileSync(path, 'utf8')).entries['op:a'].choice).toBe('fast');
    }
  });

  it('off: always the fallback, nothing timed or written', async () => {
    const path = tmpFile();
    const { t } = tuner(path, false);
    expect(t.pick('op:a', ['slow', 'fast'], 'slow', never)).toBe('slow');
    await t.idle();
    expect(existsSync(path)).toBe(false);
  });

  it('a cached choice that is no longer a candidate is not taken; a failing candidate is skipped', async () => {
    const path = tmpFile();
    const { t, warnings } = tuner(path);
    const broken: TuneCandidate = { name: 'broken', prepare: () => { throw new Error('no pipeline'); } };
    await t.tuneNow('op:b', [broken, candidate('only', 0)]);
    expect(t.entry('op:b')?.choice).toBe('only');
    expect(warnings[0]).toMatch(/candidate 'broken' failed \(no pipeline\); skipped/);
    expect(t.pick('op:b', ['x', 'y'], 'x', () => [candidate('x', 2), candidate('y', 0)])).toBe('x');
    await t.idle();
    expect(t.pick('op:b', ['x', 'y'], 'x', never)).toBe('y');
    // every candidate failing keeps the fallback, with a warning
    t.pick('op:c', ['broken', 'broken2'], 'broken', () => [broken, { ...broken, name: 'broken2' }]);
    await t.idle();
    expect(t.pick('op:c', ['broken', 'broken2'], 'broken', never)).toBe('broken');
    expect(warnings.at(-1)).toMatch(/autotune op:c: every candidate failed; keeping the default/);
  });

  it('cache path: PRETEXT_TUNE_CACHE, else ~/.cache/pretext/tune-<adapter slug>.json; shape classes by powers of two', () => {
    const saved = { c: process.env.PRETEXT_TUNE_CACHE, x: process.env.XDG_CACHE_HOME };
    try {
      delete process.env.PRETEXT_TUNE_CACHE;
      process.env.XDG_CACHE_HOME = '/tmp/xdg';
      expect(tuneCachePath('llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)')).toBe('/tmp/xdg/pretext/tune-llvmpipe-mesa-25.0.7-llvm-15.0.6.json');
      process.env.PRETEXT_TUNE_CACHE = '/tmp/t.json';
      expect(tuneCachePath('x')).toBe('/tmp/t.json');
    } finally {
      for (const [k, v] of [['PRETEXT_TUNE_CACHE', saved.c], ['XDG_CACHE_HOME', saved.x]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect([1, 2, 3, 64, 65, 1000].map(sizeBucket)).toEqual([1, 2, 4, 64, 128, 1024]);
  });
});
