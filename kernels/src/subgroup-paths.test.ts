// Which path each kernel with a subgroup variant takes on this adapter, and that the adapter is
// the one a test pass asked for (scripts/test-paths.mjs: PRETEXT_SUBGROUPS=0, or SwiftShader's
// 4-lane subgroups): a pass that silently ran on lavapipe's 8 lanes would prove nothing.
import { subgroupsOffByEnv, subgroupWidth } from '@pretext/gpu';
import { testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { attentionVariant } from './attention/attention.js';
import { matmulShape, matmulTuning, matmulVariant } from './matmul/matmul.js';
import { softmaxVariant } from './softmax/softmax.js';

const expected = process.env.PRETEXT_EXPECT_SUBGROUP_WIDTH;

describe('subgroup paths', () => {
  it(`the adapter's subgroup width is what this pass expects (${expected ?? 'any'})`, async () => {
    const gpu = await testGpu();
    const sizes = gpu.subgroupSizes;
    const width = gpu.subgroupWidth();
    console.log(`adapter ${gpu.info.description}: subgroups ${sizes ? `${sizes.min}..${sizes.max}` : 'off'}, width ${width}`);
    if (expected !== undefined) expect(width).toBe(Number(expected));
    if (!gpu.subgroups) expect(sizes).toBeNull();
  });

  it('kernels take their subgroup variant exactly when there is a width for it', async () => {
    const gpu = await testGpu();
    const sg = gpu.subgroupWidth() > 0;
    const saved = matmulTuning.sgMinMacs;
    matmulTuning.sgMinMacs = 0;
    try {
      expect(matmulVariant(gpu, matmulShape([64, 64], [64, 64]))).toBe(sg ? 'sg' : 'tiled');
    } finally {
      matmulTuning.sgMinMacs = saved;
    }
    expect(softmaxVariant(gpu, 64)).toBe(sg ? 'sg' : 'rows');
    expect(attentionVariant(gpu, 32)).toBe(sg ? 'sg' : 'tiles');
  });

  it('switching subgroups off on the Gpu takes every portable variant', async () => {
    const gpu = await testGpu();
    const saved = gpu.subgroups;
    gpu.subgroups = false;
    try {
      expect(gpu.subgroupSizes).toBeNull();
      expect(gpu.subgroupWidth()).toBe(0);
      expect(softmaxVariant(gpu, 64)).toBe('rows');
      expect(attentionVariant(gpu, 32)).toBe('tiles');
    } finally {
      gpu.subgroups = saved;
    }
  });

  it('a width is the smallest subgroup size, when the kernel is written for it', () => {
    expect(subgroupWidth({ min: 8, max: 8 })).toBe(8);
    expect(subgroupWidth({ min: 4, max: 4 })).toBe(4);
    expect(subgroupWidth({ min: 32, max: 32 })).toBe(32);
    expect(subgroupWidth({ min: 32, max: 64 })).toBe(32); // a workgroup of 32 is one subgroup whatever the driver picks
    expect(subgroupWidth({ min: 32, max: 64 }, { exact: true })).toBe(0); // several 32-lane subgroups per workgroup: not guaranteed
    expect(subgroupWidth({ min: 8, max: 32 }, { widths: [8], exact: true })).toBe(0);
    expect(subgroupWidth({ min: 128, max: 128 })).toBe(0); // no kernel is written for 128
    expect(subgroupWidth({ min: 1, max: 1 })).toBe(0);
    expect(subgroupWidth(null)).toBe(0);
  });

  it('PRETEXT_SUBGROUPS=0 (false, off, no) switches them off; unset or anything else leaves them on', () => {
    for (const v of ['0', 'false', 'OFF', ' no ']) expect(subgroupsOffByEnv(v), v).toBe(true);
    for (const v of [undefined, '1', 'true', '']) expect(subgroupsOffByEnv(v), String(v)).toBe(false);
  });
});
