import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { casePattern, findBenchFiles, loadCases, selectCases } from './discover.js';

const fixture = (files: Record<string, string>) => {
  const root = mkdtempSync(join(tmpdir(), 'pretext-bench-'));
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), body);
  }
  return root;
};
const caseSrc = (...names: string[]) =>
  `export const benches = [${names.map((n) => `{ name: '${n}', kernel: '${n.split(' ')[0]}', setup: async () => { throw new Error('unused'); } }`).join(', ')}];\n`;

describe('discovery', () => {
  it('finds the repository bench files, ceilings included', async () => {
    const files = findBenchFiles();
    expect(files.some((f) => f.endsWith('unary/unary.bench.ts'))).toBe(true);
    const cases = await loadCases(files.filter((f) => /(unary|ceiling)\.bench\.ts$/.test(f)));
    const names = cases.map((c) => c.case.name);
    expect(names).toContain('unary relu 4M');
    expect(names.filter((n) => n.startsWith('ceiling'))).toHaveLength(3);
  });

  it('walks nested folders, only *.bench.ts, sorted, and loads their cases', async () => {
    const root = fixture({
      'b/b.bench.ts': caseSrc('bb one'),
      'a/deep/a.bench.ts': caseSrc('aa one', 'aa two'),
      'a/a.test.ts': 'export {}',
      'node_modules/x/x.bench.ts': caseSrc('hidden'),
    });
    const files = findBenchFiles(root);
    expect(files.map((f) => f.slice(root.length + 1))).toEqual(['a/deep/a.bench.ts', 'b/b.bench.ts']);
    const cases = await loadCases(files, root);
    expect(cases.map((c) => `${c.file}: ${c.case.name}`)).toEqual(['a/deep/a.bench.ts: aa one', 'a/deep/a.bench.ts: aa two', 'b/b.bench.ts: bb one']);
  });

  it('reports a missing export and duplicate names with the file', async () => {
    const root = fixture({ 'x.bench.ts': 'export const cases = [];\n', 'y.bench.ts': caseSrc('dup'), 'z.bench.ts': caseSrc('dup') });
    await expect(loadCases([join(root, 'x.bench.ts')], root)).rejects.toThrow(/x\.bench\.ts: must export `benches/);
    await expect(loadCases([join(root, 'y.bench.ts'), join(root, 'z.bench.ts')], root)).rejects.toThrow(/'dup' is defined twice \(y\.bench\.ts and z\.bench\.ts\)/);
  });

  it('--only matches substrings and regexes; the ceilings always run first', () => {
    expect(casePattern('relu')('unary relu 4M')).toBe(true);
    expect(casePattern('RELU')('unary relu 4M')).toBe(true);
    expect(casePattern('^matmul \\d+')('matmul 1024x1024')).toBe(true);
    expect(casePattern('/^Matmul/')('matmul 1024')).toBe(false);
    expect(casePattern('/^Matmul/i')('matmul 1024')).toBe(true);
    expect(casePattern('x[1')('a x[1 b')).toBe(true); // not a regex: substring
    const all = [
      { file: 'u', case: { name: 'unary relu', kernel: 'unary' } },
      { file: 'm', case: { name: 'matmul 64', kernel: 'matmul' } },
      { file: 'c', case: { name: 'ceiling copy', kernel: 'ceiling' } },
    ] as unknown as Parameters<typeof selectCases>[0];
    expect(selectCases(all, 'matmul').map((c) => c.case.name)).toEqual(['ceiling copy', 'matmul 64']);
    expect(selectCases(all).map((c) => c.case.name)).toEqual(['ceiling copy', 'unary relu', 'matmul 64']);
  });
});
