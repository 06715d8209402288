#!/usr/bin/env node
// Turns every kernels/src/**/<name>.wgsl into <name>.wgsl.ts exporting the source as a string,
// so launchers import shaders as ordinary modules in Node, browsers, bundlers and tsc alike.
import { readdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
let written = 0;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.wgsl')) {
      const body = `// Generated from ${name} by kernels/scripts/codegen.mjs. Do not edit.\nexport default ${JSON.stringify(readFileSync(p, 'utf8'))};\n`;
      const out = `${p}.ts`;
      if (!existsSync(out) || readFileSync(out, 'utf8') !== body) { writeFileSync(out, body); written++; }
    }
  }
}
walk(root);
if (process.env.PRETEXT_VERBOSE) console.log(`codegen: ${written} shader module(s) written`);
