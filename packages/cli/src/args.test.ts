import { describe, expect, it } from 'vitest';
import { DATASETS, TASKS } from '@pretext/tasks';
import { parseCli, UsageError } from './args.js';

const parse = (s: string) => parseCli(s.split(' ').filter(Boolean), TASKS, DATASETS);
const fails = (s: string, msg: RegExp) => {
  expect(() => parse(s)).toThrow(UsageError);
  expect(() => parse(s)).toThrow(msg);
};

describe('pretext argument validation', () => {
  it('accepts a full train command and applies defaults', () => {
    const a = parse('train simclr --dataset emoji --epochs 3 --batch-size 64 --seed 7 --out /tmp/x --resume');
    expect(a).toMatchObject({ command: 'train', dataset: 'emoji', preset: 'quick', epochs: 3, batchSize: 64, seed: 7, out: '/tmp/x', resume: true, logEvery: 1 });
    expect(a.command === 'train' && a.task.id).toBe('simclr');
    const d = parse('train simclr --dataset fashion-mnist --preset full');
    expect(d).toMatchObject({ preset: 'full', epochs: undefined, out: 'runs/simclr-fashion-mnist-full-seed0', resume: false });
  });

  it('names the valid tasks, datasets and presets', () => {
    fails('train nope --dataset emoji', /unknown task 'nope'; valid tasks:[\s\S]*simclr/);
    fails('train --dataset emoji', /takes one task, got none; valid tasks:[\s\S]*simclr/);
    fails('train simclr --dataset cifar', /unknown dataset 'cifar'; valid: fashion-mnist, emoji/);
    fails('train simclr', /needs --dataset; valid: fashion-mnist, emoji/);
    fails('train simclr --dataset emoji --preset huge', /unknown preset 'huge'; valid: quick, full/);
  });

  it('rejects bad numbers, unknown flags and commands', () => {
    fails('train simclr --dataset emoji --epochs 0', /--epochs must be an integer ≥ 1, got '0'/);
    fails('train simclr --dataset emoji --epochs 2.5', /--epochs must be an integer/);
    fails('train simclr --dataset emoji --batch-size 1', /--batch-size must be an integer ≥ 2/);
    fails('train simclr --dataset emoji --seed -1', /seed/);
    fails('train simclr --dataset emoji --train-limit x', /--train-limit must be an integer ≥ 1, got 'x'/);
    fails('train simclr --dataset emoji --lr 3', /Unknown option '--lr'/);
    fails('fly', /unknown command 'fly'; valid: train, eval, report, bench/);
    fails('eval', /takes one run directory, got none/);
    fails('report a b', /takes one run directory, got 'a' 'b'/);
  });

  it('passes bench arguments through and parses eval protocols', () => {
    expect(parse('bench --quick --only matmul')).toEqual({ command: 'bench', args: ['--quick', '--only', 'matmul'] });
    expect(parse('eval runs/a --protocol knn --protocol linear')).toEqual({ command: 'eval', dir: 'runs/a', protocols: ['knn', 'linear'], baselines: undefined });
    expect(parse('')).toEqual({ command: 'help' });
  });

  it('parses --baselines as a list, none, or all by default, and names the valid ones', () => {
    expect(parse('eval runs/a --baselines none')).toMatchObject({ baselines: [] });
    expect(parse('eval runs/a --baselines supervised,raw-pixels')).toMatchObject({ baselines: ['supervised', 'raw-pixels'] });
    expect(parse('train moco --dataset emoji --baselines random-init')).toMatchObject({ baselines: ['random-init'] });
    expect(parse('train moco --dataset emoji')).toMatchObject({ baselines: undefined });
    fails('eval runs/a --baselines pixels', /--baselines: unknown baseline 'pixels'; valid: raw-pixels, random-init, supervised, or none/);
    fails('train simclr --dataset emoji --baselines supervised,supervised', /names a baseline twice/);
  });
});
