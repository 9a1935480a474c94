/**
 * Three projects: `unit` (fast, next to the code), `federation` (hub and nodes as processes) and
 * `e2e` (real processes, real Chromium); the last two need
 * `npm run build` first, which `npm test` does.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // Groups run one after another (unit, then federation, then browsers), so that the
          // multi-process and browser tests never share this 2-core machine with each other.
          sequence: { groupOrder: 0 },
          include: ['federation/**/*.test.ts', 'web/**/*.test.ts', 'worker/**/*.test.ts', 'test/support/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'federation',
          sequence: { groupOrder: 1 },
          include: ['test/federation/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 120_000,
          // A hub and nodes are several processes: one file at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 60_000,
          // Browser tests share a 2-core machine: one file at a time keeps them honest.
          fileParallelism: false,
        },
      },
    ],
  },
});
