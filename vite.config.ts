import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// the workspace packages' sources (their exports' "walrtc-source" condition), never a build of them
const conditions = { client: ['walrtc-source', ...defaultClientConditions], server: ['walrtc-source', ...defaultServerConditions] };

export default defineConfig({
  resolve: { conditions: conditions.client },
  ssr: { resolve: { conditions: conditions.server } },
  test: {
    // 'forks': native WebRTC bindings misbehave at worker exit under 'threads'
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['test/e2e/**'], sequence: { groupOrder: 0 } },
      },
      {
        // Chromium and three tabs need the machine to themselves: timing-sensitive node tests
        // beside them would flake, so this group starts after the node group has finished
        extends: true,
        // and its files one at a time: the examples' builds beside the demo's tabs would skew its failover timing
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 180_000, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
