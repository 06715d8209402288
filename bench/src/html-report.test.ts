// The bench's HTML page, for structure: its three sections, a throughput row per case with each
// peer (or why a peer is missing), a roofline dot per kernel under both roofs, the history per
// adapter from a results folder (other JSON skipped), and nothing fetched from anywhere.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { benchHtml, loadHistory, rooflinePoints } from './html-report.js';
import { decadeLabel } from './roofline.js';
import type { BenchReport, CaseResult } from './report.js';
import type { TrainingMetrics } from './training/measure-step.js';

const adapter = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: 'llvmpipe', driver: 'Mesa 25 (LLVM 15)', backend: 'dawn-node', features: [], limits: {} } as unknown as BenchReport['adapter'];

const kernelCase = (name: string, o: Partial<CaseResult> = {}): CaseResult => ({
  name, kernel: 'matmul', status: 'ok', error: 0, tolerance: 1e-5, flops: 2e9, bytes: 1.2e7, reps: 5, gpuMs: 100, gpuMinMs: 90, wallMs: 110, wallRme: 1,
  gflops: 20, gbps: 0.12, fmaFraction: 0.4, copyFraction: 0.04, ratioGpu: 5.9, ratioWall: 5, peer: { name: 'tfjs', gpuMs: 590, wallMs: 600 }, ...o,
});

const training = (torch: TrainingMetrics['torch']): TrainingMetrics => ({
  batch: '256 images × 2 views', unit: 'images', stepsPerSec: 0.9, itemsPerSec: 230, gflopsWall: 21, fmaFractionWall: 0.4, submitsPerStep: 1, dispatchesPerStep: 90,
  peerStepsPerSec: 0.04, peerItemsPerSec: 10.6, ratioItems: 22, torch, load: [1, 1],
  topKernels: [
    { kernel: 'conv2d.winograd.gemm', calls: 2, totalMs: 300, meanMs: 150, gflops: 18, gbps: 0.5 },
    { kernel: 'batchnorm.stats', calls: 4, totalMs: 80, meanMs: 20, gflops: 0.8, gbps: 3 },
    { kernel: 'no.traffic', calls: 1, totalMs: 1, meanMs: 1, gflops: 0, gbps: 0 },
  ],
});

const report = (date: string, commit: string, torch: TrainingMetrics['torch']): BenchReport => ({
  schema: 1, date, commit, node: 'v20', adapter, quick: false, reps: 5, warmup: 1, clocks: '', ceilings: { fmaGflops: 50, fmaCase: 'ceiling fma', copyGbps: 6 },
  cases: [
    kernelCase('ceiling fma', { kernel: 'ceiling' }),
    kernelCase('matmul 1024³'),
    kernelCase('softmax 4096²', { flops: 0, gflops: null, gbps: 4, copyFraction: 0.66, peer: undefined, ratioGpu: null, ratioWall: null }),
    kernelCase('train simclr convnet step N=256x2 28x28', { kernel: 'train', target: '≥1.5× PyTorch CPU', training: training(torch) }),
  ],
});

