import { defineConfig } from 'vitest/config';

// Runs the compiled specs (`tsc -b` first). They share one live cluster, and the Keyv suite uses fixed
// keys, so the files run one at a time.
export default defineConfig({
  test: {
    include: ['dist/test/**/*.spec.js'],
    globalSetup: ['dist/test/global-setup.js'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
