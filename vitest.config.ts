import { defineConfig } from 'vitest/config';

// Files that measure real traffic against a ground truth the machine's load can disturb: a UDP datagram
// the busy veth or a full socket buffer drops (ebpf-netns; ebpf-udp-flood floods on purpose), hundreds
// of short connections (linux-traffic), a paced upload across a kill -9 of serve (resume-netns). They
// run alone, after the rest, as every file did before.
const ALONE = ['tests/integration/ebpf-netns.test.ts', 'tests/integration/ebpf-udp-flood.test.ts', 'tests/integration/linux-traffic.test.ts', 'tests/integration/resume-netns.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          exclude: ALONE,
          // Two files at a time (vitest's default on two cores is one): most of an integration file's
          // time is waiting (intervals, the engine's 10-s attribution delay, paced traffic, children
          // starting), and each file makes its own temp folders, listens on port 0 and names its network
          // namespaces with its pid (tests/helpers/netns.ts; a fixed port is inside such a namespace), so
          // no two files share state.
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          include: ALONE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
