// The report's first lines: whether pretraining beats raw pixels and the random-init encoder, by
// how much and on how many test images, with the best of each row marked (no GPU needed).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvalReport } from '@pretext/eval';
import { describe, expect, it } from 'vitest';
import { headline, headlineText } from './headline.js';
import { writeReport } from './report.js';

const probe = (top1: number) => ({ top1, balancedTop1: top1, trainTop1: top1, trainLoss: 1, epochs: 1, nTrain: 8192, nTest: 2000, weightDecay: 1e-4 });
const ft = (fraction: number, top1: number) => ({ fraction, labelled: fraction * 8192, top1, trainLoss: 1, epochs: 10, steps: 100, encoderLrScale: 0.1, seconds: 1 });
const report = (model: string, linear: number, extra: Partial<EvalReport> = {}): EvalReport => ({
  model, dataset: 'fashion-mnist', featureDim: 64, nTrain: 8192, nTest: 2000, classes: 10, linear: probe(linear), seconds: {}, ...extra,
});

function reports(ours: number, ours1: number): EvalReport[] {
  return [
    report('simclr (ours)', ours, { fineTune: [ft(0.01, ours1), ft(0.1, 0.85)] }),
    report('raw pixels', 0.818, { baseline: 'raw-pixels', fewLabel: [{ ...probe(0.594), fraction: 0.01, labelled: 82 }, { ...probe(0.783), fraction: 0.1, labelled: 819 }] }),
    report('random init', 0.779, { baseline: 'random-init', fineTune: [ft(0.01, 0.62), ft(0.1, 0.8)] }),
    report('supervised (1 ep)', 0.9, { baseline: 'supervised' }),
  ];
}

describe('headline', () => {
  it('says that pretraining wins, by how much over each baseline, on how many test images; the best of each row is marked', () => {
    const h = headline(reports(0.852, 0.701));
    expect(h?.beats).toBe(true);
    const text = headlineText(h ?? (null as never));
    const [first] = text.split('\n');
    expect(first).toMatch(/^Pretraining helps: simclr beats raw pixels and the random-init encoder on each headline measure: /);
    expect(first).toContain('linear probe 85.2% (+3.4 vs raw pixels 81.8%, +7.3 vs random init 77.9%)');
    expect(first).toContain('1% labels, fine-tuned 70.1% (+10.7 vs logistic regression on raw pixels 59.4%, +8.1 vs scratch 62.0%)');
    expect(first).toContain('On 2000 test images: one standard error ≈ 0.8 points');
    // the supervised ceiling is shown and marked best where it is, but it is no bar to beat
    expect(text).toMatch(/linear probe\s+85\.2\s+81\.8\s+77\.9\s+90\.0 \*/);
    expect(text).toMatch(/1% labels, fine-tuned\s+70\.1 \*\s+59\.4\s+62\.0\s+—/);
  });

  it('says so when pretraining loses, naming the baseline and the measure', () => {
    const h = headline(reports(0.788, 0.701));
    expect(h?.beats).toBe(false);
    expect(h?.verdict).toMatch(/^Pretraining does not beat every baseline: simclr trails raw pixels on linear probe \(−3\.0\)\. linear probe 78\.8% \(−3\.0 vs raw pixels 81\.8%/);
    expect(headline([report('simclr (ours)', 0.8)])).toBeNull(); // no baselines: no claim
    // a gap that rounds to 0.0 shows two decimals (87.39 vs 87.42: the full preset's 10% row at 704fdc8)
    const near = reports(0.852, 0.701);
    near[0].fineTune = [ft(0.01, 0.701), ft(0.1, 0.8739)];
    near[2].fineTune = [ft(0.01, 0.62), ft(0.1, 0.8742)];
    expect(headline(near)?.verdict).toMatch(/trails scratch on 10% labels, fine-tuned \(−0\.03\)/);
  });

  it("is the report's first section, right under the title", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pretext-headline-'));
    writeFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify({ step: 1, epoch: 0, loss: 1, lr: 1e-3, itemsPerSec: 10, time: 1 })}\n`);
    const summary = {
      task: 'simclr', dataset: 'fashion-mnist', preset: 'quick', config: {}, adapter: { description: 'test', device: 'test', driver: '', backend: 'test' }, commit: 'abc',
      startedAt: '', finishedAt: '', wallSeconds: 1, trainSeconds: 1, steps: 1, unit: 'images', itemsPerSec: 10, figures: {},
      evaluations: [{ at: '', protocols: ['linear'], reports: reports(0.852, 0.701), table: '', seconds: 1 }],
    };
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
    const body = readFileSync(writeReport(dir), 'utf8').split('<body>')[1];
    const lines = body.trim().split('\n');
    expect(lines[0]).toBe('<h1>simclr on fashion-mnist (quick)</h1>');
    expect(lines[1]).toMatch(/^<p class="verdict yes">Pretraining helps: simclr beats raw pixels and the random-init encoder on each headline measure:/);
    expect(lines[2]).toContain('<th>linear probe</th><td>85.2</td><td>81.8</td><td>77.9</td><td><b>90.0</b></td>');
    expect(lines[2]).toContain('<th>1% labels, fine-tuned</th><td><b>70.1</b></td><td>59.4</td><td>62.0</td><td>—</td>');
  });
});
