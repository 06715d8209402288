import { defineConfig } from 'vitest/config';

// The browser test drives its own Vite server and Chromium: one file, in a child process.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], pool: 'forks', testTimeout: 300_000, hookTimeout: 180_000, passWithNoTests: false },
});
