#!/usr/bin/env -S pnpm exec tsx --conditions=source
// docs/results.md from the compare.json of one or more `pretext compare` runs: each comparison's
// table as compare wrote it, under a header that says how to make the page again.
//   pnpm exec tsx --conditions=source scripts/results-page.ts runs/compare-fashion-mnist-… runs/compare-emoji-… > docs/results.md
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CompareResult } from '../packages/cli/src/compare.js';
import { compareMarkdown } from '../packages/cli/src/compare-table.js';

const dirs = process.argv.slice(2);
if (!dirs.length) {
  console.error('usage: scripts/results-page.ts <compare dir>... > docs/results.md');
  process.exit(2);
}
const results = dirs.map((d) => {
  const path = join(d, 'compare.json');
  if (!existsSync(path)) {
    console.error(`${path} not found; is ${d} the output directory of \`pretext compare\`?`);
    process.exit(1);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as CompareResult;
});

console.log(`# Results: the vision methods side by side

Each table is one \`pretext compare\` run: every method trained on the dataset with the same encoder,
data, evaluation and budget, one run directory each (the links point into the run's output
directory, relative to docs/; it is not committed). To make this page again, run each command below from the
repository root, then

\`\`\`sh
pnpm exec tsx --conditions=source scripts/results-page.ts ${dirs.join(' ')} > docs/results.md
\`\`\`
`);
results.forEach((r, i) => console.log(compareMarkdown(r, `${relative('docs', dirs[i])}/`)));
