import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../packages/engine/src/replication/protocol.ts';
import { decodeRecords, encodeBatch } from '../../packages/engine/src/wal/codec.ts';
import type { WalRecord } from '../../packages/engine/src/wal/record.ts';
import { caughtUp, lsnNumber, memoryCluster, streamingPair, until, type TestCluster, type TestNode } from '../cluster.ts';

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

type Forge = (r: WalRecord) => WalRecord;

/**
 * Replace the primary's next `times` XLogData batches with forged ones: every insert rewritten by
 * `forge`, re-encoded with valid CRCs. Returns the forged batches' end LSNs.
 */
function forgeBatches(p: TestNode, forge: Forge, times: number): number[] {
  const send = p.transport.send.bind(p.transport);
  const ends: number[] = [];
  p.transport.send = async (to, bytes) => {
    const d = decodeMessage(bytes);
    if (ends.length < times && d.ok && d.msg.t === 'xlog_data') {
      const m = d.msg;
      const records = decodeRecords(m.bytes, m.start).records.map((r) => (r.record.kind === 'insert' ? forge(r.record) : r.record));
      if (!records.some((r, i) => r !== decodeRecords(m.bytes, m.start).records[i]!.record)) return send(to, bytes);
      const forged = encodeBatch(records).bytes;
      ends.push(m.start + forged.length);
      return send(to, encodeMessage({ ...m, end: m.start + forged.length, bytes: forged }));
    }
    return send(to, bytes);
  };
  return ends;
}

/** Every apply position the standby reports upstream. */
function reportedApply(s: TestNode): number[] {
  const send = s.transport.send.bind(s.transport);
  const seen: number[] = [];
  s.transport.send = async (to, bytes) => {
    const d = decodeMessage(bytes);
    if (d.ok && d.msg.t === 'status_update') seen.push(d.msg.apply);
    return send(to, bytes);
  };
  return seen;
}

async function streaming(): Promise<{ p: TestNode; s: TestNode }> {
  c = memoryCluster();
  return streamingPair(c);
}

/** The standby ends with the one row, exactly as the primary. */
async function identical(p: TestNode, s: TestNode): Promise<void> {
  await caughtUp(p.node, s.node);
  expect((await s.node.query('select * from t')).rows).toEqual([{ id: 1, v: 'one' }]);
  expect(await s.node.contentHash()).toBe(await p.node.contentHash());
}

const forgeries: [string, Forge, RegExp][] = [
  ['an unknown record kind', (r) => ({ ...r, kind: 'bogus' }) as unknown as WalRecord, /unknown record kind "bogus"/],
  ['an insert into a table that does not exist', (r) => ({ ...r, table: 99_999 }) as WalRecord, /insert record for table 99999, which does not exist/],
  ['a row with the wrong number of columns', (r) => ({ ...r, row: [(r as { row: unknown[] }).row[0]] }) as WalRecord, /insert record for table "t" with 1 columns, expected 2/],
];

describe('a standby never applies WAL it cannot replay (forged batches with valid CRCs)', () => {
  for (const [what, forge, reason] of forgeries) {
    it(`${what}: refused with a FATAL log, positions not advanced, then the real WAL streams and the standby ends identical`, async () => {
      const { p, s } = await streaming();
      const applied = reportedApply(s);
      const forgedEnds = forgeBatches(p, forge, 1);
      await p.node.query(`insert into t values (1, 'one')`);
      await until('the refusal', () => s.logs.some((l) => /^FATAL: {2}invalid record at [0-9A-F]+\/[0-9A-F]+: /.test(l) && reason.test(l) && l.endsWith('in WAL received from "primary"')));
      await caughtUp(p.node, s.node);
      const realEnd = (await p.node.status()).lsn.flush;
      expect(forgedEnds).toHaveLength(1);
      expect(forgedEnds[0]).not.toBe(lsnNumber(realEnd));
      expect(applied).not.toContain(forgedEnds[0]);
      await identical(p, s);
    });
  }

  it('the same WAL failing twice: the standby takes a new base backup instead of retrying forever', async () => {
    const { p, s } = await streaming();
    forgeBatches(p, forgeries[1]![1], 2);
    await p.node.query(`insert into t values (1, 'one')`);
    await until('a new base backup', () => s.logs.filter((l) => l.startsWith('base backup received')).length === 2);
    await identical(p, s);
  });
});
