// End-to-end tests (tests/e2e): Debian's Chromium against `netmon serve` on demo data folders. Run
// after the unit and integration tests, one file at a time: each starts a server and a browser, and
// the machine has two cores. Needs `npm run build` (engine and renderer) and /usr/bin/chromium.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
