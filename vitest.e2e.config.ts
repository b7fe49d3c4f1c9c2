// End-to-end tests (tests/e2e): Debian's Chromium and Firefox ESR against `netmon serve` on demo data
// folders or in network namespaces. Run after the unit and integration tests, two files at a time: most
// of an e2e file's time is waiting (the engine attributes an interval 10 s after it ends, pages load,
// sockets drain; the load average stays near 1 with one file at a time), and each file has its own
// server on port 0 (or on a fixed port inside its own namespace), temp folders, browser profile and
// namespaces named by its pid, so two share nothing. Needs `npm run build` (engine and renderer),
// /usr/bin/chromium and /usr/bin/firefox-esr.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
