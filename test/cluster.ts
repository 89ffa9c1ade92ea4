/**
 * Test plumbing for replication scenarios: nodes on real WebRTC (loopback only, BroadcastChannel
 * signaling) or on the in-process fault-injection network, captured logs, bounded waits, and
 * cleanup that closes every node and transport so the test process exits by itself.
 */
import { expect, onTestFailed } from 'vitest';
import { openNode, type Node, type NodeOptions } from '@walrtc/engine';
import { broadcastSignaling, memoryNetwork, webrtcTransport, type MemoryNetwork, type Transport } from '@walrtc/transport';

let rooms = 0;

export interface TestNode {
  node: Node;
  transport: Transport;
  logs: string[];
}

export interface TestCluster {
  readonly name: string;
  /** `wrap` puts a fault-injecting layer around the node's transport. */
  open(nodeId: string, options?: Partial<NodeOptions>, wrap?: (t: Transport) => Transport): Promise<TestNode>;
  /** Close a node cleanly (its transport too). */
  close(t: TestNode): Promise<void>;
  closeAll(): Promise<void>;
}

type TransportFactory = (nodeId: string) => Transport;

/**
 * The last log lines of the clusters a test made, each with its time and node, printed when the test
 * fails: a failure seen once on a loaded CI machine can then be read instead of guessed at.
 */
const TRACE_LINES = 300;
let traced: { test: unknown; clusters: { name: string; lines: string[] }[] } | undefined;

function traceFor(name: string): string[] {
  const lines: string[] = [];
  const test = expect.getState().currentTestName;
  if (test === undefined) return lines; // made outside a running test (a beforeAll): nothing to print it with
  if (traced?.test !== test) {
    const mine: NonNullable<typeof traced> = { test, clusters: [] };
    // the last two: a test that loops over runs shows the failing one; a logical test its publisher and subscriber
    onTestFailed(() => {
      for (const c of mine.clusters.slice(-2)) console.log(`--- ${c.name}: last ${c.lines.length} log lines (ms since the cluster was made)\n${c.lines.join('\n')}`);
    });
    traced = mine;
  }
  traced.clusters.push({ name, lines });
  return lines;
}

function cluster(kind: string, makeTransport: TransportFactory): TestCluster {
  const name = `${kind}-${process.pid}-${++rooms}`;
  const live = new Set<TestNode>();
  const trace = traceFor(name);
  const born = performance.now();
  return {
    name,
    async open(nodeId, options = {}, wrap = (t) => t) {
      const logs: string[] = [];
      const transport = wrap(makeTransport(nodeId));
      const node = await openNode({
        cluster: name,
        nodeId,
        storage: 'memory',
        transport,
        keepaliveMs: 100,
        log: (_level, m) => {
          logs.push(m);
          trace.push(`${(performance.now() - born).toFixed(0).padStart(6)} ${nodeId}: ${m}`);
          if (trace.length > TRACE_LINES) trace.splice(0, trace.length - TRACE_LINES);
        },
        ...options,
      });
      const t = { node, transport, logs };
      live.add(t);
      return t;
    },
    async close(t) {
      live.delete(t);
      await t.node.close();
      await t.transport.close();
    },
    async closeAll() {
      const all = [...live];
      live.clear();
      const close = async (t: TestNode) => {
        await t.node.close().catch(() => {});
        await t.transport.close();
      };
      // standbys first: a primary closing cleanly would otherwise hand over to a node that is closing too
      const roles = await Promise.all(all.map(async (t) => (await t.node.status().catch(() => undefined))?.role));
      await Promise.all(all.filter((_, i) => roles[i] !== 'primary').map(close));
      await Promise.all(all.filter((_, i) => roles[i] === 'primary').map(close));
    },
  };
}

/** Nodes joined by real WebRTC data channels (node-datachannel), ICE kept on 127.0.0.1. `transport` joins another peer (a subscriber) to the same room. */
export function webrtcCluster(): TestCluster & { room: string; transport(peerId: string): Transport } {
  const room = `walrtc-repl-${process.pid}-${rooms + 1}`;
  const transport = (nodeId: string) =>
    webrtcTransport({ cluster: room, nodeId, key: 'test cluster key', signaling: broadcastSignaling(room), loopbackOnly: true, heartbeatMs: 250, peerTimeoutMs: 5000, log: () => {} });
  return Object.assign(cluster('webrtc', transport), { room, transport });
}

/** Nodes on the in-process network, for fault injection; `maxMessageSize` caps every node's messages. */
export function memoryCluster(options: { maxMessageSize?: number } = {}): TestCluster & { net: MemoryNetwork } {
  const net = memoryNetwork({ log: () => {} });
  return Object.assign(cluster('memory', (nodeId) => net.transport(nodeId, options)), { net });
}

