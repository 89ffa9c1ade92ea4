/**
 * The packages as a user installs them: both are built and packed (`npm pack`), installed into
 * copies of examples/vite-app and examples/webpack-app offline (consumer.ts). The Vite app is type-checked with
 * `tsc --strict` (the shipped .d.ts included: skipLibCheck is off), run under plain Node.js ESM,
 * built by Vite with no walrtc configuration, and opened in Chromium (the build, and Vite's dev
 * server), where a node on the main thread and one in a module worker keep their rows in
 * IndexedDB across a reload. The webpack app is built with webpack's defaults and run likewise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireChromium } from '../../scripts/chromium.ts';
import { packPackages, prepareApp } from './consumer.ts';

const work = mkdtempSync(join(tmpdir(), 'walrtc-consumer-'));
const app = join(work, 'vite-app');
const webpackApp = join(work, 'webpack-app');
let tarballs: Record<string, string>;

function run(command: string, args: string[], cwd = app): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  tarballs = packPackages(work);
  prepareApp('vite-app', app, tarballs);
  prepareApp('webpack-app', webpackApp, tarballs);
  for (const dir of [app, webpackApp]) run('npm', ['install', '--offline', '--no-audit', '--no-fund'], dir);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed packages in an app outside the repository', () => {
  it('ship JavaScript, .d.ts, the parser\'s wasm, a README and a license, and no TypeScript sources', () => {
    const engine = execFileSync('tar', ['-tzf', tarballs['@walrtc/engine']!], { encoding: 'utf8' }).split('\n');
    expect(engine).toEqual(expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/worker/index.js', 'package/dist/worker/worker.js', 'package/dist/sql/libpg-query.wasm', 'package/README.md', 'package/LICENSE']));
    const transport = execFileSync('tar', ['-tzf', tarballs['@walrtc/transport']!], { encoding: 'utf8' }).split('\n');
    expect(transport).toEqual(expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/signaling/server.js', 'package/README.md', 'package/LICENSE']));
    expect([...engine, ...transport].filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('install without any native WebRTC binding', () => {
    for (const name of ['node-datachannel', 'webrtc-polyfill', '@thaunknown/simple-peer']) expect(existsSync(join(app, 'node_modules', name)), name).toBe(false);
  });

  it('type-check with tsc --strict', () => {
    expect(run('npx', ['tsc', '-p', 'tsconfig.json', '--strict'])).toBe('');
  });

  it('run under plain Node.js ESM; the transport names the package it needs there', () => {
    const out = JSON.parse(run('node', ['node-check.mjs'])) as { rows: unknown; syntaxError: string; transport: string };
    expect(out.rows).toEqual([{ v: 'two' }]);
    expect(out.syntaxError).toBe('42601 syntax error at or near "selec"');
    expect(out.transport).toContain('install the optional peer dependency node-datachannel (npm install node-datachannel)');
  });

  it('build with Vite and run in Chromium: main thread and worker, kept in IndexedDB across a reload', async () => {
    run('npx', ['vite', 'build', '--logLevel', 'error']);
    const assets = join(app, 'dist', 'assets');
    const files = readdirSync(assets).filter((f) => /\.(js|wasm)$/.test(f));
    expect(files.filter((f) => f.endsWith('.wasm'))).toHaveLength(1);
    const gzip = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(assets, f))).length, 0);
    const raw = files.reduce((sum, f) => sum + statSync(join(assets, f)).size, 0);
    console.log(`examples/vite-app build: ${files.join(', ')}: ${(raw / 1024).toFixed(0)} kB, ${(gzip / 1024).toFixed(0)} kB gzip (JS + wasm)`);

    let server: PreviewServer | undefined;
    try {
      server = await preview({ root: app, logLevel: 'error', configFile: false, preview: { host: '127.0.0.1', port: 0 } });
      await inChromium(port(server.httpServer.address()), true);
    } finally {
      await server?.close().catch(() => {});
    }
  });

  it('run on Vite\'s dev server with no configuration (dependencies pre-bundled, the worker\'s modules served one by one)', async () => {
    let server: ViteDevServer | undefined;
    try {
      server = await createServer({ root: app, logLevel: 'error', configFile: false, server: { host: '127.0.0.1', port: 0 } });
      await server.listen();
      await inChromium(port(server.httpServer?.address()), false);
    } finally {
      await server?.close().catch(() => {});
    }
  });
});

describe('the packed engine under webpack 5', () => {
  it('builds with webpack\'s defaults (no configuration file) and runs in Chromium, on the main thread and in a worker', async () => {
    run('npx', ['webpack', '--mode', 'production', '--no-stats'], webpackApp);
    const emitted = readdirSync(join(webpackApp, 'dist'));
    expect(emitted.filter((f) => f.endsWith('.wasm'))).toHaveLength(1);
    let server: PreviewServer | undefined;
    let browser: Browser | undefined;
    try {
      // the app's folder as it is: index.html beside webpack's dist/
      server = await preview({ root: webpackApp, logLevel: 'error', configFile: false, build: { outDir: webpackApp }, preview: { host: '127.0.0.1', port: 0 } });
      browser = await chromium.launch({ executablePath: requireChromium(), args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
      const page = await (await browser.newContext()).newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`http://localhost:${port(server.httpServer.address())}/`);
      await page.waitForFunction(() => document.body.dataset.result ?? document.body.dataset.error, undefined, { timeout: 60_000 });
      expect(await page.evaluate(() => document.body.dataset.error)).toBeUndefined();
      expect(JSON.parse((await page.evaluate(() => document.body.dataset.result))!)).toEqual({ mainThread: [{ answer: 42 }], inWorker: [{ answer: 42 }] });
      expect(problems).toEqual([]);
    } finally {
      await browser?.close().catch(() => {});
      await server?.close().catch(() => {});
    }
  });
});

function port(address: ReturnType<NonNullable<ViteDevServer['httpServer']>['address']> | undefined): number {
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Open the app twice in one browser profile: the second load finds the first one's rows. */
async function inChromium(port: number, reload: boolean): Promise<void> {
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: requireChromium(), args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    const load = async () => {
      await page.waitForFunction(() => document.body.dataset.result ?? document.body.dataset.error, undefined, { timeout: 60_000 });
      const error = await page.evaluate(() => document.body.dataset.error);
      if (error) throw new Error(`the page failed: ${error}`);
      return JSON.parse((await page.evaluate(() => document.body.dataset.result))!) as { mainThread: unknown[]; inWorker: unknown[]; syntaxError: string; peers: string[] };
    };
    await page.goto(`http://localhost:${port}/`);
    expect(await load()).toEqual({
      mainThread: [{ id: 1, note: 'main thread' }],
      inWorker: [{ id: 1, note: 'worker' }],
      syntaxError: '42601 syntax error at or near "selec"',
      peers: [],
    });
    if (reload) {
      await page.reload();
      const second = await load();
      expect(second.mainThread).toEqual([{ id: 1, note: 'main thread' }, { id: 2, note: 'main thread' }]);
      expect(second.inWorker).toEqual([{ id: 1, note: 'worker' }, { id: 2, note: 'worker' }]);
    }
    expect(problems).toEqual([]);
  } finally {
    await browser?.close().catch(() => {});
  }
}
