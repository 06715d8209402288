// `pnpm bench [--only <pattern>] [--json <file>] [--check <baseline.json>] [--quick] …`
// Checks every case against its reference, times it with GPU timestamps next to tfjs-webgpu
// on the same adapter, prints a table, writes bench/results/<adapter>-<date>.{json,md}.
import { bench } from './bench.js';

// Dawn keeps the process alive while its GPU objects live: exit explicitly.
bench(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(2);
  },
);
