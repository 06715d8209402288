import { useWebGpu } from '@pretext/core';
import { ImageLoader, loadFashionMnist } from '@pretext/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { context, hybrid, jigsaw, parseObjectives, rotation, simclr, type Task, TASKS } from './index.js';

let gpuStats: () => { buffersCreated: number; pipelinesCreated: number };
beforeAll(async () => {
  const b = await useWebGpu();
  gpuStats = () => b.gpu.stats();
});

const data = loadFashionMnist('test', { limit: 64 });
const SMALL = { batchSize: 16, width: 4, hidden: 16, warmupSteps: 0, lr: 1e-2 };
const batch = new ImageLoader(data, 16, { seed: 1 }).batch(0, 0);

/** Steps on one fixed batch with one augmentation seed: the loss must fall, steady state allocate nothing. */
async function learn(task: Task<'image'>, overrides: Record<string, unknown>, steps: number) {
  const state = task.build(task.config('fashion-mnist', 'quick', overrides), data);
  const losses: number[] = [];
  let after1 = gpuStats();
  for (let s = 0; s < steps; s++) {
    const m = await state.step(batch, 0, 1000);
    losses.push(m.loss);
    expect(Number.isFinite(m.loss) && m.accuracy >= 0 && m.accuracy <= 1, `${task.id} step ${s}`).toBe(true);
    if (s === 1) after1 = gpuStats();
  }
  const end = gpuStats();
  return { state, losses, newBuffers: end.buffersCreated - after1.buffersCreated, newPipelines: end.pipelinesCreated - after1.pipelinesCreated };
}

