import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

/**
 * The browser benchmark page (bench/browser.bench.ts builds it and serves it on 127.0.0.1).
 * libpg-query fetches libpg-query.wasm from the directory of the script that loaded it: in a
 * worker its chunk (assets/, as in apps/demo/vite.config.ts), on a page (a module script, no
 * document.currentScript) the page's directory: emit it in both places. PGlite resolves its wasm and data with
 * `new URL(…, import.meta.url)`, which a build copies as assets; its docs ask dev servers to keep
 * it out of dependency pre-bundling (optimizeDeps.exclude), kept here so `vite bench/browser` works too.
 */
function libpgQueryWasm(): Plugin {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('libpg-query/package.json')), 'wasm', 'libpg-query.wasm');
  return {
    name: 'walrtc-bench:libpg-query-wasm',
    configureServer: (server) =>
      void server.middlewares.use((req, res, next) => {
        if (!req.url?.split('?')[0]!.endsWith('/libpg-query.wasm')) return next();
        res.setHeader('Content-Type', 'application/wasm');
        res.end(readFileSync(file));
      }),
    generateBundle() {
      const source = readFileSync(file);
      for (const fileName of ['assets/libpg-query.wasm', 'libpg-query.wasm']) this.emitFile({ type: 'asset', fileName, source });
    },
  };
}

/** Cross-origin isolation: performance.now() then ticks in 5 µs steps instead of 100 µs. */
const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: import.meta.dirname,
  plugins: [libpgQueryWasm()],
  resolve: { conditions: ['walrtc-source', ...defaultClientConditions] },
  optimizeDeps: { exclude: ['@electric-sql/pglite'] },
  server: { host: '127.0.0.1', headers },
  preview: { host: '127.0.0.1', headers },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 16384 },
});
