import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type ReplicationMessage } from '../packages/engine/src/replication/protocol.ts';
import { caughtUp, memoryCluster, streamingPair, until, type TestCluster, type TestNode } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

/** Rewrite the next `xlog_data` the primary sends with `tamper`, once. */
function tamperNextBatch(p: TestNode, tamper: (m: Extract<ReplicationMessage, { t: 'xlog_data' }>) => Uint8Array): void {
  const send = p.transport.send.bind(p.transport);
  let done = false;
  p.transport.send = async (to, bytes) => {
    const d = decodeMessage(bytes);
    if (!done && d.ok && d.msg.t === 'xlog_data') {
      done = true;
      return send(to, tamper(d.msg));
    }
    return send(to, bytes);
  };
}

async function streaming(): Promise<{ p: TestNode; s: TestNode }> {
  c = memoryCluster();
  return streamingPair(c);
}

const rows = async (t: TestNode) => (await t.node.query('select * from t order by id')).rows;

describe('bad input from a peer is rejected and never applied', () => {
  it('a batch with a corrupted record: logged, nothing applied, the standby reconnects and ends identical', async () => {
    const { p, s } = await streaming();
    tamperNextBatch(p, (m) => {
      const bytes = new Uint8Array(m.bytes);
      bytes[bytes.length - 3] ^= 0x55;
      return encodeMessage({ ...m, bytes });
    });
    await p.node.query(`insert into t values (1, 'one')`);
    await until('the rejection', () => s.logs.some((l) => /incorrect resource manager data checksum in record at [0-9A-F]+\/[0-9A-F]+ in WAL received from "primary"/.test(l)));
    await p.node.query(`insert into t values (2, 'two')`);
    await caughtUp(p.node, s.node);
    expect(await rows(s)).toEqual([{ id: 1, v: 'one' }, { id: 2, v: 'two' }]);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('an LSN gap: logged and refused, then streaming resumes from the standby\'s own end', async () => {
    const { p, s } = await streaming();
    tamperNextBatch(p, (m) => encodeMessage({ ...m, start: m.start + 8, end: m.end + 8 }));
    await p.node.query(`insert into t values (1, 'one')`);
    await until('the rejection', () => s.logs.some((l) => /unexpected WAL start [0-9A-F]+\/[0-9A-F]+ from upstream, expected/.test(l)));
    await caughtUp(p.node, s.node);
    expect(await rows(s)).toEqual([{ id: 1, v: 'one' }]);
  });

  it('a batch from an unknown timeline is refused', async () => {
    const { p, s } = await streaming();
    tamperNextBatch(p, (m) => encodeMessage({ ...m, timeline: 9 }));
    await p.node.query(`insert into t values (1, 'one')`);
    await until('the rejection', () => s.logs.some((l) => l.includes('is on timeline 9, but streaming was started on timeline 1')));
    await caughtUp(p.node, s.node);
    expect(await rows(s)).toEqual([{ id: 1, v: 'one' }]);
  });

  it('messages that fail validation are logged and change nothing', async () => {
    const { p, s } = await streaming();
    const hash = await s.node.contentHash();
    const garbage: Uint8Array[] = [
      new Uint8Array([1]),
      new Uint8Array([7, 1, 2, 3]),
      new Uint8Array([1, 0x92, 0x01]),
      encodeMessage({ t: 'nonsense' } as unknown as ReplicationMessage),
      encodeMessage({ t: 'xlog_data', timeline: 1, start: 'x', end: 0, walEnd: 0, time: 0, bytes: new Uint8Array() } as unknown as ReplicationMessage),
      encodeMessage({ t: 'xlog_data', timeline: 1, start: 0, end: 100, walEnd: 0, time: 0, bytes: new Uint8Array(3) }),
    ];
    for (const g of garbage) await p.transport.send('standby', g);
    await until('every rejection', () => s.logs.filter((l) => l.startsWith('rejected replication message from "primary"')).length === garbage.length);
    expect(s.logs.filter((l) => l.startsWith('rejected')).map((l) => l.split(': ')[1])).toEqual([
      'message too short',
      'unsupported replication protocol version 7',
      'undecodable message',
      'unknown message type "nonsense"',
      'invalid field "start" in xlog_data message',
      'xlog_data length does not match its LSN range',
    ]);
    expect(await s.node.contentHash()).toBe(hash);
    await p.node.query(`insert into t values (1, 'still streaming')`);
    await caughtUp(p.node, s.node);
    expect(await rows(s)).toEqual([{ id: 1, v: 'still streaming' }]);
  });

  it('a peer announcing itself under another node id is ignored', async () => {
    const { p, s } = await streaming();
    await p.transport.send('standby', encodeMessage({ t: 'announce', node: { nodeId: 'someone-else', systemId: null, role: 'primary', upstream: null, timeline: 5, flushLsn: 0, tables: 0 } }));
    await until('the rejection', () => s.logs.some((l) => l.includes('rejected announcement from "primary" claiming to be "someone-else"')));
    expect((await s.node.query(`select node_id from walrtc_nodes order by node_id`)).rows).toEqual([{ node_id: 'standby' }, { node_id: 'primary' }].sort((a, b) => (a.node_id < b.node_id ? -1 : 1)));
  });
});
