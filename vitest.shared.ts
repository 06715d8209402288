// One test configuration for every package: tests run against `src/` (the `source` export
// condition), one worker process at a time per file so each owns its WebGPU device.
import type { ViteUserConfig } from 'vitest/config';

export function pretextTestConfig(): ViteUserConfig {
  return {
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
    test: {
      include: ['src/**/*.test.ts'],
      pool: 'forks',
      fileParallelism: false,
      testTimeout: 120_000,
      hookTimeout: 120_000,
      reporters: ['default'],
      passWithNoTests: false,
    },
  };
}
