import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    // Files run in parallel: each makes its own temp folders, listens on port 0 and names its network
    // namespaces with its pid (tests/helpers/netns.ts), so no two files share state.
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