describe('pretext tasks', () => {
  const cases: [Task<'image'>, Record<string, unknown>, number][] = [
    [rotation, SMALL, Math.log(4)],
    [rotation, { ...SMALL, allRotations: false, hidden: 0 }, Math.log(4)],
    [jigsaw, { ...SMALL, permutations: 24, puzzle: 2 }, Math.log(24)],
    [jigsaw, SMALL, Math.log(100)],
    [context, SMALL, Math.log(8)],
  ];
  for (const [task, overrides, chance] of cases) {
    it(`${task.id} ${JSON.stringify(overrides)} starts near ln(classes), learns a batch, allocates nothing in steady state`, async () => {
      const r = await learn(task, overrides, 12);
      expect(Math.abs(r.losses[0] - chance), `first loss ${r.losses[0]}`).toBeLessThan(0.7);
      expect(r.losses[11], `losses ${r.losses.map((l) => l.toFixed(3))}`).toBeLessThan(r.losses[0] - 0.3);
      expect(r.newBuffers).toBe(0);
      expect(r.newPipelines).toBe(0);
      r.state.dispose();
    });
  }

  it('heldOut gives the pretext metrics in eval mode; pretextExamples what the classifier predicts', async () => {
    const state = jigsaw.build(jigsaw.config('fashion-mnist', 'quick', SMALL), data);
    const loader = new ImageLoader(data, 16, { seed: 0, shuffle: false });
    const before = state.encoder.training;
    const m = await state.heldOut([loader.batch(0, 0), loader.batch(0, 1)], 3);
    expect(Object.keys(m).sort()).toEqual(['accuracy', 'loss']);
    expect(m.accuracy).toBeGreaterThanOrEqual(0);
    expect(Math.abs(m.loss - Math.log(100))).toBeLessThan(1);
    expect(state.encoder.training).toBe(before);
    const [ex] = (await state.pretextExamples?.(batch, 3)) ?? [];
    if (ex.kind === 'rows') throw new Error('jigsaw draws a classifier example');
    expect([ex.kind, ex.objective, ex.shape, ex.truth.length, ex.predicted.length, ex.permutations?.length]).toEqual(['jigsaw', 'jigsaw', [16, 9, 1, 8, 8], 16, 16, 900]);
    expect(ex.predicted.every((p) => p >= 0 && p < 100)).toBe(true);
    state.dispose();
  });

  it("hybrid: the loss is the weighted sum of its parts' losses, each part's the same as alone (same seed)", async () => {
    const small = { batchSize: 16, width: 4, warmupSteps: 0, lr: 1e-2, simclrProjHidden: 16, simclrProjDim: 8, rotationHidden: 16 };
    const first = async (objectives: string) => {
      const state = hybrid.build(hybrid.config('fashion-mnist', 'quick', { ...small, objectives }), data);
      const m = await state.step(batch, 3, 1000);
      state.dispose();
      return m;
    };
    const both = await first('simclr:1,rotation:0.5');
    const [a, b] = [await first('simclr:1,rotation:0'), await first('simclr:0,rotation:1')];
    expect(both.loss).toBeCloseTo(both['simclr.loss'] + 0.5 * both['rotation.loss'], 5);
    expect(both['simclr.loss']).toBeCloseTo(a['simclr.loss'], 5);
    expect(both['rotation.loss']).toBeCloseTo(b['rotation.loss'], 5);
    expect(a.loss).toBeCloseTo(a['simclr.loss'], 5);
    // SimCLR alone, same seed and sizes: the same encoder and head init, the same views
    const alone = simclr.build(simclr.config('fashion-mnist', 'quick', { batchSize: 16, width: 4, warmupSteps: 0, lr: 1e-2, projHidden: 16, projDim: 8 }), data);
    expect((await alone.step(batch, 3, 1000)).loss).toBeCloseTo(both['simclr.loss'], 5);
    alone.dispose();
  });

  it('rejects bad puzzles, patches and weights before training, naming the option and the range', () => {
    const bad = (task: Task<'image'>, o: Record<string, unknown>) => () => task.build(task.config('fashion-mnist', 'quick', o), data);
    expect(bad(jigsaw, { puzzle: 2, permutations: 100 })).toThrow(/--permutations must be ≤ \(g²\)! = 24 for --puzzle 2, got 100/);
    expect(bad(jigsaw, { puzzle: 3, tileSize: 9, gap: 1, jitter: 1 })).toThrow(/--puzzle 3 with --tile-size 9, --gap 1 and --jitter 1 does not fit .*28×28 images: puzzle·tile \+ \(puzzle − 1\)·gap \+ 2·jitter must be ≤ 28, got 31/);
    expect(bad(jigsaw, { puzzle: 4, gap: 8 })).toThrow(/--puzzle 4 with --tile-size \(none fits\)/);
    expect(bad(jigsaw, { puzzle: 3, grid: 3 })).toThrow(/a tile of 8 pixels leaves 2 cells after --downsample 1 and two 2×2 pools, fewer than --grid 3/);
    expect(bad(context, { patchSize: 9, gap: 2, jitter: 0 })).toThrow(/--patch-size 9 with --gap 2 and --jitter 0 does not fit .*: 3·size \+ 2·gap \+ 2·jitter must be ≤ 28, got 31/);
    expect(bad(hybrid, { objectives: 'simclr:1,jigsaw:1', jigsawPuzzle: 2, jigsawPermutations: 30 })).toThrow(/--jigsaw-permutations must be ≤ \(g²\)! = 24 for --jigsaw-puzzle 2, got 30/);
    expect(bad(hybrid, { objectives: 'simclr:1,moco:1', mocoQueueSize: 100 })).toThrow(/--moco-queue-size 100 must be a multiple of --batch-size 256/);
    // colour from lightness needs colour: alone or in a hybrid, before training, naming --dataset
    expect(bad(hybrid, { objectives: 'simclr:1,colorization:1' })).toThrow(/--dataset fashion-mnist: colorization predicts colour from lightness and needs colour \(RGB\) images; .* 1 channel \(grayscale\); use --dataset emoji/);
    const colour = { name: 'emoji', images: new Float32Array(4 * 3 * 64 * 64), shape: [4, 3, 64, 64] as [number, number, number, number], labels: new Int32Array(4), classes: ['a'], partner: Int32Array.of(1, 0, 3, 2) };
    expect(() => hybrid.check(hybrid.config('emoji', 'quick', { objectives: 'simclr:1,colorization:1', colorizationUpsample: 3 }), colour)).toThrow(/--colorization-upsample 3 must divide the encoder map's stride 8/);
    expect(() => hybrid.check(hybrid.config('emoji', 'quick', { objectives: 'simclr:1,colorization:1', downsample: 3 }), colour)).toThrow(/--downsample 3: the encoder's map has stride 4·3 = 12, which must divide the 64×64 images/);
    for (const [spec, why] of [
      ['simclr:1,rotation:-0.5', /--objectives: the weight of rotation must be a finite number ≥ 0, got '-0.5'; valid: name:weight,… with names from simclr, moco, rotation, jigsaw, context, colorization/],
      ['simclr:NaN', /the weight of simclr must be a finite number ≥ 0, got 'NaN'/],
      ['simclr:1e999', /got '1e999'/],
      ['simclr:0,rotation:0', /every weight is 0/],
      ['simclr,byol:1', /unknown objective 'byol'/],
      ['simclr,simclr:2', /simclr is named twice/],
      ['', /no objectives/],
    ] as const) {
      expect(() => parseObjectives(spec), spec).toThrow(why);
      expect(() => hybrid.config('fashion-mnist', 'quick', { objectives: spec }), spec).toThrow(/--objectives: /);
    }
    expect(parseObjectives('simclr, rotation:0.25')).toEqual([{ name: 'simclr', weight: 1 }, { name: 'rotation', weight: 0.25 }]);
  });

  it("the hybrid's presets carry each objective's own values for the dataset", () => {
    const cfg = hybrid.config('emoji', 'quick', { objectives: 'simclr:1,jigsaw:0.5' });
    expect([cfg.simclrPairs, cfg.jigsawGap, cfg.jigsawJitter, cfg.simclrTau, cfg.rotationAllRotations]).toEqual([true, 3, 2, 0.5, false]);
    expect(hybrid.config('fashion-mnist', 'quick').jigsawGap).toBe(1);
  });

  it('every preset of every task fits its dataset (checked against images of its shape)', () => {
    const shapes = { 'fashion-mnist': [1, 28, 28], emoji: [3, 64, 64] } as const;
    for (const task of Object.values(TASKS)) {
      if (task.modality !== 'image') continue;
      for (const dataset of task.datasets) {
        const [c, h, w] = shapes[dataset];
        const images = { name: dataset, images: new Float32Array(4 * c * h * w), shape: [4, c, h, w] as [number, number, number, number], labels: new Int32Array(4), classes: ['a'], partner: Int32Array.of(1, 0, 3, 2) };
        for (const preset of task.presetsOf(dataset)) {
          const all = `simclr:1,moco:1,rotation:1,jigsaw:1,context:1${c === 3 ? ',colorization:1' : ''}`;
          const cfg = task.config(dataset, preset, task.id === 'hybrid' ? { objectives: all } : {});
          const check = () => task.check(cfg, images);
          if (task.id === 'colorization' && c === 1) expect(check, `${task.id} ${dataset} ${preset}`).toThrow(/--dataset fashion-mnist: colorization .* needs colour/);
          else expect(check, `${task.id} ${dataset} ${preset}`).not.toThrow();
        }
      }
    }
  });
});
