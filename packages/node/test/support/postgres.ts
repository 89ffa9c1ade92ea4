/**
 * A throwaway PostgreSQL server for one test file: initdb in a temporary directory, started on
 * 127.0.0.1 at a free port with wal_level = logical, stopped (immediate: nothing in it is kept) and removed by `stop()`.
 * fsync is off (a throwaway server); synchronous_commit stays on, so a commit is sent to logical
 * subscribers at once instead of after the WAL writer's next round.
 * Runs the server as the `postgres` user when the tests run as root (PostgreSQL refuses root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresBin, POSTGRES_HOW_TO } from '../../../../scripts/postgres-provision.ts';

export interface TestPostgres {
  readonly url: string;
  readonly port: number;
  /** A connected client (closed by the caller). */
  client(): Promise<pg.Client>;
  /** Run SQL on a short-lived connection. */
  sql(text: string, params?: unknown[]): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error(POSTGRES_HOW_TO);
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'walrtc-pg-'));
  const data = join(dir, 'data');
  if (root) {
    // postgres must own its directory and be able to reach it
    execFileSync('chmod', ['755', dir]);
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  }
  const run = (cmd: string, args: string[]) => {
    const r = root ? spawnSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : spawnSync(join(bin, cmd), args);
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr?.toString() ?? ''}${r.stdout?.toString() ?? ''}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '-N']);
  const port = await freePort();
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c wal_level=logical -c max_wal_senders=10 -c max_replication_slots=10 -c fsync=off -c full_page_writes=off`;
  run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    port,
    async client() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    },
    async sql(text, params) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await c.query(text, params);
      } finally {
        await c.end();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
