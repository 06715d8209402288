// The objectives a hybrid can put on one encoder, by name. Each entry has its own options (the
// hybrid prefixes them: tau → --simclr-tau), the task whose presets hold their values per dataset,
// its checks before training and its factory. A new objective (colorization, …) joins by adding
// one entry to OBJECTIVES.
import type { ImageDataset } from '@pretext/data';
import type { Pipeline } from '@pretext/kernels';
import type { Init } from '@pretext/models';
import { simclrAugmentation, mocoAugmentation } from './augmentations.js';
import { checkColorization, colorization, colorizationObjective, colorizationOptions } from './colorization.js';
import { checkContext, context, contextObjective, contextOptions } from './context.js';
import { type ConvEncoderConfig, convEncoder, type DenseImageEncoder } from './encoders.js';
import { checkJigsaw, jigsaw, jigsawObjective, jigsawOptions } from './jigsaw.js';
import { checkMoco, moco, mocoObjective, mocoOptions } from './moco.js';
import type { Objective } from './objective.js';
import { type ConfigOf, parseOptions, type Schema } from './options.js';
import { checkRotation, rotation, rotationObjective, rotationOptions } from './rotation.js';
import { simclr, simclrObjective, simclrOptions } from './simclr.js';
import { type FolderRef, presetDataset, type Task } from './task.js';
import type { TrainingConfig } from './training-options.js';
import { checkPairs } from './views.js';

/** What every objective may read besides its own options: the run's training and encoder options, the dataset. */
export type ObjectiveBase = TrainingConfig & ConvEncoderConfig & { dataset: string; folder?: FolderRef };
type Flag = (name: string) => string;

interface ObjectiveDef<S extends Schema> {
  name: string;
  options: S;
  /** Where the objective's option values per dataset and preset come from. */
  task: Task<'image'>;
  check?(cfg: ConfigOf<S> & ObjectiveBase, data: ImageDataset, flag: Flag): void;
  make(cfg: ConfigOf<S> & ObjectiveBase, encoder: DenseImageEncoder, init: Init, data: ImageDataset): Objective<'image'>;
  augmentation?(cfg: ConfigOf<S> & ObjectiveBase): Pipeline;
}

/** An objective as the hybrid holds it: `values` are its own options by their own names, checked by its schema. */
export interface ObjectiveEntry {
  readonly name: string;
  readonly options: Schema;
  readonly task: Task<'image'>;
  check(base: ObjectiveBase, values: Readonly<Record<string, unknown>>, data: ImageDataset, flag: Flag): void;
  make(base: ObjectiveBase, values: Readonly<Record<string, unknown>>, encoder: DenseImageEncoder, init: Init, data: ImageDataset): Objective<'image'>;
  augmentation(base: ObjectiveBase, values: Readonly<Record<string, unknown>>): Pipeline | undefined;
}

export function defineObjective<S extends Schema>(def: ObjectiveDef<S>): ObjectiveEntry {
  const typed = (base: ObjectiveBase, values: Readonly<Record<string, unknown>>) => ({ ...base, ...parseOptions(def.options, values, def.name) });
  return {
    name: def.name,
    options: def.options,
    task: def.task,
    check: (base, values, data, flag) => def.check?.(typed(base, values), data, flag),
    make: (base, values, encoder, init, data) => def.make(typed(base, values), encoder, init, data),
    augmentation: (base, values) => def.augmentation?.(typed(base, values)),
  };
}

export const OBJECTIVES: Readonly<Record<string, ObjectiveEntry>> = {
  simclr: defineObjective({
    name: 'simclr', options: simclrOptions, task: simclr,
    check: (cfg, data, flag) => checkPairs(cfg, data, flag),
    make: (cfg, encoder, init, data) => simclrObjective(cfg, encoder, init, data),
    augmentation: (cfg) => simclrAugmentation(presetDataset(cfg), cfg.jitter),
  }),
  moco: defineObjective({
    name: 'moco', options: mocoOptions, task: moco,
    check: (cfg, data, flag) => checkMoco(cfg, data, flag),
    // the key encoder starts as a copy of the shared encoder (mocoObjective copies it)
    make: (cfg, encoder, init, data) => mocoObjective(cfg, encoder, convEncoder(cfg, data, init), init, data),
    augmentation: (cfg) => mocoAugmentation(presetDataset(cfg)),
  }),
  rotation: defineObjective({
    name: 'rotation', options: rotationOptions, task: rotation,
    check: (_cfg, data) => checkRotation(data),
    make: (cfg, encoder, init) => rotationObjective(cfg, encoder, init),
  }),
  jigsaw: defineObjective({
    name: 'jigsaw', options: jigsawOptions, task: jigsaw,
    check: (cfg, data, flag) => checkJigsaw(cfg, data, flag),
    make: (cfg, encoder, init, data) => jigsawObjective(cfg, encoder, init, data),
  }),
  context: defineObjective({
    name: 'context', options: contextOptions, task: context,
    check: (cfg, data, flag) => checkContext(cfg, data, flag),
    make: (cfg, encoder, init, data) => contextObjective(cfg, encoder, init, data),
  }),
  colorization: defineObjective({
    name: 'colorization', options: colorizationOptions, task: colorization,
    check: (cfg, data, flag) => checkColorization(cfg, data, flag),
    // the shared encoder sees the gray image as RGB (L, 0, 0)
    make: (cfg, encoder, init, data) => colorizationObjective(cfg, encoder, init, data),
  }),
};
