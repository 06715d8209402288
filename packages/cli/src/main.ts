#!/usr/bin/env node
// `pretext` entry point: parse, start WebGPU where the command needs it, run, and exit explicitly
// (Dawn keeps the process alive while its device lives). Errors print as one message; set
// PRETEXT_DEBUG=1 for the stack.
import { useWebGpu } from '@pretext/core';
import { destroyGpu } from '@pretext/gpu';
import { OptionError, TASKS } from '@pretext/tasks';
import { parseCli, UsageError } from './args.js';
import { benchCommand, evalCommand, reportCommand, trainCommand } from './commands.js';
import { embedCommand } from './embed.js';
import { exportCommand } from './export.js';
import { generateCommand } from './generate.js';
import { runCompare } from './compare.js';
import { adapterLine } from './report.js';
import { runInfo } from './summary.js';

async function main(argv: string[]): Promise<number> {
  const a = parseCli(argv, TASKS);
  if (a.command === 'help') {
    console.log(a.text);
    return 0;
  }
  if (a.command === 'bench') return benchCommand(a.args);
  if (a.command === 'report') return reportCommand(a.dirs, a.out);

  const backend = await useWebGpu();
  const info = runInfo(backend.gpu.info);
  console.log(`adapter   ${adapterLine(info.adapter)} · commit ${info.commit}`);
  try {
    if (a.command === 'eval') return await evalCommand(a, TASKS);
    if (a.command === 'export') return await exportCommand(a, TASKS);
    if (a.command === 'embed') return await embedCommand(a, TASKS);
    if (a.command === 'generate') return await generateCommand(a, TASKS);
    if (a.command === 'compare') {
      await runCompare(a, { info, command: `pretext ${argv.join(' ')}` });
      return 0;
    }
    // Ctrl-C once: finish the current step, checkpoint, exit 130; twice: exit at once.
    let stop = false;
    process.on('SIGINT', () => {
      if (stop) process.exit(130);
      stop = true;
      process.stderr.write('\nSIGINT: saving a checkpoint after this step (Ctrl-C again to quit now)\n');
    });
    return await trainCommand(a, info, () => stop);
  } finally {
    await destroyGpu();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    console.error(`pretext: ${process.env.PRETEXT_DEBUG === '1' ? (err.stack ?? err.message) : err.message}`);
    // a bad option found against the data (a puzzle that does not fit) is a usage error too
    process.exit(err instanceof UsageError || err instanceof OptionError ? 2 : 1);
  },
);
