// Few-label evaluation (SimCLR §B.5 / semi-supervised tables): the linear probe trained on a fixed,
// seeded, class-balanced 1% or 10% of the training labels, tested on the full test split.
import { permutation } from '@pretext/data';
import { checkLabels, type Features, numClasses, selectRows } from './features.js';
import { type SelectedProbeOptions, type SelectedProbeResult, selectedLinearProbe, weightDecayCandidates } from './probe-selection.js';

/**
 * Indices of a class-balanced subset holding ≈ fraction of the labels: the same number per class,
 * round(fraction·N / C) (at least 1; a class with fewer items gives all it has), chosen by a
 * seeded permutation of each class's items. Sorted ascending; the same seed gives the same subset.
 */
export function fewLabelSubset(labels: Int32Array, fraction: number, seed: number): Int32Array {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`fewLabelSubset: fraction must be in (0, 1], got ${fraction}`);
  checkLabels('fewLabelSubset', 'labels', labels, labels.length);
  if (labels.length === 0) throw new Error('fewLabelSubset: labels are empty');
  const classes = numClasses(labels);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const present = byClass.filter((m) => m.length > 0).length;
  const perClass = Math.max(1, Math.round((fraction * labels.length) / present));
  const out: number[] = [];
  byClass.forEach((members, c) => {
    if (!members.length) return;
    const p = permutation(members.length, seed * 1000003 + c);
    for (let i = 0; i < Math.min(perClass, members.length); i++) out.push(members[p[i]]);
  });
  return Int32Array.from(out.sort((a, b) => a - b));
}

export interface FewLabelResult extends SelectedProbeResult {
  fraction: number;
  labelled: number;
}

/**
 * The linear probe on each labelled fraction (default 1% and 10%), its weight decay selected on
 * held-out rows of that fraction (default candidates PROBE_WEIGHT_DECAYS; one value: no selection).
 */
export async function fewLabel(
  trainFeats: Features,
  trainLabels: Int32Array,
  testFeats: Features,
  testLabels: Int32Array,
  opts: SelectedProbeOptions & { fractions?: readonly number[]; subsetSeed?: number } = {},
): Promise<FewLabelResult[]> {
  checkLabels('fewLabel', 'train labels', trainLabels, trainFeats.n);
  const classes = opts.classes ?? numClasses(trainLabels, testLabels);
  const out: FewLabelResult[] = [];
  for (const fraction of opts.fractions ?? [0.01, 0.1]) {
    const idx = fewLabelSubset(trainLabels, fraction, opts.subsetSeed ?? 0);
    const labels = Int32Array.from(idx, (i) => trainLabels[i]);
    // small subsets: the same number of optimisation steps as a few epochs of the full set would take
    const weightDecays = weightDecayCandidates(opts);
    const r = await selectedLinearProbe(selectRows(trainFeats, idx), labels, testFeats, testLabels, { ...opts, weightDecays, classes, batchSize: Math.min(opts.batchSize ?? 256, idx.length) });
    out.push({ ...r, fraction, labelled: idx.length });
  }
  return out;
}
