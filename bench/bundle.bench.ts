// What an application ships and how soon its first query answers: a minimal page that opens an
// IndexedDB database and runs `select 1`, with walrtc (@walrtc/engine on the main thread) and
// with PGlite, each built by Vite (production build, no configuration beyond the default), served
// locally and opened in Chromium with an empty cache (a new browser context per round).
// Run: node --expose-gc --conditions=walrtc-source --import tsx bench/bundle.bench.ts   (part of `npm run bench`)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { build, defaultClientConditions, preview } from 'vite';
import { chromiumPath } from '../scripts/chromium.ts';
import { median } from './stats.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const FIRST_QUERY_TIMEOUT_MS = 120_000;

const apps = {
  walrtc: `import { openNode } from '@walrtc/engine';
const node = await openNode({ cluster: 'bench', storage: 'indexeddb' });
const { rows } = await node.query('select 1 as one');
document.body.dataset.firstQuery = String(performance.now());
document.body.dataset.rows = JSON.stringify(rows);`,
  PGlite: `import { PGlite } from '@electric-sql/pglite';
const db = await PGlite.create('idb://bench');
const { rows } = await db.query('select 1 as one');
document.body.dataset.firstQuery = String(performance.now());
document.body.dataset.rows = JSON.stringify(rows);`,
};

interface Measured {
  files: number;
  raw: number;
  gzip: number;
  firstQueryMs: number[];
}

const root = fileURLToPath(new URL('..', import.meta.url));
mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

async function measure(name: keyof typeof apps, executablePath: string): Promise<Measured> {
  // inside node_modules so that the page resolves the repository's packages
  const dir = mkdtempSync(join(root, 'node_modules', '.cache', `walrtc-bundle-${name}-`));
  try {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>');
    writeFileSync(join(dir, 'main.js'), apps[name]);
    const outDir = join(dir, 'dist');
    await build({ root: dir, configFile: false, logLevel: 'error', resolve: { conditions: ['walrtc-source', ...defaultClientConditions] }, build: { outDir, target: 'es2022' } });
    const shipped = files(outDir).filter((f) => !f.endsWith('.html'));
    const raw = shipped.reduce((s, f) => s + statSync(f).size, 0);
    const gzip = shipped.reduce((s, f) => s + gzipSync(readFileSync(f)).length, 0);
    const server = await preview({ root: dir, configFile: false, logLevel: 'error', build: { outDir }, preview: { host: '127.0.0.1', port: 0 } });
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const firstQueryMs: number[] = [];
    try {
      const address = server.httpServer.address();
      if (!address || typeof address === 'string') throw new Error('no TCP address');
      for (let round = 0; round < ROUNDS; round++) {
        const context = await browser.newContext(); // empty cache, empty IndexedDB
        const page = await context.newPage();
        await page.goto(`http://localhost:${address.port}/`);
        await page.waitForFunction(() => document.body.dataset.firstQuery, undefined, { timeout: FIRST_QUERY_TIMEOUT_MS });
        const rows = await page.evaluate(() => document.body.dataset.rows);
        if (rows !== '[{"one":1}]') throw new Error(`${name}: unexpected first result ${rows}`);
        firstQueryMs.push(Number(await page.evaluate(() => document.body.dataset.firstQuery)));
        await context.close();
      }
    } finally {
      await browser.close();
      await server.close();
    }
    return { files: shipped.length, raw, gzip, firstQueryMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const executablePath = chromiumPath();
if (!executablePath) {
  console.log('bundle bench skipped: no Chromium (npm test provisions one; or set CHROMIUM_PATH)');
  process.exit(0);
}
const kB = (n: number) => `${(n / 1024).toFixed(0)} kB`;
const results: [string, Measured][] = [];
for (const name of Object.keys(apps) as (keyof typeof apps)[]) results.push([name, await measure(name, executablePath)]);
console.log(`\nMinimal page (IndexedDB database, one query), Vite production build, Chromium headless with an empty cache; first query = ms from navigation start to the result, median of ${ROUNDS} rounds, Node ${process.version}\n`);
console.log('| library | files shipped (JS, wasm, data) | size | gzip | first query (median) | all rounds |');
console.log('|---|---:|---:|---:|---:|---|');
for (const [name, m] of results) {
  console.log(`| ${name} | ${m.files} | ${kB(m.raw)} | ${kB(m.gzip)} | ${(median(m.firstQueryMs) / 1000).toFixed(2)} s | ${m.firstQueryMs.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s |`);
}
