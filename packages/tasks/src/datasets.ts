// The datasets a task trains and evaluates on, by id, and the shape of their images. Loading
// them reads files: splits.ts (Node).
import type { ImageDataset } from '@pretext/data';
import type { DatasetOf, FolderRef } from './task.js';

export const DATASETS: readonly DatasetOf<'image'>[] = ['fashion-mnist', 'emoji'];

export function checkDataset(id: string): DatasetOf<'image'> {
  const known = DATASETS.find((d) => d === id);
  if (!known) throw new Error(`unknown dataset '${id}'; valid: ${DATASETS.join(', ')}`);
  return known;
}

export interface EvalSets {
  train: ImageDataset;
  test: ImageDataset;
  /** emoji only: row k of each is the same emoji drawn by Google and by Twitter (held-out retrieval). */
  pairs?: { google: ImageDataset; twitter: ImageDataset };
  /** What loading did that a person should know (a folder's resized, converted and skipped files). */
  notes?: string[];
}

/** One image's shape (C, H, W) in a run: the known dataset's, or the folder's channels and size. */
export function imageShapeOf(run: { dataset: string; folder?: FolderRef }): [number, number, number] {
  if (run.folder) return [run.folder.channels, run.folder.size, run.folder.size];
  return checkDataset(run.dataset) === 'fashion-mnist' ? [1, 28, 28] : [3, 64, 64];
}

/**
 * An image set with no images, only their shape: what a task's `encoder(cfg, data, init)` reads to
 * size an encoder (channels), when the weights come from a checkpoint (export, embed).
 */
export function shapeOnly(run: { dataset: string; folder?: FolderRef }): ImageDataset {
  const [c, h, w] = imageShapeOf(run);
  return { name: `${run.dataset} (shape only)`, images: new Float32Array(0), shape: [0, c, h, w], labels: new Int32Array(0), classes: [] };
}
