/**
 * `npm run build`: the publishable packages, from their TypeScript sources to dist/ (nothing in
 * the repository needs this: its tests, demo and benchmarks run the sources through the
 * "walrtc-source" export condition).
 *
 * - @walrtc/engine: tsc, one .js and .d.ts per source file. Keeping the file layout keeps the
 *   `new URL('./libpg-query.wasm' | './worker.js', import.meta.url)` references true, so a
 *   consumer's bundler finds the wasm and the worker without configuration, and tree-shakes.
 *   libpg-query's emscripten glue is shipped beside its wasm (the pair must come from one build)
 *   as an ES module whose Node-only `require`s no bundler follows (webpack refuses `node:` ones);
 *   sorted-btree (CommonJS) as an ES module too: every module the worker loads is then ESM.
 * - @walrtc/transport: .d.ts by tsc; the JavaScript bundled by esbuild, because simple-peer is
 *   inlined with its `webrtc-polyfill` import pointed at src/rtc-impl.ts: webrtc-polyfill
 *   depends on node-datachannel (a native build), which a browser app must never install.
 * - @walrtc/node: tsc against the engine's and the transport's built declarations (so build those
 *   first): one .js and .d.ts per source file, run by Node as they are.
 * Usage: tsx scripts/build.ts [engine|transport|node]…
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

function replaceText(text: string, from: string, to: string, where: string): string {
  const parts = text.split(from);
  if (parts.length !== 2) throw new Error(`${where}: expected "${from}" once, found it ${parts.length - 1} times; update scripts/build.ts`);
  return parts.join(to);
}

function replaceOnce(file: string, from: string, to: string): void {
  writeFileSync(file, replaceText(readFileSync(file, 'utf8'), from, to, file));
}

/**
 * libpg-query's glue (emscripten, CommonJS/UMD) as an ES module. Its Node branch reads files and
 * random bytes through `require`; pg-query.ts instantiates the wasm itself, and the runtime's own
 * modules are reached through process.getBuiltinModule, which no bundler resolves.
 */
/** sorted-btree's CommonJS modules as ES modules with the exports the engine imports, one shared chunk for the tree. */
async function vendorSortedBtree(outdir: string): Promise<void> {
  // the entries sit under node_modules so that they resolve sorted-btree from the repository
  const entries = join(root, 'node_modules', '.cache', 'walrtc-vendor');
  rmSync(entries, { recursive: true, force: true });
  mkdirSync(entries, { recursive: true });
  const wrappers: Record<string, string> = {
    'sorted-btree': "import BTree, { defaultComparator } from 'sorted-btree';\nexport default BTree;\nexport { defaultComparator };\n",
    'sorted-btree-bulk-load': "export { bulkLoad } from 'sorted-btree/extended/bulkLoad.js';\n",
    'sorted-btree-diff': "import diffAgainst from 'sorted-btree/extended/diffAgainst.js';\nexport default diffAgainst;\n",
  };
  for (const [name, text] of Object.entries(wrappers)) writeFileSync(join(entries, `${name}.js`), text);
  await build({
    entryPoints: Object.keys(wrappers).map((name) => join(entries, `${name}.js`)),
    bundle: true, splitting: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'], outdir, chunkNames: 'sorted-btree-[hash]', logLevel: 'warning',
  });
  rmSync(entries, { recursive: true, force: true });
}

function esmGlue(text: string): string {
  const where = 'libpg-query/wasm/libpg-query.js';
  let out = replaceText(text, 'require("node:fs")', 'globalThis.process.getBuiltinModule("node:fs")', where);
  out = replaceText(out, 'require("node:crypto")', 'globalThis.process.getBuiltinModule("node:crypto")', where);
  out = replaceText(out, 'scriptDirectory=__dirname+"/"', 'scriptDirectory=""', where);
  // webpack answers `typeof __filename` itself ("string") for browser builds, where __filename is undefined
  out = replaceText(out, 'if(typeof __filename!="undefined"){_scriptName=__filename}else if(ENVIRONMENT_IS_WORKER)', 'if(ENVIRONMENT_IS_WORKER)', where);
  out = replaceText(out, 'if(typeof exports==="object"&&typeof module==="object"){module.exports=PgQueryModule;module.exports.default=PgQueryModule}else if(typeof define==="function"&&define["amd"])define([],()=>PgQueryModule);', 'export default PgQueryModule;', where);
  const left = /\brequire\(|\bmodule\.exports|__dirname|__filename/.exec(out);
  if (left) throw new Error(`${where}: CommonJS left after conversion (${left[0]}); update scripts/build.ts`);
  return `// libpg-query ${libpgQueryVersion()} (MIT): PostgreSQL's parser, emscripten glue, as an ES module (scripts/build.ts)\n${out}`;
}

function libpgQueryVersion(): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', 'libpg-query', 'package.json'), 'utf8')) as { version: string }).version;
}

async function engine(): Promise<void> {
  const pkg = join(root, 'packages', 'engine');
  const dist = join(pkg, 'dist');
  rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.build.json')], { stdio: 'inherit' });
  // the wasm beside the module that references it (src/sql/libpg-query.wasm is a link into libpg-query)
  copyFileSync(join(pkg, 'src', 'sql', 'libpg-query.wasm'), join(dist, 'sql', 'libpg-query.wasm'));
  copyFileSync(join(root, 'node_modules', 'libpg-query', 'LICENSE'), join(dist, 'sql', 'libpg-query.LICENSE'));
  writeFileSync(join(dist, 'sql', 'libpg-query.js'), esmGlue(readFileSync(join(root, 'node_modules', 'libpg-query', 'wasm', 'libpg-query.js'), 'utf8')));
  replaceOnce(join(dist, 'sql', 'pg-query.js'), "from 'libpg-query/wasm/libpg-query.js'", "from './libpg-query.js'");
  // sorted-btree is CommonJS: a dev server that serves the worker's modules unbundled (Vite) cannot
  // load it, so its runtime ships converted to ES modules (its types still come from the package):
  // the core and the two extended modules the engine uses, sharing one copy of the tree class
  await vendorSortedBtree(join(dist, 'vendor'));
  copyFileSync(join(root, 'node_modules', 'sorted-btree', 'LICENSE'), join(dist, 'vendor', 'sorted-btree.LICENSE'));
  replaceOnce(join(dist, 'state', 'btree.js'), "from 'sorted-btree'", "from '../vendor/sorted-btree.js'");
  replaceOnce(join(dist, 'state', 'bulk.js'), "from 'sorted-btree'", "from '../vendor/sorted-btree.js'");
  replaceOnce(join(dist, 'state', 'bulk.js'), "from 'sorted-btree/extended/bulkLoad.js'", "from '../vendor/sorted-btree-bulk-load.js'");
  replaceOnce(join(dist, 'state', 'bulk.js'), "from 'sorted-btree/extended/diffAgainst.js'", "from '../vendor/sorted-btree-diff.js'");
  // tsc rewrites import specifiers, not URLs: the worker's entry is worker.js once built
  replaceOnce(join(dist, 'worker', 'client.js'), "new URL('./worker.ts', import.meta.url)", "new URL('./worker.js', import.meta.url)");
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
if (all || wanted.includes('engine')) await engine();
if (all || wanted.includes('transport')) await transport();
if (all || wanted.includes('node')) node();

function node(): void {
  const pkg = join(root, 'packages', 'node');
  const dist = join(pkg, 'dist');
  rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.build.json')], { stdio: 'inherit' });
  checkReferences(dist);
}