/** A primary and a standby streaming from it (identified, nothing else yet). */
export async function primaryWithStandby(c: TestCluster): Promise<{ p: TestNode; s: TestNode }> {
  const p = await c.open('primary', { role: 'primary' });
  const s = await c.open('streaming', { role: 'standby' });
  await until('the standby to identify the primary', async () => (await s.node.status()).systemId === p.node.systemId);
  return { p, s };
}

/** A new standby of `primary` that starts from a base backup, caught up. */
export async function baseBackupStandby(c: TestCluster, primary: TestNode, nodeId = 'fresh'): Promise<TestNode> {
  const fresh = await c.open(nodeId, { role: 'standby' });
  await until('the base backup', async () => (await fresh.node.status()).systemId === primary.node.systemId);
  await caughtUp(primary.node, fresh.node);
  return fresh;
}

/**
 * Runs `sql` on a primary with a streaming standby, checkpoints, and adds a base-backup standby:
 * both standbys must answer `expected` and the streaming one carry the primary's content hash.
 */
export async function replicatedDdl<T>(c: TestCluster, sql: string, answers: (n: Node) => Promise<T>, expected: T): Promise<{ p: TestNode; streaming: TestNode; fresh: TestNode }> {
  const { p, s: streaming } = await primaryWithStandby(c);
  await p.node.exec(sql);
  const fresh = await standbysAgree(c, p, streaming, answers, expected);
  return { p, streaming, fresh };
}

/**
 * The streaming standby, once caught up, answers `expected` with the primary's content hash; after a
 * checkpoint so does a new standby made from a base backup, which is returned.
 */
export async function standbysAgree<T>(c: TestCluster, p: TestNode, streaming: TestNode, answers: (n: Node) => Promise<T>, expected: T): Promise<TestNode> {
  await caughtUp(p.node, streaming.node);
  expect(await answers(streaming.node)).toEqual(expected);
  expect(await streaming.node.contentHash()).toBe(await p.node.contentHash());
  await p.node.checkpoint();
  const fresh = await baseBackupStandby(c, p);
  expect(await answers(fresh.node)).toEqual(expected);
  expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
  return fresh;
}

/** A primary with table t(id int primary key, v text) and one standby of it, caught up. */
export async function streamingPair(c: TestCluster): Promise<{ p: TestNode; s: TestNode }> {
  const p = await c.open('primary');
  await p.node.exec('create table t(id int primary key, v text)');
  const s = await c.open('standby', { role: 'standby' });
  await caughtUp(p.node, s.node);
  return { p, s };
}

/** The one primary among `nodes`, once there is exactly one. */
export async function primaryOf(nodes: TestNode[], ms = 5000): Promise<TestNode> {
  return until('exactly one primary', async () => {
    const roles = await Promise.all(nodes.map(async (n) => (await n.node.status()).role));
    const primaries = nodes.filter((_, i) => roles[i] === 'primary');
    return primaries.length === 1 ? primaries[0] : undefined;
  }, ms);
}

/**
 * Until every node of `nodes` is a voting member: a primary records a standby's membership with a
 * write, which waits while its lease has lapsed (a stall on a loaded machine), so streaming alone
 * does not make a standby count in the next election.
 */
export async function allMembers(nodes: TestNode[], ms = 30_000): Promise<void> {
  const joined = (id: string) => nodes.some((n) => n.logs.includes(`member "${id}" joined the cluster`));
  await until('every node to be a voting member', () => nodes.every((n) => joined(n.node.nodeId)), ms);
}

/** Poll until `check` returns a truthy value; fail with `what` after `ms`. */
export async function until<T>(what: string, check: () => T | Promise<T>, ms = 10_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Wait until the standby has replayed everything the primary has flushed. */
export async function caughtUp(primary: Node, standby: Node, ms = 15_000): Promise<void> {
  const target = (await primary.status()).lsn.flush;
  try {
    // flushed too: a standby replays a batch before its storage has it, and tests read that storage
    await until(`standby ${standby.nodeId} to store and replay up to ${target}`, async () => {
      const { lsn } = await standby.status();
      return Math.min(lsnNumber(lsn.replay), lsnNumber(lsn.flush)) >= lsnNumber(target);
    }, ms);
  } catch (e) {
    // say where each side stands, so a failure on a loaded CI machine can be read
    const [p, s] = await Promise.all([primary.status(), standby.status()]);
    throw new Error(`${(e as Error).message}\nprimary: ${JSON.stringify(p)}\nstandby: ${JSON.stringify(s)}`);
  }
}

export function lsnNumber(text: string): number {
  const [hi, lo] = text.split('/');
  return parseInt(hi!, 16) * 2 ** 32 + parseInt(lo!, 16);
}
