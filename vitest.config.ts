import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * One test file per core at a time. vitest's default is the cores minus one,
 * which on a two-core machine runs the files one after another; the tool
 * processes a case spawns are short-lived, so the cores are not oversubscribed
 * for long, and each fork needs well under 1 GiB.
 */
const forks = availableParallelism();

export default defineConfig({
  test: {
    include: ['properties/**/*.prop.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    setupFiles: ['./test/support/reference-env.ts'],
    // Each file is a separate process: tool calls dominate.
    pool: 'forks',
    poolOptions: { forks: { minForks: forks, maxForks: forks } },
    testTimeout: 600_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
