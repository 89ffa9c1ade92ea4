/**
 * A node is one PostgreSQL session. One scenario (session-scenario.ts) runs on a walrtc Node, on
 * a WorkerNode (the worker host over a MessageChannel) and on PGlite, and the logs must be
 * identical to each other and to the log recorded from a real PostgreSQL (fixtures/): transaction blocks across calls, failed blocks, savepoints, transactional DDL,
 * READ ONLY, notices, rowMode/parsers/affectedRows, and transaction() beside an outside write.
 */
import { PGlite } from '@electric-sql/pglite';
import { beforeAll, describe, expect, it } from 'vitest';
import { openNode } from '../src/index.ts';
import { exposeHost } from '../src/worker/host.ts';
import { connectWorkerNode } from '../src/worker/index.ts';
import postgres from './fixtures/session-postgres.json' with { type: 'json' };
import { scenario, transactionScenario, type Db } from './session-scenario.ts';

let counter = 0;
const hosts: Record<string, () => Promise<Db>> = {
  node: async () => (await openNode({ cluster: `session-${process.pid}-${++counter}`, storage: 'memory', log: () => {} })) as unknown as Db,
  worker: async () => {
    const channel = new MessageChannel();
    exposeHost(channel.port1);
    return (await connectWorkerNode(channel.port2, { cluster: `session-w-${process.pid}-${++counter}`, nodeId: 'w', storage: 'memory', log: () => {} }, () => {
      channel.port1.close();
      channel.port2.close();
    })) as unknown as Db;
  },
  pglite: async () => (await PGlite.create()) as unknown as Db,
};

describe('one session scenario on a walrtc Node, a WorkerNode and PGlite', () => {
  const logs: Record<string, { main: string[]; tx: string[] }> = {};
  beforeAll(async () => {
    for (const [name, open] of Object.entries(hosts)) {
      const db = await open();
      const main = await scenario(db);
      await db.close();
      const db2 = await open();
      const tx = await transactionScenario(db2);
      await db2.close();
      logs[name] = { main, tx };
    }
  }, 60_000);

  it('PGlite (PostgreSQL) gives the expected log', () => {
    // spot checks that the scenario exercises what it claims to
    const main = logs.pglite!.main.join('\n');
    expect(main).toContain('ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block');
    expect(main).toContain('commit → ROLLBACK');
    expect(main).toContain('WARNING 25P01 there is no transaction in progress');
    expect(main).toContain('ERROR 3B001 savepoint "nope" does not exist');
    expect(main).toContain('ERROR 25006 cannot execute INSERT in a read-only transaction');
    expect(main).toContain('select * from gone → ERROR 42P01 relation "gone" does not exist');
    expect(logs.pglite!.tx).toEqual([
      'inside sees [{"id":1}]',
      'transaction returned value',
      'outside write done',
      'after [{"id":1,"v":"tx"},{"id":2,"v":"outside"}]',
      'failed transaction: fn threw',
      'after [{"n":2}]',
    ]);
  });

  it('a real PostgreSQL (recorded by scripts/record-session-fixture.ts) logs the same as PGlite', () => {
    expect(logs.pglite!.main).toEqual(postgres.log);
  });

  it('a walrtc Node logs exactly what PGlite logs', () => {
    expect(logs.node!.main).toEqual(logs.pglite!.main);
    expect(logs.node!.tx).toEqual(logs.pglite!.tx);
  });

  it('a WorkerNode logs exactly what PGlite logs', () => {
    expect(logs.worker!.main).toEqual(logs.pglite!.main);
    expect(logs.worker!.tx).toEqual(logs.pglite!.tx);
  });
});
