import { defineConfig } from 'vitest/config';

// Two files run alone, after the rest. ebpf-udp-flood floods a namespace's socket with 150 000 spoofed
// datagrams on purpose and would load whatever ran beside it. resume-netns (a paced 1 MB/s upload across
// a kill -9 of serve) loses, under the eBPF sampler, what the upload moves between the restarted serve's
// `ss` poll and its new helper's attach (engine/resume/seed.ts: by design unattributed), a window that
// grows with the machine's load (0.26 MB of 20 with one file beside it and a busy core). The other
// real-traffic files run two at a time: their ground truth does not depend on the load. What reached an
// app's UDP socket is what it read plus what the kernel dropped from its full receive buffer
// (tests/fixtures/netns-apps.js), which netmon's ingress hook counted before the drop (ebpf-netns).
const ALONE = ['tests/integration/ebpf-udp-flood.test.ts', 'tests/integration/resume-netns.test.ts'];

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
