/**
 * The demo in real Chromium (scripts/chromium.ts finds it; playwright-core downloads none): three tabs of
 * one browser context are three nodes of one cluster, the engine in each tab's module worker,
 * WebRTC between tabs kept on 127.0.0.1. The demo is built and served from this process and opened
 * as a stock browser would open it: at the URL `npm run demo` prints, without
 * --allow-loopback-in-peer-connection and without camera/microphone permission.
 * Screenshots of every step: test-results/e2e/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startDemo, type DemoServer } from '../../apps/demo/serve.ts';
import { startSignalServer } from '../../packages/transport/src/signaling/server.ts';
import { requireChromium } from '../../scripts/chromium.ts';

const SHOTS = 'test-results/e2e';
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
const STEP_MS = 20_000;

interface Demo {
  url: string;
  context: BrowserContext;
  /** Problems the pages reported (uncaught errors, console errors). */
  problems: string[];
  /** A new tab; `query` is appended to the URL (`&node=…` reopens a closed tab's node). */
  open(query?: string): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
}

async function role(page: Page): Promise<string> {
  return page.evaluate(() => document.querySelector('[data-testid="role"]')?.textContent?.trim() ?? '');
}

/** Wait for the role; a standby also for a primary it follows ('auto' nodes start as standbys while they look for one). */
async function waitRole(page: Page, expected: 'primary' | 'standby'): Promise<void> {
  await expect.poll(() => role(page), { timeout: STEP_MS, interval: 100 }).toBe(expected);
  if (expected === 'standby') await page.getByTestId('leader').waitFor({ timeout: STEP_MS });
}

