import { describe, expect, it } from 'vitest';
import { broadcastIndex, broadcastShapes, broadcastStrides, collapseDims, contiguousStrides, forEachIndex, padRank } from './shape.js';

describe('shape arithmetic', () => {
  it('broadcasts like numpy', () => {
    expect(broadcastShapes([4, 1, 3], [5, 1])).toEqual([4, 5, 3]);
    expect(broadcastShapes([2], [3, 1], [1, 1, 2])).toEqual([1, 3, 2]);
    expect(broadcastShapes([4, 2], [3])).toBeNull();
  });

  it('computes strides, broadcast strides and broadcast indices', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(Array.from(broadcastIndex([3, 1], [2, 3, 2]))).toEqual([0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2]);
  });

  it('collapses mergeable dims and pads to the kernels rank', () => {
    expect(collapseDims([2, 3, 4], [[12, 4, 1], [0, 0, 1]])).toEqual({ shape: [6, 4], strides: [[4, 1], [0, 1]] });
    expect(collapseDims([1, 1], [[1, 1]])).toEqual({ shape: [1], strides: [[0]] });
    expect(padRank([5, 7], 1)).toEqual([1, 1, 1, 1, 5, 7]);
  });

  it('visits coordinates in row-major order', () => {
    const seen: string[] = [];
    forEachIndex([2, 2], (c, i) => seen.push(`${i}:${c.join(',')}`));
    expect(seen).toEqual(['0:0,0', '1:0,1', '2:1,0', '3:1,1']);
  });
});
