import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Connect, type Plugin } from 'vite';

/**
 * libpg-query (PostgreSQL's parser, WebAssembly) fetches libpg-query.wasm from the directory of
 * the script that loaded it: the worker's chunk. Emit the file beside the built chunks, and
 * serve it at any path ending in its name, for the dev server whose worker lives elsewhere.
 */
function libpgQueryWasm(): Plugin {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('libpg-query/package.json')), 'wasm', 'libpg-query.wasm');
  const serve: Connect.NextHandleFunction = (req, res, next) => {
    if (!req.url?.split('?')[0]!.endsWith('/libpg-query.wasm')) return next();
    res.setHeader('Content-Type', 'application/wasm');
    res.end(readFileSync(file));
  };
  return {
    name: 'walrtc:libpg-query-wasm',
    configureServer: (server) => void server.middlewares.use(serve),
    configurePreviewServer: (server) => void server.middlewares.use(serve),
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'assets/libpg-query.wasm', source: readFileSync(file) });
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [svelte(), libpgQueryWasm()],
  server: { host: '127.0.0.1', port: 5299 },
  preview: { host: '127.0.0.1', port: 5298 },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
