import { describe, expect, it } from 'vitest';
import { charNgramFeatures, classAccuracy, NgramLm, textScore } from './index.js';

describe('language baselines', () => {
  it('n-gram models: add-one over the seen tokens plus one unseen class', () => {
    // stream a b a b a c: unigram counts a 3, b 2, c 1 (6 tokens, 3 seen → V = 4)
    const s = [1, 2, 1, 2, 1, 3];
    const pairs = s.map((t, i): [number, number] => [i ? s[i - 1] : 0, t]);
    const uni = new NgramLm(1, pairs);
    expect(uni.nll(0, 1)).toBeCloseTo(-Math.log(4 / 10), 12);
    expect(uni.nll(0, 9)).toBeCloseTo(-Math.log(1 / 10), 12);
    expect(uni.mostFrequent()).toBe(1);
    const bi = new NgramLm(2, pairs);
    // after a: b twice, c once (3 contexts)
    expect(bi.nll(1, 2)).toBeCloseTo(-Math.log(3 / 7), 12);
    expect(bi.nll(2, 1)).toBeCloseTo(-Math.log(3 / 6), 12);
  });

  it('nats per token and bits per character from one score', () => {
    const r = textScore({ nats: 100, tokens: 50, chars: 80 });
    expect(r.natsPerToken).toBe(2);
    expect(r.natsPerChar).toBe(1.25);
    expect(r.bitsPerChar).toBeCloseTo(1.25 / Math.LN2, 12);
  });

  it('character n-gram features: unit rows, the same text the same row, case folded', () => {
    const f = charNgramFeatures(['Hello there', 'hello there', 'completely different'], { dim: 256 });
    const row = (i: number) => Array.from(f.values.subarray(i * 256, (i + 1) * 256));
    expect(row(0).reduce((a, v) => a + v * v, 0)).toBeCloseTo(1, 5);
    expect(row(0)).toEqual(row(1));
    expect(row(0).reduce((a, v, j) => a + v * row(2)[j], 0)).toBeLessThan(0.6);
  });

  it('balanced top-1 weighs each class alike', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 1]);
    const r = classAccuracy([0, 0, 0, 0, 0], labels);
    expect(r.top1).toBe(0.8);
    expect(r.balancedTop1).toBe(0.5);
  });
});
