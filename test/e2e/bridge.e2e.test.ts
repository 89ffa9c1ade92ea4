/**
 * A Chromium tab as a hot standby of a real PostgreSQL: the demo (engine in a module worker,
 * WebRTC in the page) joins a cluster whose primary is the Node peer bridging a throwaway
 * PostgreSQL, through the peer's own signaling relay; rows written in PostgreSQL are read in the
 * tab's SQL console, and a write there is refused as on any hot standby.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startDemo, type DemoServer } from '../../apps/demo/serve.ts';
import { startPeer, type Peer } from '../../packages/node/src/index.ts';
import { startPostgres, type TestPostgres } from '../../packages/node/test/support/postgres.ts';
import { requireChromium } from '../../scripts/chromium.ts';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const STEP_MS = 30_000;

describe('a Chromium tab as a standby of PostgreSQL', () => {
  it('follows the bridge, shows PostgreSQL\'s rows and later changes, and refuses writes', async () => {
    const executablePath = requireChromium();
    const build = mkdtempSync(join(tmpdir(), 'walrtc-demo-'));
    const data = mkdtempSync(join(tmpdir(), 'walrtc-e2e-peer-'));
    let pg: TestPostgres | undefined;
    let peer: Peer | undefined;
    let server: DemoServer | undefined;
    let browser: Browser | undefined;
    try {
      pg = await startPostgres();
      await pg.sql(`create table items(id int primary key, name text not null, price numeric(8,2)); insert into items values (1, 'tea', 3.50), (2, 'cake', 4.25); create publication walrtc for table items`);
      const cluster = `bridge-e2e-${process.pid}`;
      // the demo's fixed key (apps/demo/src/lib/tab-node.ts)
      peer = await startPeer({ cluster, key: 'walrtc demo cluster key', dataDir: data, listen: { port: 0 }, healthIntervalMs: 0, logLine: () => {}, bridge: { postgres: pg.url, publication: 'walrtc' } });
      server = await startDemo(0, build);
      browser = await chromium.launch({ executablePath, args: FLAGS });
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${server.url}?cluster=${cluster}`);
      await page.getByTestId('relay-url').fill(peer.signalUrl!);
      await page.getByTestId('relay-button').click();
      await expect.poll(() => page.getByTestId('role').textContent(), { timeout: STEP_MS, interval: 200 }).toBe('standby');
      await expect.poll(() => page.getByTestId('leader').textContent(), { timeout: STEP_MS, interval: 200 }).toContain(peer.nodeId);
      await pg.sql(`insert into items values (3, 'scone', 2.10); update items set price = 3.75 where id = 1`);
      const grid = async () => {
        await page.getByTestId('sql').fill('select id, name, price from items order by id');
        await page.getByTestId('run').click();
        return page.$$eval('[data-testid="result-grid"] tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')));
      };
      await expect.poll(grid, { timeout: STEP_MS, interval: 300 }).toEqual([['1', 'tea', '3.75'], ['2', 'cake', '4.25'], ['3', 'scone', '2.10']]);
      await page.getByTestId('sql').fill(`insert into items values (4, 'jam', 1.00)`);
      await page.getByTestId('run').click();
      await expect.poll(() => page.getByTestId('sql-error').textContent(), { timeout: STEP_MS }).toContain('cannot execute INSERT in a read-only transaction');
    } finally {
      await browser?.close().catch(() => {});
      await server?.close().catch(() => {});
      await peer?.close().catch(() => {});
      await pg?.stop().catch(() => {});
      rmSync(build, { recursive: true, force: true });
      rmSync(data, { recursive: true, force: true });
    }
  });
});
