// What a library author gets: every package packed (`pnpm pack`, as publishing would), installed
// with npm from the tarballs in an empty folder outside the workspace, and used with plain `node`:
// the README's example on WebGPU and on the CPU backend, every package's entry, the `pretext` bin.
// Needs `pnpm build` first (the root `pnpm test` runs it). About a minute with a cold npm cache.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGES = ['packages/random', 'kernels', 'packages/gpu', 'packages/core', 'packages/models', 'packages/data', 'packages/tasks', 'packages/eval', 'packages/cli'];

const work = mkdtempSync(join(tmpdir(), 'pretext-pack-'));
const app = join(work, 'app');
const installed = (name: string) => join(app, 'node_modules', name);
type Manifest = { name: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; exports: unknown; [k: string]: unknown };
const manifests: Manifest[] = [];

/** The environment of a fresh shell: no NODE_PATH (pnpm sets it to the workspace's packages for what it runs). */
const { NODE_PATH: _, ...env } = process.env;
const spawnOpts = (cwd: string) => ({ cwd, encoding: 'utf8' as const, env: { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip' }, timeout: 120_000 });

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { ...spawnOpts(cwd), stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => statSync(join(dir, f)).isFile());
}

beforeAll(() => {
  for (const p of PACKAGES) {
    if (!existsSync(join(ROOT, p, 'dist', 'index.js'))) throw new Error(`${p}/dist is missing: run \`pnpm build\` first (the root \`pnpm test\` does)`);
  }
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const p of PACKAGES) run('pnpm', ['pack', '--pack-destination', tarballs], join(ROOT, p));
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const tgz = readdirSync(tarballs).map((f) => join(tarballs, f));
  expect(tgz).toHaveLength(PACKAGES.length);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tgz], app);
  for (const p of PACKAGES) manifests.push(JSON.parse(readFileSync(join(ROOT, p, 'package.json'), 'utf8')));
}, 300_000);

describe('packed packages, installed outside the workspace', () => {
  it('each installs our tarball (not a registry namesake) with LICENSE, license, repository, sideEffects and no workspace: specifiers', () => {
    for (const m of manifests) {
      const pub = JSON.parse(readFileSync(join(installed(m.name), 'package.json'), 'utf8'));
      expect(pub.description, m.name).toBe(m.description);
      expect(pub.license, m.name).toBe('MIT');
      expect(pub.repository?.url, m.name).toMatch(/^git\+https:/);
      expect(pub.sideEffects, m.name).toBeDefined();
      expect(existsSync(join(installed(m.name), 'LICENSE')), m.name).toBe(true);
      expect(JSON.stringify(pub.dependencies ?? {}), m.name).not.toMatch(/workspace:/);
    }
  });

  it('what each publishes resolves to what ships: exports without the source condition, every source map pointing at a shipped file', () => {
    for (const m of manifests) {
      const dir = installed(m.name);
      const pub = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const targets: string[] = [];
      const walk = (v: unknown, path: string) => {
        if (typeof v === 'string') targets.push(v);
        else for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          expect(k, `${m.name} exports ${path}`).not.toBe('source');
          walk(x, `${path}.${k}`);
        }
      };
      walk(pub.exports, 'exports');
      for (const t of targets) expect(existsSync(join(dir, t)), `${m.name}: ${t}`).toBe(true);
      for (const f of files(join(dir, 'dist')).filter((f) => f.endsWith('.js.map'))) {
        const map = JSON.parse(readFileSync(join(dir, 'dist', f), 'utf8')) as { sources: string[] };
        for (const s of map.sources) expect(existsSync(resolve(dir, 'dist', dirname(f), s)), `${m.name}: dist/${f} → ${s}`).toBe(true);
      }
      expect(files(dir).filter((f) => f.endsWith('.test.ts')), m.name).toEqual([]);
    }
  });

  it('no published type names a package the published one does not depend on', () => {
    for (const m of manifests) {
      const dir = installed(m.name);
      const allowed = new Set([...Object.keys(m.dependencies ?? {}), ...Object.keys(m.peerDependencies ?? {}), m.name]);
      for (const f of files(join(dir, 'dist')).filter((f) => f.endsWith('.d.ts'))) {
        const text = readFileSync(join(dir, 'dist', f), 'utf8');
        for (const [, spec] of text.matchAll(/(?:from\s+|import\()\s*['"]([^'"./][^'"]*)['"]/g)) {
          if (spec.startsWith('node:')) continue;
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          expect(allowed.has(name), `${m.name}: dist/${f} imports types from ${name}, not a dependency`).toBe(true);
        }
      }
    }
  });

  it("the README's example runs with plain node, on WebGPU and on the CPU backend", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = /## A taste[^\n]*\n[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'README: a ```js block under "## A taste"').toBeDefined();
    writeFileSync(join(app, 'example.mjs'), example as string);
    for (const backend of ['webgpu', 'cpu']) {
      const r = spawnSync('node', ['example.mjs', ...(backend === 'cpu' ? ['cpu'] : [])], spawnOpts(app));
      expect(r.status, `${backend}: ${r.stderr}`).toBe(0);
      const m = /NT-Xent on (\w+): ([\d.]+) → ([\d.]+)/.exec(r.stdout);
      expect(m?.[1]).toBe(backend);
      expect(Number(m?.[3])).toBeLessThan(0.9 * Number(m?.[2])); // 20 steps of AdamW pull the views together
    }
  });

  it("every package's entry loads in node; the emoji dataset is optional and names the packages to install", () => {
    const names = manifests.map((m) => m.name);
    const script = `for (const n of ${JSON.stringify(names)}) await import(n);
const { loadEmoji } = await import('@pretext/data');
try { loadEmoji(); console.log('loaded'); } catch (e) { console.log(e.message); }`;
    const r = spawnSync('node', ['--input-type=module', '-e', script], spawnOpts(app));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/emoji-datasource-google is not installed: npm install emoji-datasource-google@16 emoji-datasource-twitter@16/);
    expect(existsSync(installed('emoji-datasource-google'))).toBe(false);
  });

  it('the pretext bin runs', () => {
    const r = spawnSync(join(app, 'node_modules', '.bin', 'pretext'), ['--help'], spawnOpts(app));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/export <DIR> --format onnx\|safetensors/);
    expect(relative(app, work)).toBe('..');
  });
});
