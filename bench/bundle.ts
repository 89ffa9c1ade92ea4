/**
 * The engine as applications ship it, for benchmarks: bundled with esbuild (dependencies external),
 * without tsx's per-function name wrappers (which cost ~7 % of the literal-SQL rows when the sources
 * run through tsx). The bundle lives in node_modules/.cache so it resolves its dependencies from the
 * repository, and is removed when the process exits. `engineSrc`: another copy of
 * packages/engine/src (an older commit's, for A/B in one process), placed inside the repository;
 * `own`: dependencies bundled in rather than shared (one that the engine patches, sorted-btree).
 */
import { execSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

export async function bundledEngine(engineSrc = new URL('../packages/engine/src/', import.meta.url).pathname, own: readonly string[] = []): Promise<typeof import('../packages/engine/src/index.ts')> {
  mkdirSync(new URL('../node_modules/.cache/', import.meta.url), { recursive: true });
  const outDir = mkdtempSync(new URL('../node_modules/.cache/walrtc-bench-', import.meta.url).pathname);
  const bundle = join(outDir, 'engine.mjs');
  // `own` packages go into the bundle: two engines in one process then each have their own copy
  const external: Plugin = {
    name: 'external-but-own',
    setup: (b) => b.onResolve({ filter: /^[^./]/ }, (args) => (own.some((p) => args.path === p || args.path.startsWith(`${p}/`)) ? undefined : { external: true })),
  };
  await build({ entryPoints: [join(engineSrc, 'index.ts')], bundle: true, format: 'esm', platform: 'node', plugins: [external], outfile: bundle, logLevel: 'warning' });
  // the parser's wasm where the bundle's new URL('./libpg-query.wasm', import.meta.url) looks for it
  copyFileSync(join(engineSrc, 'sql/libpg-query.wasm'), join(outDir, 'libpg-query.wasm'));
  process.on('exit', () => rmSync(outDir, { recursive: true, force: true }));
  return (await import(pathToFileURL(bundle).href)) as typeof import('../packages/engine/src/index.ts');
}

/** Another commit's engine, bundled as above: its packages/engine/src extracted into node_modules/.cache. */
export async function baseEngine(commit: string, own: readonly string[] = []): Promise<typeof import('../packages/engine/src/index.ts')> {
  const dir = new URL(`../node_modules/.cache/walrtc-base-${commit}/`, import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  execSync(`git archive ${commit} packages/engine/src | tar -x -C ${dir}`);
  // the parser's wasm is a link into the repository's node_modules (older commits have none), which the copy cannot reach
  const wasm = join(dir, 'packages/engine/src/sql/libpg-query.wasm');
  rmSync(wasm, { force: true });
  copyFileSync(realpathSync(new URL('../packages/engine/src/sql/libpg-query.wasm', import.meta.url)), wasm);
  return bundledEngine(join(dir, 'packages/engine/src'), own);
}
