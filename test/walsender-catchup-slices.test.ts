// A walsender's catch-up gives the event loop back between its batches: with the WAL in memory and a
// transport whose send resolves at once (a standby in the same page, as the browser bench runs one),
// megabytes of catch-up were one task of the primary's thread — a 59–92 ms page task in Chromium
// after a base backup (bench/README.md, "Ninth round: Chromium gaps").
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage } from '../packages/engine/src/replication/protocol.ts';
import { caughtUp, memoryCluster, streamingPair, until, type TestCluster } from './cluster.ts';

let c: TestCluster & { net: ReturnType<typeof memoryCluster>['net'] };
afterEach(async () => c?.closeAll());

/** The walsender's batch limit (sender.ts BATCH_BYTES) plus room for a message's other fields. */
const BATCH_MESSAGE = 256 * 1024 + 1024;

describe('walsender catch-up', () => {
  it('sends a standby that fell behind by megabytes one batch per task, not all of it in one', async () => {
    c = memoryCluster();
    const { p, s } = await streamingPair(c);
    c.net.partition(['primary'], ['standby']);
    await until('the primary to see the standby gone', async () => (await p.node.status()).replication.length === 0);
    const text = 'x'.repeat(1000);
    for (let i = 0; i < 4; i++) {
      await p.node.transaction(async (tx) => {
        for (let j = 0; j < 600; j++) await tx.query('insert into t values ($1, $2)', [i * 600 + j, text]);
      });
    }

    // a task counter: a setImmediate that re-arms itself runs once per turn of the event loop
    let task = 0;
    let ticking = true;
    const tick = () => {
      task++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const perTask = new Map<number, number>();
    const send = p.transport.send.bind(p.transport);
    p.transport.send = async (to, bytes) => {
      const d = decodeMessage(bytes);
      if (d.ok && d.msg.t === 'xlog_data') perTask.set(task, (perTask.get(task) ?? 0) + bytes.length);
      return send(to, bytes);
    };
    try {
      c.net.heal();
      await caughtUp(p.node, s.node);
    } finally {
      ticking = false;
    }
    const sent = [...perTask.values()];
    // about 2.4 MB of WAL went out as catch-up
    expect(sent.reduce((a, b) => a + b, 0)).toBeGreaterThan(2_000_000);
    expect(Math.max(...sent)).toBeLessThanOrEqual(BATCH_MESSAGE);
    expect((await s.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 2400 }]);
  });
});
