// The layering rules (layering.ts) hold on the repository, and each one fails on a violation.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, layeringViolations, repositorySources, type SourceFile } from './layering.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REF = { path: 'kernels/src/reduce/reduce.ref.ts', text: 'export function reduceRef() {}\nexport function sumToShapeRef() {}\n' };
const check = (...files: SourceFile[]) => layeringViolations([REF, ...files]);

describe('layering', () => {
  it('holds on the repository', () => {
    const files = repositorySources(ROOT);
    expect(files.length).toBeGreaterThan(300);
    expect(files.some((f) => f.path === 'kernels/src/conv2d/conv2d.ts')).toBe(true);
    expect(layeringViolations(files)).toEqual([]);
  });

  it('reads imports, re-exports, dynamic imports and WGSL includes', () => {
    const ts = { path: 'a.ts', text: "import { a, type B, c as d } from './x.js';\nexport * from './y.js';\nimport * as R from '@pretext/kernels';\nconst m = await import('@pretext/bench');\n" };
    expect(importsOf(ts)).toEqual([
      { spec: './x.js', names: ['a', 'B', 'c'], kind: 'import' },
      { spec: './y.js', names: [], kind: 'export' },
      { spec: '@pretext/kernels', names: ['*R'], kind: 'import' },
      { spec: '@pretext/bench', names: [], kind: 'import' },
    ]);
    expect(importsOf({ path: 'k.wgsl', text: 'fn f() {}\n// #include "../rng/rng.inc.wgsl"\n' })).toEqual([{ spec: '../rng/rng.inc.wgsl', names: [], kind: 'include' }]);
  });

  it('fails when a kernel folder borrows another folder’s helpers', () => {
    // composing through the public launcher is fine, and so is a folder's own helper file
    expect(check({ path: 'kernels/src/layernorm/layernorm.ts', text: "import { reduce } from '../reduce/reduce.js';\nimport { x } from './layernorm_plan.js';\n" })).toEqual([]);
    expect(check({ path: 'kernels/src/dropout/dropout.wgsl', text: '// #include "../rng/rng.inc.wgsl"\n' })).toEqual([]);
    expect(check({ path: 'kernels/src/conv2d/conv2d.bench.ts', text: "import type { BenchCase } from '../bench-tf.js';\n" })).toEqual([]);
    // a helper file of another folder, an argument check from its launcher, another folder's fragment
    expect(check({ path: 'kernels/src/copy/copy.ts', text: "import { collapseDims } from '../binary/broadcast.js';\n" })).toEqual([
      "kernels/src/copy/copy.ts: imports ../binary/broadcast.js, not a public launcher of another kernel folder (kernels/src/<name>/<name>.ts)",
    ]);
    expect(check({ path: 'kernels/src/pool/pool.ts', text: "import { checkArray, outArray } from '../conv2d/conv2d.js';\n" })).toEqual([
      'kernels/src/pool/pool.ts: imports the argument check checkArray from ../conv2d/conv2d.js; checks live in @pretext/gpu',
    ]);
    expect(check({ path: 'kernels/src/attention/attention.wgsl', text: '// #include "../softmax/softmax_logits.inc.wgsl"\n' })).toHaveLength(1);
    // the bench contract is for benches only; a reference's helpers are not a launcher either
    expect(check({ path: 'kernels/src/conv2d/conv2d.ts', text: "import type { Tf } from '../bench-tf.js';\n" })).toHaveLength(1);
    expect(check({ path: 'kernels/src/transpose/transpose.ref.ts', text: "import { forEachIndex } from '../copy/copy.ref.js';\n" })).toHaveLength(1);
  });

  it('fails when production code imports a test reference', () => {
    expect(check({ path: 'kernels/src/augment/pipeline.ts', text: "import { rand2Ref } from '../rng/rng.ref.js';\n" })).toEqual([
      "kernels/src/augment/pipeline.ts: imports ../rng/rng.ref.js, not a public launcher of another kernel folder (kernels/src/<name>/<name>.ts)",
      'kernels/src/augment/pipeline.ts: imports the test reference ../rng/rng.ref.js',
    ]);
    expect(check({ path: 'kernels/src/reduce/reduce.ts', text: "import { reduceRef } from './reduce.ref.js';\n" })).toEqual(['kernels/src/reduce/reduce.ts: imports the test reference ./reduce.ref.js']);
    expect(check({ path: 'packages/tasks/src/moco.ts', text: "import { reduce, reduceRef } from '@pretext/kernels';\n" })).toEqual([
      'packages/tasks/src/moco.ts: imports the reference reduceRef from @pretext/kernels',
    ]);
    expect(check({ path: 'packages/eval/src/knn.ts', text: "import * as K from '@pretext/kernels';\nK.sumToShapeRef(x);\n" })).toEqual([
      'packages/eval/src/knn.ts: uses the reference K.sumToShapeRef from @pretext/kernels',
    ]);
    // the CPU backend runs the references; tests, benches, references and the package index may use them
    const ok = ["import * as R from '@pretext/kernels';\nR.reduceRef(x);\n", "import { reduceRef } from '@pretext/kernels';\n"];
    for (const path of ['packages/core/src/backends/cpu.ts', 'packages/core/src/backends/cpu-nn.ts', 'packages/core/src/ops.test.ts', 'bench/src/x.test-util.ts', 'tests/src/e2e.test.ts']) {
      for (const text of ok) expect(check({ path, text }), path).toEqual([]);
    }
    expect(check({ path: 'kernels/src/index.ts', text: "export * from './reduce/reduce.ref.js';\n" })).toEqual([]);
    expect(check({ path: 'kernels/src/reduce/reduce.bench.ts', text: "import { reduceRef } from './reduce.ref.js';\n" })).toEqual([]);
  });

  it('fails when anything under kernels/ imports a package above @pretext/gpu', () => {
    expect(check({ path: 'kernels/src/matmul/matmul.ts', text: "import { gpu } from '@pretext/gpu';\nimport { rand2 } from '@pretext/random';\n" })).toEqual([]);
    for (const pkg of ['@pretext/core', '@pretext/models', '@pretext/data', '@pretext/tasks', '@pretext/eval', '@pretext/cli', '@pretext/bench']) {
      expect(check({ path: 'kernels/src/matmul/matmul.bench.ts', text: `import type { X } from '${pkg}';\n` })).toEqual([`kernels/src/matmul/matmul.bench.ts: imports ${pkg}, a package above @pretext/gpu`]);
    }
    expect(check({ path: 'kernels/src/matmul/matmul.ts', text: "import { relErr } from '@pretext/gpu/testing';\n" })).toHaveLength(1);
    expect(check({ path: 'kernels/src/matmul/matmul.test.ts', text: "import { relErr } from '@pretext/gpu/testing';\n" })).toEqual([]);
  });
});
