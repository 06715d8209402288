#!/usr/bin/env node
// Turns every kernels/src/**/<name>.wgsl into <name>.wgsl.ts exporting the source as a string,
// so launchers import shaders as ordinary modules in Node, browsers, bundlers and tsc alike.
import { readdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// A line `// #include "<file>"` is replaced by that file (path relative to the includer), so
// shaders share declarations and helpers. A file already included into the shader is not
// included again: fragments may include the fragments they use, and a cycle ends there.
// `<name>.inc.wgsl` files are only included, never turned into modules of their own.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const INCLUDE = /^\/\/ #include "([^"]+)"$/;
let written = 0;

function expand(p, seen = new Set()) {
  seen.add(p);
  return readFileSync(p, 'utf8').split('\n').map((line) => {
    const m = INCLUDE.exec(line.trim());
    if (!m) return line;
    const q = join(dirname(p), m[1]);
    if (!existsSync(q)) throw new Error(`codegen: ${p}: #include "${m[1]}" not found`);
    if (seen.has(q)) return `// (${m[1]} is already included)`;
    return expand(q, seen).replace(/\n$/, '');
  }).join('\n');
}

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.wgsl') && !name.endsWith('.inc.wgsl')) {
      const body = `// Generated from ${name} by kernels/scripts/codegen.mjs. Do not edit.\nexport default ${JSON.stringify(expand(p))};\n`;
      const out = `${p}.ts`;
      if (!existsSync(out) || readFileSync(out, 'utf8') !== body) { writeFileSync(out, body); written++; }
    }
  }
}
walk(root);
if (process.env.PRETEXT_VERBOSE) console.log(`codegen: ${written} shader module(s) written`);
