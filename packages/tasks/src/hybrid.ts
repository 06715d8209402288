// A hybrid: a weighted sum of objectives on one shared encoder, declared in the config
// (--objectives simclr:1,rotation:0.5 minimises L_simclr + 0.5·L_rotation). Each objective keeps
// its own options under its name (--simclr-tau, --rotation-hidden, --jigsaw-puzzle, …), with the
// values its own task's presets give for the dataset.
import { Init } from '@pretext/models';
import { convEncoder, convEncoderOptions } from './encoders.js';
import { trainObjectives } from './objective.js';
import { flagOf, type Option, OptionError, type Schema, text } from './options.js';
import { type ObjectiveBase, type ObjectiveEntry, OBJECTIVES } from './registry.js';
import { type DatasetOf, defineTask, type PresetId } from './task.js';
import { trainingOptions } from './training-options.js';

export interface WeightedName {
  name: string;
  weight: number;
}

const FORMAT = `name:weight,… with names from ${Object.keys(OBJECTIVES).join(', ')} and weights finite and ≥ 0, not all 0`;

/** 'simclr:1,rotation:0.5' → [{ simclr, 1 }, { rotation, 0.5 }] (a bare name weighs 1); throws naming --objectives. */
export function parseObjectives(spec: string): WeightedName[] {
  const bad = (why: string) => new OptionError(`--objectives: ${why}; valid: ${FORMAT}`);
  const parts = spec.split(',').map((p) => p.trim()).filter(Boolean);
  if (!parts.length) throw bad(`no objectives in '${spec}'`);
  const out = parts.map((p): WeightedName => {
    const [name, w, ...rest] = p.split(':').map((s) => s.trim());
    if (!Object.hasOwn(OBJECTIVES, name)) throw bad(`unknown objective '${name}'`);
    if (rest.length) throw bad(`'${p}' is not name:weight`);
    const weight = w === undefined ? 1 : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(w) ? Number(w) : Number.NaN;
    if (!(Number.isFinite(weight) && weight >= 0)) throw bad(`the weight of ${name} must be a finite number ≥ 0, got '${w}'`);
    return { name, weight };
  });
  const names = out.map((o) => o.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw bad(`${twice} is named twice`);
  if (out.every((o) => o.weight === 0)) throw bad('every weight is 0');
  return out;
}

/** An objective's option under the hybrid: tau of simclr → simclrTau (--simclr-tau). */
export const partOption = (objective: string, option: string): string => objective + option[0].toUpperCase() + option.slice(1);

// every registered objective's options, prefixed with its name, help lines too
const partOptions: Schema = Object.fromEntries(
  Object.values(OBJECTIVES).flatMap((e) => Object.entries(e.options).map(([k, o]): [string, Option<unknown>] => [partOption(e.name, k), { ...o, help: `${e.name}: ${o.help}` }])),
);

export const hybridOptions = {
  objectives: text(`the weighted objectives on the one encoder (${Object.keys(OBJECTIVES).join(', ')}; weights finite, ≥ 0, not all 0)`, 'simclr:1,rotation:0.5', 'name:weight,…', (s) => {
    try {
      parseObjectives(s);
      return null;
    } catch (e) {
      return (e as Error).message.replace(/^--objectives: /, '');
    }
  }),
};

/** The hybrid's options: the training and encoder options, --objectives, and every objective's own, prefixed. */
const options: typeof trainingOptions & typeof convEncoderOptions & typeof hybridOptions & Schema = { ...trainingOptions, ...convEncoderOptions, ...hybridOptions, ...partOptions };

/** An objective's own option values (by its own names) out of the hybrid's config. */
function valuesOf(e: ObjectiveEntry, cfg: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(e.options).map((k) => [k, cfg[partOption(e.name, k)]]).filter(([, v]) => v !== undefined));
}

/** Flags as the hybrid spells them: the objective's options prefixed, the shared ones as they are. */
const flagIn = (e: ObjectiveEntry) => (k: string) => flagOf(Object.hasOwn(e.options, k) ? partOption(e.name, k) : k);

/** Each objective's option values in its own task's preset for the dataset, prefixed. */
function partPresets(dataset: DatasetOf<'image'>, preset: PresetId): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of Object.values(OBJECTIVES)) {
    if (!e.task.datasets.includes(dataset)) continue;
    const values = e.task.presetValues(dataset, preset);
    for (const k of Object.keys(e.options)) if (values[k] !== undefined) out[partOption(e.name, k)] = values[k];
  }
  return out;
}

/** The objectives of a config, with their entries and option values. */
function partsOf(cfg: ObjectiveBase & { objectives: string; [option: string]: unknown }) {
  return parseObjectives(cfg.objectives).map(({ name, weight }) => ({ entry: OBJECTIVES[name], values: valuesOf(OBJECTIVES[name], cfg), weight }));
}

// Sized as SimCLR's presets (the default hybrid is SimCLR + ½ rotation, one random rotation per image).
export const hybrid = defineTask({
  id: 'hybrid',
  summary: 'Hybrid: a weighted sum of objectives on one shared encoder (--objectives simclr:1,rotation:0.5)',
  modality: 'image',
  options,
  presets: {
    'fashion-mnist': {
      quick: { ...partPresets('fashion-mnist', 'quick'), epochs: 2, batchSize: 256, trainLimit: 16384, supervisedEpochs: 1, width: 16, grid: 2, lr: 2e-3, finetuneEncoderLr: 1, rotationAllRotations: false, probeSelect: false },
      full: { ...partPresets('fashion-mnist', 'full'), epochs: 3, batchSize: 256, width: 32, grid: 2, lr: 2e-3, supervisedEpochs: 1, probeEpochs: 15, rotationAllRotations: false },
    },
    emoji: {
      quick: { ...partPresets('emoji', 'quick'), epochs: 8, batchSize: 128, width: 32, grid: 2, downsample: 2, lr: 2e-3, supervisedEpochs: 8, rotationAllRotations: false },
      full: { ...partPresets('emoji', 'full'), epochs: 50, batchSize: 256, width: 32, grid: 2, downsample: 2, lr: 2e-3, supervisedEpochs: 20, rotationAllRotations: false },
    },
  },
  folderPreset: { simclrPairs: false, mocoPairs: false }, // a folder has no natural second view
  check(cfg, data) {
    for (const { entry, values } of partsOf(cfg)) entry.check(cfg, values, data, flagIn(entry));
  },
  encoder: convEncoder,
  augmentation(cfg) {
    for (const { entry, values } of partsOf(cfg)) {
      const p = entry.augmentation(cfg, values);
      if (p) return p;
    }
    return undefined;
  },
  build(cfg, data) {
    const init = new Init(cfg.seed);
    const encoder = convEncoder(cfg, data, init);
    // every objective on the one encoder, its heads initialised in the order the config names them
    return trainObjectives(cfg, encoder, partsOf(cfg).map(({ entry, values, weight }) => ({ objective: entry.make(cfg, values, encoder, init, data), weight })));
  },
});
