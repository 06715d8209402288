import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TASKS } from '@pretext/tasks';
import { parseCli, type TrainArgs, UsageError } from './args.js';

const parse = (s: string) => parseCli(s.split(' ').filter(Boolean), TASKS);
const train = (s: string) => parse(s) as TrainArgs;
const fails = (s: string, msg: RegExp) => {
  expect(() => parse(s)).toThrow(UsageError);
  expect(() => parse(s)).toThrow(msg);
};
const tmp = mkdtempSync(join(tmpdir(), 'pretext-args-'));

describe('pretext argument validation', () => {
  it('accepts a full train command; options become overrides checked by the task', () => {
    const a = train('train simclr --dataset emoji --epochs 3 --batch-size 64 --seed 7 --out /tmp/x --resume');
    expect(a).toMatchObject({ command: 'train', dataset: 'emoji', preset: 'quick', overrides: { epochs: 3, batchSize: 64, seed: 7 }, out: '/tmp/x', resume: true, logEvery: 1, progress: true });
    expect(a.task.id).toBe('simclr');
    const d = train('train simclr --dataset fashion-mnist --preset full');
    expect(d).toMatchObject({ preset: 'full', overrides: {}, out: 'runs/simclr-fashion-mnist-full-seed0', resume: false });
  });

  it('derives every hyper-parameter flag from the task config: numbers, choices, booleans', () => {
    const a = train('train simclr --dataset emoji --lr 3e-3 --tau=0.2 --optimizer lars --no-pairs --proj-dim 32 --no-progress');
    expect(a.overrides).toEqual({ lr: 3e-3, tau: 0.2, optimizer: 'lars', pairs: false, projDim: 32 });
    expect(a.progress).toBe(false);
    expect(train('train moco --dataset emoji --queue-size 512 --momentum 0.999 --pairs').overrides).toEqual({ queueSize: 512, momentum: 0.999, pairs: true });
    expect(train('train simclr --dataset emoji --pairs false').overrides).toEqual({ pairs: false });
  });

  it('reads --config FILE; flags override it; a bad file is named', () => {
    const f = join(tmp, 'cfg.json');
    writeFileSync(f, JSON.stringify({ lr: 0.01, tau: 0.3, epochs: 4 }));
    expect(train(`train simclr --dataset emoji --config ${f} --epochs 5`).overrides).toEqual({ lr: 0.01, tau: 0.3, epochs: 5 });
    writeFileSync(f, JSON.stringify({ queueSize: 64 }));
    fails(`train simclr --dataset emoji --config ${f}`, /--config .*cfg\.json: options: unknown option 'queueSize'/);
    writeFileSync(f, '{ not json');
    fails(`train simclr --dataset emoji --config ${f}`, /--config: .*cfg\.json is not valid JSON/);
    fails(`train simclr --dataset emoji --config ${join(tmp, 'none.json')}`, /--config: .*none\.json does not exist/);
  });

  it('names the valid tasks, datasets and presets', () => {
    fails('train nope --dataset emoji', /unknown task 'nope'; valid tasks:[\s\S]*simclr/);
    fails('train --dataset emoji', /takes one task first, got none; valid tasks:[\s\S]*simclr/);
    fails('train simclr --dataset cifar', /--dataset 'cifar' is neither a known dataset \(fashion-mnist, emoji\) nor a folder of images: image folder cifar does not exist/);
    fails('train simclr', /needs --dataset; valid: fashion-mnist, emoji/);
  });

  it('rejects bad numbers, unknown flags and commands, naming the flag and its range', () => {
    fails('train simclr --dataset emoji --epochs 0', /--epochs must be an integer ≥ 1, got '0'/);
    fails('train simclr --dataset emoji --epochs 2.5', /--epochs must be an integer/);
    fails('train simclr --dataset emoji --batch-size 1', /--batch-size must be an integer ≥ 2/);
    fails('train simclr --dataset emoji --seed -1', /--seed must be an integer ≥ 0, got '-1'/);
    fails('train simclr --dataset emoji --train-limit x', /--train-limit must be an integer ≥ 1, got 'x'/);
    fails('train simclr --dataset emoji --tau 0', /--tau must be a finite number > 0 and ≤ 10, got '0'/);
    fails('train simclr --dataset emoji --optimizer rmsprop', /--optimizer must be one of adamw, lars, sgd, got 'rmsprop'/);
    fails('train simclr --dataset emoji --queue-size 8', /unknown flag '--queue-size'; see `pretext train simclr --help`/);
    fails('train simclr --dataset emoji --lr', /--lr needs a value/);
    fails('train simclr --dataset emoji --lr 1 --lr 2', /--lr is given twice/);
    fails('train simclr --dataset emoji --preset large', /--preset large: simclr has no large preset for emoji; valid: quick, full/);
    fails('train simclr --dataset emoji --preset huge', /unknown preset 'huge'; valid: quick, full, large/);
    fails('fly', /unknown command 'fly'; valid: train, eval, report, compare, generate, export, embed, bench/);
    fails('eval', /takes one run directory, got none/);
    fails('report', /takes one or more run directories, got none/);
    fails('report a --out x.html', /--out is for comparing several runs/);
  });

  it('--help at every level exits through help with the right text', () => {
    const h = (s: string) => {
      const r = parse(s);
      expect(r.command).toBe('help');
      return r.command === 'help' ? r.text : '';
    };
    expect(h('')).toMatch(/pretext <command>/);
    expect(h('train --help')).toMatch(/Tasks:[\s\S]*simclr[\s\S]*moco/);
    const t = h('train moco --help');
    expect(t).toMatch(/--queue-size\s+≥ 1/);
    expect(t).toMatch(/fashion-mnist\/quick\s+fashion-mnist\/full\s+emoji\/quick\s+emoji\/full/);
    expect(t).toMatch(/--epochs .* 2 +3 +8 +50 /);
    expect(t).toMatch(/\[--preset quick\|full\] /);
    expect(h('train gpt --help')).toMatch(/\[--preset quick\|full\|large\][\s\S]*fortunes\/quick\s+fortunes\/full\s+fortunes\/large/);
    expect(h('eval --help')).toMatch(/^pretext eval <DIR>[\s\S]*--protocol NAME/);
    expect(h('report --help')).toMatch(/^pretext report <DIR> \[<DIR>\.\.\.\] \[--out FILE\]/);
    expect(h('--version')).toMatch(/^pretext \d+\.\d+\.\d+ \(commit [0-9a-f]{7,}(-dirty)?, node \d+/);
    expect(h('train simclr --help')).toMatch(/--overwrite[\s\S]*--progress-every N/);
    expect(h('compare --help')).toMatch(/^pretext compare --dataset <name> --tasks a,b,… --budget <N>min\|<N>ep/);
    fails('--verbose', /unknown option '--verbose'; valid: train, eval, report, compare, generate, export, embed, bench, --help, --version/);
  });

  it('--resume: the dataset may come from the checkpoint; only flags given are compared; --overwrite contradicts it', () => {
    const r = train('train simclr --resume --out runs/a');
    expect(r).toMatchObject({ dataset: undefined, resume: true, out: 'runs/a', outGiven: true, given: {} });
    expect(train('train simclr --resume --out runs/a --preset full --lr 0.1').given).toEqual({ preset: 'full', lr: 0.1 });
    expect(train('train simclr --dataset emoji').given).toEqual({ dataset: 'emoji' }); // the default preset is not "given"
    fails('train simclr --resume', /needs --dataset; valid: fashion-mnist, emoji, or a folder of images \(or --out DIR of the run to resume\)/);
    fails('train simclr --dataset emoji --resume --overwrite', /--resume and --overwrite contradict each other/);
    expect(train('train simclr --dataset emoji --overwrite --progress-every 10')).toMatchObject({ overwrite: true, progressEvery: 10, outGiven: false });
    fails('train simclr --dataset emoji --progress-every 0', /--progress-every must be an integer ≥ 1/);
  });

  it('passes bench arguments through and parses eval protocols', () => {
    expect(parse('bench --quick --only matmul')).toEqual({ command: 'bench', args: ['--quick', '--only', 'matmul'] });
    expect(parse('report a b --out c.html')).toEqual({ command: 'report', dirs: ['a', 'b'], out: 'c.html' });
    expect(parse('eval runs/a --protocol knn --protocol linear')).toEqual({ command: 'eval', dir: 'runs/a', protocols: ['knn', 'linear'], baselines: undefined });
  });

  it('parses generate: defaults, every flag checked with its range', () => {
    expect(parse('generate runs/g')).toEqual({ command: 'generate', dir: 'runs/g', prompt: '', tokens: 200, temperature: 0.8, seed: 0, cache: true, overflow: 'truncate' });
    expect(parse('generate runs/g --prompt Hi --tokens 5 --temperature 0 --top-k 3 --seed 4 --no-cache --overflow reject')).toEqual({
      command: 'generate', dir: 'runs/g', prompt: 'Hi', tokens: 5, temperature: 0, topK: 3, seed: 4, cache: false, overflow: 'reject',
    });
    expect(() => parse('generate runs/g --tokens 0')).toThrow(/--tokens must be an integer in \[1, 100000\], got '0'/);
    expect(() => parse('generate runs/g --temperature -1')).toThrow(/--temperature must be a number in \[0, 100\]/);
    expect(() => parse('generate runs/g --top-k 2.5')).toThrow(/--top-k must be an integer ≥ 1/);
    expect(() => parse('generate runs/g --overflow wrap')).toThrow(/--overflow must be truncate or reject, got 'wrap'/);
    expect(() => parse('generate')).toThrow(/takes one run directory, got none/);
    expect(() => parse('generate runs/g --length 5')).toThrow(/unknown flag '--length'/);
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
