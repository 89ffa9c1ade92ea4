import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defaultClientConditions, defineConfig } from 'vite';

// Nothing walrtc-specific beyond the "walrtc-source" condition (the workspace packages' sources
// instead of a build): the parser's wasm and the worker are new URL(…, import.meta.url)
// references inside @walrtc/engine, which Vite emits by itself.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [svelte()],
  resolve: { conditions: ['walrtc-source', ...defaultClientConditions] },
  server: { host: '127.0.0.1', port: 5299 },
  preview: { host: '127.0.0.1', port: 5298 },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
