// Finds kernels/src/**/*.bench.ts and loads their `benches`. The ceiling cases always run
// (every other case is reported as a fraction of them); --only filters the rest.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCase } from './case.js';

export const KERNELS_SRC = fileURLToPath(new URL('../../kernels/src/', import.meta.url));

/** Every *.bench.ts under `root`, sorted, skipping node_modules. */
export function findBenchFiles(root = KERNELS_SRC): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.bench.ts')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

export interface LoadedCase {
  case: BenchCase;
  file: string;
}

/** Imports each file and validates its `benches` export; names must be unique. */
export async function loadCases(files: readonly string[], root = KERNELS_SRC): Promise<LoadedCase[]> {
  const out: LoadedCase[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const rel = relative(root, file);
    const mod = (await import(pathToFileURL(file).href)) as { benches?: unknown };
    if (!Array.isArray(mod.benches)) throw new Error(`${rel}: must export \`benches: BenchCase[]\``);
    for (const c of mod.benches as BenchCase[]) {
      if (!c || typeof c.name !== 'string' || typeof c.kernel !== 'string' || typeof c.setup !== 'function') {
        throw new Error(`${rel}: every bench case needs name, kernel and setup()`);
      }
      const prev = seen.get(c.name);
      if (prev) throw new Error(`bench case '${c.name}' is defined twice (${prev} and ${rel})`);
      seen.set(c.name, rel);
      out.push({ case: c, file: rel });
    }
  }
  return out;
}

/** `--only`: a /regex/flags, else a case-insensitive regex, else a plain substring. */
export function casePattern(only: string | undefined): (name: string) => boolean {
  if (!only) return () => true;
  const slashed = /^\/(.*)\/([a-z]*)$/.exec(only);
  if (slashed) {
    const re = new RegExp(slashed[1], slashed[2]);
    return (n) => re.test(n);
  }
  try {
    const re = new RegExp(only, 'i');
    return (n) => re.test(n);
  } catch {
    const s = only.toLowerCase();
    return (n) => n.toLowerCase().includes(s);
  }
}

/**
 * Ceiling cases first (always), then the cases `--only` selects, in file order. Training-step
 * and inference cases (kernel 'train', minutes each on lavapipe; 'infer', with its ONNX Runtime
 * peer) run only when `--only` names them.
 */
export function selectCases(all: readonly LoadedCase[], only?: string): LoadedCase[] {
  const match = casePattern(only);
  const ceilings = all.filter((c) => c.case.kernel === 'ceiling');
  const chosen = (c: LoadedCase) => c.case.kernel !== 'ceiling' && match(c.case.name) && (only !== undefined || (c.case.kernel !== 'train' && c.case.kernel !== 'infer'));
  return [...ceilings, ...all.filter(chosen)];
}
