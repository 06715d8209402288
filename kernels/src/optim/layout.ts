// Host side of layout.inc.wgsl: segments of one flat parameter buffer (start, length, weight-decay
// and lr multipliers, LARS on/off) packed for the GPU together with the block table that maps
// each workgroup to a run of ≤ 1024 elements inside one segment. Built once per model.
import { check, checkBinding, type Gpu, type GpuArray } from '@pretext/gpu';

/** Elements per workgroup (layout.inc.wgsl's BLOCK). */
export const PARAM_BLOCK = 1024;

export interface Segment {
  start: number;
  length: number;
  /** Weight-decay multiplier (default 1; 0 excludes biases and norm parameters). */
  weightDecay?: number;
  /** Learning-rate multiplier (default 1). */
  lr?: number;
  /** LARS adapts this segment's lr by its trust ratio (default: weightDecay ≠ 0, as SimCLR excludes the same list). */
  lars?: boolean;
}

export interface ParamLayout {
  /** Elements in the flat buffers (parameters, gradients, each state buffer). */
  readonly n: number;
  readonly segments: readonly Required<Segment>[];
  /** u32 [S, 8]: start, len, wd_mul, lr_mul (f32 bits), lars, first_block, num_blocks, 0. */
  readonly table: GpuArray;
  /** u32 [B, 2]: (segment, first element) per block. */
  readonly blocks: GpuArray;
  readonly numBlocks: number;
  dispose(): void;
}

/** Validates the segments (sorted, disjoint, inside [0, n)) and uploads the tables. Default: one segment over all of n. */
export function paramLayout(gpu: Gpu, n: number, segments?: readonly Segment[]): ParamLayout {
  const kernel = 'optim.layout';
  check(Number.isInteger(n) && n > 0, kernel, 'n', () => `must be a positive integer, got ${n}`);
  checkBinding(gpu, kernel, 'n', n);
  const segs = (segments ?? [{ start: 0, length: n }]).map((s) => ({
    start: s.start,
    length: s.length,
    weightDecay: s.weightDecay ?? 1,
    lr: s.lr ?? 1,
    lars: s.lars ?? (s.weightDecay ?? 1) !== 0,
  }));
  check(segs.length > 0, kernel, 'segments', () => 'must hold at least one segment');
  let end = 0;
  segs.forEach((s, i) => {
    check(Number.isInteger(s.start) && Number.isInteger(s.length) && s.length > 0, kernel, 'segments', () => `segments[${i}]: start and length must be integers, length > 0 (got ${s.start}, ${s.length})`);
    check(s.start >= end, kernel, 'segments', () => `segments[${i}] starts at ${s.start}, before the end of the previous one (${end}): segments must be sorted and disjoint`);
    check(s.start + s.length <= n, kernel, 'segments', () => `segments[${i}] = [${s.start}, ${s.start + s.length}) runs past n = ${n}`);
    check(Number.isFinite(s.weightDecay) && s.weightDecay >= 0 && Number.isFinite(s.lr) && s.lr >= 0, kernel, 'segments', () => `segments[${i}]: multipliers must be finite and ≥ 0 (weightDecay ${s.weightDecay}, lr ${s.lr})`);
    end = s.start + s.length;
  });
  const table = new Uint32Array(segs.length * 8);
  const f = new Float32Array(table.buffer);
  const blockRows: number[] = [];
  segs.forEach((s, i) => {
    const first = blockRows.length / 2;
    for (let e = s.start; e < s.start + s.length; e += PARAM_BLOCK) blockRows.push(i, e);
    table.set([s.start, s.length, 0, 0, s.lars ? 1 : 0, first, blockRows.length / 2 - first, 0], i * 8);
    f[i * 8 + 2] = s.weightDecay;
    f[i * 8 + 3] = s.lr;
  });
  const numBlocks = blockRows.length / 2;
  const t = gpu.upload(table, [segs.length, 8], 'optim.segments');
  const b = gpu.upload(Uint32Array.from(blockRows), [numBlocks, 2], 'optim.blocks');
  return { n, segments: segs, table: t, blocks: b, numBlocks, dispose: () => {
    gpu.free(t);
    gpu.free(b);
  } };
}
