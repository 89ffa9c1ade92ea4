import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // 'forks': native WebRTC bindings misbehave at worker exit under 'threads'
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
