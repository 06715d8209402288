// Figures of the pretext objectives on test images, one PNG per objective: what the view
// classifiers (rotation, jigsaw, context) saw and predicted, framed green where right and red where
// wrong; and rows of images over the same items (colorization: gray input, prediction, truth).
import { join } from 'node:path';
import { type ImageDataset, subset, writeImageGrid } from '@pretext/data';
import type { ClassifierExample, PretextExample, RowsExample, TrainState } from '@pretext/tasks';
export interface PretextFigure {
  file: string;
  objective: string;
  kind: PretextExample['kind'];
  rows: string;
  /** Predicted / true class per example, in the figure's order. */
  captions?: string;
}

type Images = { data: Float32Array; shape: [number, number, number, number] };
type Drawn = { grid: Images; cols: number; rows: string; captions?: string };

/** Each (C, H, W) image as RGB inside a 2-pixel frame: green where the prediction was right, red where wrong. */
function framed(im: Images, right: readonly boolean[]): Images {
  const [n, c, h, w] = im.shape;
  const [fh, fw] = [h + 4, w + 4];
  const out = new Float32Array(n * 3 * fh * fw);
  for (let s = 0; s < n; s++) for (let k = 0; k < 3; k++) {
    const frame = right[s] ? [0.1, 0.75, 0.2][k] : [0.9, 0.1, 0.1][k];
    for (let y = 0; y < fh; y++) for (let x = 0; x < fw; x++) {
      const inside = y >= 2 && y < h + 2 && x >= 2 && x < w + 2;
      out[((s * 3 + k) * fh + y) * fw + x] = inside ? im.data[((s * c + (c === 1 ? 0 : k)) * h + y - 2) * w + x - 2] : frame;
    }
  }
  return { data: out, shape: [n, 3, fh, fw] };
}

/** g×g square tiles (K, C, s, s) of one sample placed on a white canvas, tile t at cell place[t], 1 pixel apart. */
function assemble(tiles: Float32Array, c: number, s: number, g: number, place: (t: number) => number): Float32Array {
  const side = g * s + g - 1;
  const out = new Float32Array(c * side * side).fill(1);
  for (let t = 0; t < g * g; t++) {
    const cell = place(t);
    if (cell < 0) continue;
    const [top, left] = [Math.floor(cell / g) * (s + 1), (cell % g) * (s + 1)];
    for (let ch = 0; ch < c; ch++) for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) {
      out[(ch * side + top + y) * side + left + x] = tiles[((t * c + ch) * s + y) * s + x];
    }
  }
  return out;
}

/** Jigsaw: the shuffled tiles in slot order; the model's reassembly (framed right/wrong); the true one. */
function jigsawRows(ex: ClassifierExample, k: number): Drawn {
  const [, g2, c, s] = ex.shape;
  const g = Math.round(Math.sqrt(g2));
  const perms = ex.permutations ?? new Int32Array(0);
  const side = g * s + g - 1;
  const per = g2 * c * s * s;
  const row = (place: (i: number, t: number) => number) => {
    const data = new Float32Array(k * c * side * side);
    for (let i = 0; i < k; i++) data.set(assemble(ex.inputs.subarray(i * per, (i + 1) * per), c, s, g, (t) => place(i, t)), i * c * side * side);
    return { data, shape: [k, c, side, side] as [number, number, number, number] };
  };
  const right = Array.from({ length: k }, (_, i) => ex.predicted[i] === ex.truth[i]);
  const rows = [framed(row((_, t) => t), right.map(() => true)), framed(row((i, t) => perms[ex.predicted[i] * g2 + t]), right), framed(row((i, t) => perms[ex.truth[i] * g2 + t]), right.map(() => true))];
  return { grid: stack(rows), cols: k, rows: 'shuffled tiles as the model sees them (slot order); the model\'s reassembly (green: right permutation, red: wrong); the true arrangement' };
}

/** Context: the centre patch with the neighbour at the predicted place (framed right/wrong), then at the true place. */
function contextRows(ex: ClassifierExample, k: number): Drawn {
  const [, , c, s] = ex.shape;
  const per = 2 * c * s * s;
  const places = [0, 1, 2, 3, 5, 6, 7, 8]; // label → cell of the 3×3 grid (centre 4 skipped)
  const side = 3 * s + 2;
  const row = (label: (i: number) => number) => {
    const data = new Float32Array(k * c * side * side);
    for (let i = 0; i < k; i++) {
      const pair = ex.inputs.subarray(i * per, (i + 1) * per);
      data.set(assemble(pair, c, s, 3, (t) => (t === 0 ? 4 : t === 1 ? places[label(i)] : -1)), i * c * side * side);
    }
    return { data, shape: [k, c, side, side] as [number, number, number, number] };
  };
  const right = Array.from({ length: k }, (_, i) => ex.predicted[i] === ex.truth[i]);
  return { grid: stack([framed(row((i) => ex.predicted[i]), right), framed(row((i) => ex.truth[i]), right.map(() => true))]), cols: k, rows: 'centre patch with the neighbour where the model puts it (green: right, red: wrong); where it was cut from' };
}

