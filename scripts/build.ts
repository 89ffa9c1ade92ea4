/**
 * `npm run build`: the publishable packages, from their TypeScript sources to dist/ (nothing in
 * the repository needs this: its tests, demo and benchmarks run the sources through the
 * "walrtc-source" export condition).
 *
 * - @walrtc/engine: tsc, one .js and .d.ts per source file. Keeping the file layout keeps the
 *   `new URL('./libpg-query.wasm' | './worker.js', import.meta.url)` references true, so a
 *   consumer's bundler finds the wasm and the worker without configuration, and tree-shakes.
 * - @walrtc/transport: .d.ts by tsc; the JavaScript bundled by esbuild, because simple-peer is
 *   inlined with its `webrtc-polyfill` import pointed at src/rtc-impl.ts: webrtc-polyfill
 *   depends on node-datachannel (a native build), which a browser app must never install.
 * Usage: tsx scripts/build.ts [engine|transport]…
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Every relative reference in the output must name a file that is there (no `.ts` left behind). */
function checkReferences(dist: string): void {
  for (const file of files(dist).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s*|import\(\s*|new URL\(\s*)['"](\.\.?\/[^'"]+)['"]/g)) {
      const target = join(file, '..', m[1]!);
      if (!statSync(target, { throwIfNoEntry: false })) throw new Error(`${file}: reference to missing ${m[1]}`);
    }
  }
}

function engine(): void {
  const pkg = join(root, 'packages', 'engine');
  const dist = join(pkg, 'dist');
  rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.build.json')], { stdio: 'inherit' });
  // the wasm beside the module that references it (src/sql/libpg-query.wasm is a link into libpg-query)
  copyFileSync(join(pkg, 'src', 'sql', 'libpg-query.wasm'), join(dist, 'sql', 'libpg-query.wasm'));
  // tsc rewrites import specifiers, not URLs: the worker's entry is worker.js once built
  const client = join(dist, 'worker', 'client.js');
  const text = readFileSync(client, 'utf8');
  const rewritten = text.replace("new URL('./worker.ts', import.meta.url)", "new URL('./worker.js', import.meta.url)");
  if (rewritten === text) throw new Error(`${client}: the worker URL was not found; update scripts/build.ts`);
  writeFileSync(client, rewritten);
  checkReferences(dist);
}

async function transport(): Promise<void> {
  const pkg = join(root, 'packages', 'transport');
  const dist = join(pkg, 'dist');
  rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.build.json'), '--emitDeclarationOnly'], { stdio: 'inherit' });
  const { dependencies = {}, peerDependencies = {} } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  await build({
    entryPoints: [join(pkg, 'src', 'index.ts'), join(pkg, 'src', 'signaling', 'server.ts')],
    outbase: join(pkg, 'src'),
    outdir: dist,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    alias: { 'webrtc-polyfill': join(pkg, 'src', 'rtc-impl.ts') },
    external: [...Object.keys(dependencies), ...Object.keys(peerDependencies), 'node:*'],
    logLevel: 'warning',
  });
  checkReferences(dist);
}

const wanted = process.argv.slice(2);
const all = wanted.length === 0;
if (all || wanted.includes('engine')) engine();
if (all || wanted.includes('transport')) await transport();
