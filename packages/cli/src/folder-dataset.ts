// `--dataset <folder>`: a folder of the user's PNG/JPEG images as a run's dataset. Its headers say
// whether it is gray or colour (one colour image makes it colour); that picks the known dataset it
// resembles — gray: Fashion-MNIST's presets, recipe and 28×28; colour: the emoji's and 64×64.
import { resolve } from 'node:path';
import { scanImageFolder } from '@pretext/data';
import { FOLDER_LOOKALIKE, type FolderRef } from '@pretext/tasks';
import { UsageError } from './flags.js';

export const FOLDER_HELP = 'or a folder of PNG/JPEG images (sub-folders = labels, used by evaluation only): gray folders take fashion-mnist\'s presets and 28×28, colour ones emoji\'s and 64×64; --image-size N overrides the size';

/** The run identity of a folder dataset: its absolute path and FolderRef; a UsageError names what is wrong. */
export function folderDataset(path: string, imageSize: number | undefined, known: readonly string[]): { dataset: string; folder: FolderRef } {
  let gray: boolean;
  try {
    gray = scanImageFolder(path).gray;
  } catch (e) {
    throw new UsageError(`--dataset '${path}' is neither a known dataset (${known.join(', ')}) nor a folder of images: ${(e as Error).message}`);
  }
  const look = FOLDER_LOOKALIKE[gray ? 1 : 3];
  const size = imageSize ?? look.size;
  return { dataset: resolve(path), folder: { size, channels: gray ? 1 : 3, like: look.like } };
}

/** `--image-size` as given: an integer in [8, 512]. */
export function imageSizeFlag(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 8 || n > 512) throw new UsageError(`--image-size must be an integer in [8, 512], got '${v}'`);
  return n;
}