describe('bench --report', () => {
  const torch = { name: 'PyTorch 2.13.0+cpu CPU', stepsPerSec: 0.5, itemsPerSec: 128, ratioItems: 1.8 };
  const html = benchHtml(report('2026-12-06T10:00:00Z', 'abcdef1234', torch), [report('2026-12-01T10:00:00Z', '1111111aaa', torch), report('2026-12-06T10:00:00Z', 'abcdef1234', torch)]);

  it('is one self-contained page: no scripts, links, imports or remote resources', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
    expect(html.match(/https?:\/\/[^"]+/g)?.every((u) => u === 'http://www.w3.org/2000/svg')).toBe(true);
    for (const tag of ['section', 'table', 'svg', 'tr']) expect(html.split(`<${tag}`).length, tag).toBe(html.split(`</${tag}>`).length);
  });

  it('has a throughput row per case with each peer, the adapter, driver and commit', () => {
    expect([...html.matchAll(/<section id="(\w+)">/g)].map((m) => m[1])).toEqual(['throughput', 'roofline', 'history']);
    const throughput = html.slice(html.indexOf('id="throughput"'), html.indexOf('id="roofline"'));
    const rows = [...throughput.matchAll(/<tr><th scope="row">([^<]+)/g)].map((m) => m[1]);
    expect(rows).toEqual(['matmul 1024³', 'softmax 4096²', 'train simclr convnet step N=256x2 28x28']); // not the ceilings
    expect(throughput).toContain('<td>230.0 images/s</td><td>10.6 images/s</td><td>22.00×</td><td>128.0 images/s</td><td>1.80×</td>');
    expect(throughput).toContain('<td>5.90× gpu</td>');
    expect(html).toMatch(/llvmpipe.*driver Mesa 25 \(LLVM 15\).*commit abcdef1234/s);
  });

  it('says why PyTorch is missing instead of a number', () => {
    const page = benchHtml(report('2026-12-06T10:00:00Z', 'abc', { name: 'PyTorch CPU', stepsPerSec: null, itemsPerSec: null, ratioItems: null, message: 'no python3 with torch (python3: not found)' }), []);
    expect(page).toContain('<span class="why">no python3 with torch (python3: not found)</span>');
    expect(page).toContain('<p>No stored results.</p>');
  });

  it('places every kernel with FLOPs and bytes on the roofline under both roofs', () => {
    const pts = rooflinePoints(report('d', 'c', undefined));
    expect(pts.map((p) => [p.name.split(' (')[0], p.group])).toEqual([['matmul 1024³', 'kernel cases'], ['conv2d.winograd.gemm', 'train simclr convnet'], ['batchnorm.stats', 'train simclr convnet']]);
    expect(pts[0].intensity).toBeCloseTo(2e9 / 1.2e7);
    expect(pts[1].intensity).toBeCloseTo(36);
    const roof = html.slice(html.indexOf('id="roofline"'), html.indexOf('id="history"'));
    expect(roof.match(/<circle class="kernel"/g)).toHaveLength(3);
    expect(roof).toContain('FMA ceiling 50.0 GFLOP/s');
    expect(roof).toContain('copy ceiling 6.00 GB/s');
    expect(roof).toMatch(/<title>matmul 1024³: 20\.00 GFLOP\/s at 167 FLOP\/byte, 40\.0% of the roof there<\/title>/);
  });

  it('labels the log axes without float noise', () => {
    expect([-5, -4, -3, -1, 0, 2, 3, 4].map(decadeLabel)).toEqual(['1e-5', '1e-4', '0.001', '0.1', '1', '100', '1000', '1e4']);
  });

  it('follows each case per adapter over the stored runs, oldest first', () => {
    const history = html.slice(html.indexOf('id="history"'));
    expect(history).toContain('<h3>llvmpipe · Mesa 25 (LLVM 15)</h3>');
    expect(history).toMatch(/<th scope="row">train simclr convnet step N=256x2 28x28 ÷ PyTorch<\/th><td>2<\/td><td>1\.800 ×<\/td>/);
    expect(history.indexOf('1111111 2026-12-01')).toBeLessThan(history.indexOf('abcdef1 2026-12-06'));
  });

  it('loads only bench reports from a results folder, and --report-from writes the page beside a stored run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pretext-bench-html-'));
    const run = join(dir, 'run.json');
    writeFileSync(run, JSON.stringify(report('2026-12-06T10:00:00Z', 'abcdef1234', torch)));
    writeFileSync(join(dir, 'other.json'), '{"schema": 2}');
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(loadHistory(dir).map((r) => r.commit)).toEqual(['abcdef1234']);
    expect(loadHistory(join(dir, 'missing'))).toEqual([]);
    expect(await runCli(['--report-from', run], async () => [])).toBe(0);
    expect(readFileSync(join(dir, 'run.html'), 'utf8')).toContain('<section id="roofline">');
  });
});
