#!/usr/bin/env node
// Builds the bench harness with every kernels/src/**/*.bench.ts case (imported statically, no
// tsx needed) into one ES module for a machine without pnpm: .bundle/pretext-bench.mjs.
// `webgpu` stays external: carry node_modules/webgpu (dawn.node) next to it.
// Usage: node bench/scripts/bundle.mjs [outfile]
//   then: node .bundle/pretext-bench.mjs --quick --json $OUT/bench.json
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const bench = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(bench, '..');
const kernels = join(root, 'kernels', 'src');
const outfile = resolve(process.argv[2] ?? join(root, '.bundle', 'pretext-bench.mjs'));

execFileSync(process.execPath, [join(root, 'kernels', 'scripts', 'codegen.mjs')], { stdio: 'inherit' });

const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.bench.ts')) files.push(p);
  }
})(kernels);
files.sort();

const entry = [
  "import { runCli } from './cli.js';",
  "import { trainingCases } from './training/index.js';",
  ...files.map((f, i) => `import { benches as b${i} } from ${JSON.stringify(f)};`),
  `const all = [${files.map((f, i) => `...b${i}.map((c) => ({ case: c, file: ${JSON.stringify(relative(kernels, f))} }))`).join(', ')}, ...trainingCases()];`,
  'runCli(process.argv.slice(2), async () => all).then((code) => process.exit(code), (e) => { console.error(e); process.exit(2); });',
].join('\n');

await build({
  stdin: { contents: entry, resolveDir: join(bench, 'src'), loader: 'ts', sourcefile: 'bundle-entry.ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['source'],
  external: ['webgpu'],
  outfile,
  // CommonJS dependencies of tfjs call require(); give the ES module one
  banner: { js: "import { createRequire as __pretextRequire } from 'node:module'; const require = __pretextRequire(import.meta.url);" },
  logLevel: 'warning',
});
console.log(`bundled ${files.length} bench files → ${relative(process.cwd(), outfile)}`);
