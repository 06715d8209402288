// The bench as a function: what `pnpm bench` (main.ts) and `pretext bench` (@pretext/cli) run.
import { runCheck } from './check/check.js';
import { runCli } from './cli.js';
import { findBenchFiles, loadCases } from './discover.js';
import { trainingCases } from './training/index.js';

/**
 * Runs the bench command line `args` over every kernels/src/**\/*.bench.ts case and the training
 * steps; resolves to the exit code (0 ok, 1 failure or regression). The cases are TypeScript
 * sources, so the process needs a TypeScript loader (tsx) and the repository checkout.
 */
export function bench(args: string[]): Promise<number> {
  if (args[0] === 'check') return runCheck(args.slice(1)); // pnpm bench:check: head against a base ref
  return runCli(args, async () => [...(await loadCases(findBenchFiles())), ...trainingCases()]);
}