async function liveRows(page: Page): Promise<string[][]> {
  return page.$$eval('[data-testid="live-table"] tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

/** The cluster picture as drawn: node boxes apart from each other, every label inside its box. */
async function expectPictureWithoutOverlap(page: Page): Promise<void> {
  const drawn = await page.$$eval('[data-testid="cluster-picture"] [data-node]', (groups) => groups.map((g) => {
    const box = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    };
    return { rect: box(g.querySelector('rect')!), labels: [...g.querySelectorAll('text')].map(box) };
  }));
  for (const [i, a] of drawn.entries()) {
    for (const label of a.labels) {
      expect(label.left).toBeGreaterThanOrEqual(a.rect.left);
      expect(label.right).toBeLessThanOrEqual(a.rect.right);
    }
    for (const b of drawn.slice(i + 1)) {
      const apart = a.rect.right <= b.rect.left || b.rect.right <= a.rect.left || a.rect.bottom <= b.rect.top || b.rect.bottom <= a.rect.top;
      expect(apart).toBe(true);
    }
  }
}

async function runSql(page: Page, sql: string): Promise<void> {
  await page.getByTestId('sql').fill(sql);
  await page.getByTestId('run').click();
}

/** Build and serve the demo, launch Chromium; everything is closed when `body` ends, however it ends. */
async function withDemo(body: (demo: Demo) => Promise<void>): Promise<void> {
  const executablePath = requireChromium();
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  let server: DemoServer | undefined;
  let browser: Browser | undefined;
  const build = mkdtempSync(join(tmpdir(), 'walrtc-demo-'));
  try {
    server = await startDemo(0, build);
    browser = await chromium.launch({ executablePath, args: FLAGS });
    const context = await browser.newContext({ viewport: { width: 1100, height: 820 } });
    const problems: string[] = [];
    const pages: Page[] = [];
    const url = `${server.url}?cluster=e2e-${process.pid}-${Date.now()}`;
    let step = 0;
    await run(body, {
      url,
      context,
      problems,
      async open(query = '') {
        const page = await context.newPage();
        pages.push(page);
        page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
        await page.goto(url + query);
        return page;
      },
      async shot(page, name) {
        await page.screenshot({ path: `${SHOTS}/${String(++step).padStart(2, '0')}-${name}.png`, fullPage: true });
      },
    }, pages);
  } finally {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
    rmSync(build, { recursive: true, force: true });
  }
}

/** Run the steps; on failure, screenshot every open tab and print its node log before rethrowing. */
async function run(body: (demo: Demo) => Promise<void>, demo: Demo, pages: Page[]): Promise<void> {
  try {
    await body(demo);
  } catch (e) {
    for (const [i, page] of pages.entries()) {
      if (page.isClosed()) continue;
      await page.screenshot({ path: `${SHOTS}/failure-tab${i + 1}.png`, fullPage: true }).catch(() => {});
      const log = await page.evaluate(() => document.querySelector('.log')?.textContent ?? '').catch(() => '');
      console.log(`tab ${i + 1} log:\n${log}`);
    }
    console.log('page problems:', demo.problems);
    throw e;
  }
}

describe('the demo in Chromium, one node per tab', () => {
  it('replicates tab to tab, keeps the page responsive during a 100k-row insert, refuses writes on a standby, keeps a reloaded standby\'s data, fails over when the primary\'s tab closes, and takes the old primary back as a standby', async () => {
    await withDemo(async (demo) => {
      const tab1 = await demo.open();
      await waitRole(tab1, 'primary');
      const tab2 = await demo.open();
      const tab3 = await demo.open();
      await Promise.all([waitRole(tab2, 'standby'), waitRole(tab3, 'standby')]);
      await expect.poll(() => tab1.$$eval('[data-testid="cluster-picture"] [data-node]', (n) => n.length), { timeout: STEP_MS }).toBe(3);
      await expectPictureWithoutOverlap(tab1);
      await demo.shot(tab1, 'three-tabs-primary');

      // tab 1 creates a table and inserts: both standbys show the rows in their live tables
      await runSql(tab1, `create table items(id serial primary key, name text not null, qty int not null default 0);
        insert into items(name, qty) values ('apples', 3), ('pears', 5), ('plums', 8);`);
      await expect.poll(() => tab1.getByTestId('command-tag').allTextContents(), { timeout: STEP_MS }).toEqual(['CREATE TABLE', 'INSERT 0 3']);
      const rows = [['1', 'apples', '3'], ['2', 'pears', '5'], ['3', 'plums', '8']];
      for (const tab of [tab2, tab3]) await expect.poll(() => liveRows(tab), { timeout: STEP_MS }).toEqual(rows);
      await demo.shot(tab2, 'standby-live-table');

      // 100,000 rows inserted in the primary's worker: the page's main thread never blocks for more than 50 ms
      const bulk = await tab1.evaluate(async () => {
        const statements: string[] = ['create table bulk(id int primary key, note text)'];
        for (let s = 0; s < 100; s++) {
          const values = Array.from({ length: 1000 }, (_, i) => `(${s * 1000 + i}, 'row ${s * 1000 + i}')`);
          statements.push(`insert into bulk values ${values.join(', ')}`);
        }
        const sql = statements.join(';\n');
        const longTasks: number[] = [];
        const observer = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) longTasks.push(Math.round(e.duration));
        });
        observer.observe({ type: 'longtask' });
        const t0 = performance.now();
        const node = (globalThis as unknown as { walrtc: { exec(sql: string): Promise<unknown> } }).walrtc;
        await node.exec(sql);
        const ms = Math.round(performance.now() - t0);
        // tasks still being reported for the insert's last moments
        await new Promise((r) => setTimeout(r, 200));
        observer.disconnect();
        return { ms, longTasks };
      });
      console.log(`100,000-row insert in the worker: ${bulk.ms} ms; page long tasks meanwhile: ${JSON.stringify(bulk.longTasks)}`);
      expect(bulk.longTasks).toEqual([]);
      await expect.poll(() => tab2.evaluate(async () => {
        const node = (globalThis as unknown as { walrtc: { query(sql: string): Promise<{ rows: { n: number }[] }> } }).walrtc;
        return (await node.query('select count(*)::int as n from bulk').catch(() => ({ rows: [{ n: -1 }] }))).rows[0]!.n;
      }), { timeout: STEP_MS }).toBe(100_000);

      // a write in a standby's console: PostgreSQL's read-only error
      await runSql(tab2, `update items set qty = qty + 1 where name = 'pears'`);
      const error = tab2.getByTestId('sql-error');
      await expect.poll(() => error.getAttribute('data-code'), { timeout: STEP_MS }).toBe('25006');
      expect(await error.textContent()).toContain('ERROR:  cannot execute UPDATE in a read-only transaction');
      await demo.shot(tab2, 'standby-refuses-update');

      // a reloaded standby is the same node and shows its rows from IndexedDB, without a base backup
      const id3 = await tab3.getByTestId('node-id').textContent();
      await tab3.reload();
      await waitRole(tab3, 'standby');
      expect(await tab3.getByTestId('node-id').textContent()).toBe(id3);
      await expect.poll(() => liveRows(tab3), { timeout: STEP_MS }).toEqual(rows);
      expect(await tab3.locator('main').getAttribute('data-base-backups')).toBe('0');
      await runSql(tab1, `insert into items(name, qty) values ('figs', 13)`);
      await expect.poll(() => liveRows(tab3), { timeout: STEP_MS }).toContainEqual(['4', 'figs', '13']);
      await demo.shot(tab3, 'reloaded-standby');

      // failover: the primary's tab closes; one standby is promoted and the other follows it
      const id1 = await tab1.getByTestId('node-id').textContent();
      await tab1.close({ runBeforeUnload: true });
      const t0 = Date.now();
      const promoted = await new Promise<Page>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no standby became primary')), STEP_MS);
        const check = async () => {
          for (const tab of [tab2, tab3]) if ((await role(tab)) === 'primary') return (clearTimeout(timer), resolve(tab));
          setTimeout(() => void check().catch(reject), 25);
        };
        void check().catch(reject);
      });
      const failoverMs = Date.now() - t0;
      const other = promoted === tab2 ? tab3 : tab2;
      console.log(`failover: ${await promoted.getByTestId('node-id').textContent()} became primary ${failoverMs} ms after the primary's tab closed`);
      await demo.shot(promoted, 'promoted-after-primary-closed');
      // how fast is a benchmark's question (bench/browser.bench.ts: ~55 ms in the engine; the page
      // polls its status every 500 ms), not a test's: on a loaded machine it varies several-fold
      expect(Number(await promoted.getByTestId('timeline').textContent())).toBeGreaterThan(1);
      await runSql(promoted, `insert into items(name, qty) values ('limes', 21)`);
      await expect.poll(() => liveRows(other), { timeout: STEP_MS }).toContainEqual(['5', 'limes', '21']);
      await waitRole(other, 'standby');
      await demo.shot(other, 'follows-new-primary');

      // the old primary's tab reopens: the same node, from its IndexedDB, rejoins as a standby of the new primary with every row
      const back = await demo.open(`&node=${id1}`);
      await waitRole(back, 'standby');
      expect(await back.getByTestId('node-id').textContent()).toBe(id1);
      await expect.poll(() => liveRows(back), { timeout: STEP_MS }).toEqual([...rows, ['4', 'figs', '13'], ['5', 'limes', '21']]);
      await demo.shot(back, 'old-primary-rejoins');

      expect(demo.problems).toEqual([]);
    });
  }, 120_000);

  it('says on the page why tabs opened at http://127.0.0.1 cannot connect, and how to fix it', async () => {
    await withDemo(async (demo) => {
      const url = demo.url.replace('//localhost:', '//127.0.0.1:');
      const tabs = [await demo.context.newPage(), await demo.context.newPage()];
      for (const tab of tabs) await tab.goto(url);
      for (const tab of tabs) {
        const problem = tab.getByTestId('peer-problem');
        await problem.waitFor({ timeout: STEP_MS });
        const text = await problem.textContent();
        expect(text).toContain('Another tab of this cluster is open in this browser, but no WebRTC connection to it has formed.');
        expect(text).toContain(`Fix: open ${demo.url.split('?')[0]!.replace(/\/$/, '')}/?cluster=`);
      }
      await demo.shot(tabs[1]!, 'loopback-ip-explained');
    });
  }, 120_000);

  it('shows in the relay panel why the relay failed when nothing answers, and connected once one runs', async () => {
    const relay = await startSignalServer({ host: '127.0.0.1', port: 0, log: () => {} });
    const vacant = await startSignalServer({ host: '127.0.0.1', port: 0, log: () => {} });
    const vacantUrl = vacant.url;
    await vacant.close(); // a port nothing listens on any more
    try {
      await withDemo(async (demo) => {
        const tab = await demo.open();
        await waitRole(tab, 'primary');
        const state = tab.getByTestId('relay-state');
        await tab.getByTestId('relay-url').fill(vacantUrl);
        await tab.getByTestId('relay-button').click();
        await expect.poll(() => state.getAttribute('data-state'), { timeout: STEP_MS }).toBe('failed');
        expect(await state.textContent()).toContain(`failed: no relay answers at ${vacantUrl} (code 1006)`);
        await demo.shot(tab, 'relay-failed');
        await tab.getByTestId('relay-button').click(); // disconnect
        await tab.getByTestId('relay-url').fill(relay.url);
        await tab.getByTestId('relay-button').click();
        await expect.poll(() => state.getAttribute('data-state'), { timeout: STEP_MS }).toBe('connected');
        expect(await tab.getByTestId('relay-button').textContent()).toBe('Disconnect relay');
        await demo.shot(tab, 'relay-connected');
      });
    } finally {
      await relay.close();
    }
  }, 120_000);
});