/** Rotation: 16 of the rotated inputs (framed right/wrong). */
function rotationRows(ex: ClassifierExample): Drawn {
  const [n, c, h, w] = ex.shape;
  const pick = Array.from({ length: Math.min(16, n) }, (_, j) => Math.floor((j * n) / Math.min(16, n)));
  const data = new Float32Array(pick.length * c * h * w);
  pick.forEach((i, j) => data.set(ex.inputs.subarray(i * c * h * w, (i + 1) * c * h * w), j * c * h * w));
  const right = pick.map((i) => ex.predicted[i] === ex.truth[i]);
  const captions = pick.map((i) => `${90 * ex.predicted[i]}°/${90 * ex.truth[i]}°`).join(', ');
  return { grid: framed({ data, shape: [pick.length, c, h, w] }, right), cols: 8, rows: 'rotated test images (green: rotation predicted right, red: wrong)', captions };
}

/** Rows of equal-sized images, one after the other. */
function stack(rows: Images[]): Images {
  const [, c, h, w] = rows[0].shape;
  const n = rows.reduce((a, r) => a + r.shape[0], 0);
  const data = new Float32Array(n * c * h * w);
  let o = 0;
  for (const r of rows) {
    data.set(r.data, o);
    o += r.data.length;
  }
  return { data, shape: [n, c, h, w] };
}

/** Labelled rows over the same items: a row per label, the items left to right. */
export function rowsGrid(ex: RowsExample): Drawn {
  const [c, h, w] = ex.imageShape;
  const k = ex.rows[0].images.length / (c * h * w);
  return { grid: stack(ex.rows.map((r) => ({ data: r.images, shape: [k, c, h, w] }))), cols: k, rows: ex.rows.map((r) => r.label).join('; ') };
}

/**
 * Several runs' rows of the same items side by side (colorization: L2 vs rebalanced
 * classification): the rows every run shares (input, truth) once, each run's own rows labelled
 * with its name, in between.
 */
export function sideBySide(runs: readonly { label: string; example: RowsExample }[]): RowsExample {
  const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i]);
  const first = runs[0].example;
  const shared = first.rows.map((r) => runs.every(({ example }) => example.rows.some((o) => o.label === r.label && same(o.images, r.images))));
  const lead = shared.indexOf(false) < 0 ? first.rows.length : shared.indexOf(false);
  const own = runs.flatMap(({ label, example }) => example.rows.filter((r) => !first.rows.some((f, i) => shared[i] && f.label === r.label)).map((r) => ({ label: `${label}: ${r.label}`, images: r.images })));
  return { ...first, objective: runs.map((r) => r.label).join(' vs '), rows: [...first.rows.slice(0, lead), ...own, ...first.rows.filter((_, i) => i >= lead && shared[i])] };
}

/** Draws one example as DIR/pretext-<objective>.png; returns what the report says of it. */
export function writePretextFigure(dir: string, ex: PretextExample, k: number): PretextFigure {
  const drawn: Drawn = ex.kind === 'rows' ? rowsGrid(ex) : ex.kind === 'jigsaw' ? jigsawRows(ex, k) : ex.kind === 'context' ? contextRows(ex, k) : rotationRows(ex);
  const file = `pretext-${ex.objective.replace(/[^\w.-]+/g, '-')}.png`;
  writeImageGrid(join(dir, file), drawn.grid.data, drawn.grid.shape, drawn.cols, { pad: 3 });
  if (ex.kind === 'rows') return { file, objective: ex.objective, kind: ex.kind, rows: drawn.rows };
  const captions = drawn.captions ?? Array.from({ length: k }, (_, i) => `${ex.predicted[i]}/${ex.truth[i]}`).join(', ');
  return { file, objective: ex.objective, kind: ex.kind, rows: drawn.rows, captions };
}

/** What the pretext objectives show on the first test images: one PNG per objective with a view. */
export async function writePretextFigures(dir: string, state: TrainState<'image'>, test: ImageDataset, seed: number): Promise<PretextFigure[] | undefined> {
  if (!state.pretextExamples) return undefined;
  const k = Math.min(8, test.shape[0]);
  const first = subset(test, Array.from({ length: Math.min(16, test.shape[0]) }, (_, i) => i));
  const examples = await state.pretextExamples({ images: first.images, shape: first.shape, labels: first.labels, index: Int32Array.from({ length: first.shape[0] }, (_, i) => i) }, seed);
  return examples.length ? examples.map((ex) => writePretextFigure(dir, ex, k)) : undefined; // none: no field in summary.json
}
