/**
 * The always-on peer: the walrtc-peer CLI serves signaling, follows a primary over WebRTC as a
 * standby, stops cleanly on SIGTERM and comes back from its file storage; a standby whose
 * primary no longer has its WAL restores it from the peer's archive over HTTP; a standby cascades
 * through it; the CLI's arguments.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { generateClusterKey, peerArchive, webrtcTransport, websocketSignaling, type Transport } from '@walrtc/transport';
import { caughtUp, lsnNumber, memoryCluster, until, type TestCluster } from '../../../test/cluster.ts';
import { memoryStorage } from '../../engine/src/storage/memory.ts';
import { fileStorage, startPeer, type Peer } from '../src/index.ts';
import { parsePeerArgs, UsageError } from '../src/peer/cli.ts';

const root = await mkdtemp(join(tmpdir(), 'walrtc-peer-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const BIN = join(import.meta.dirname, '..', 'bin', 'walrtc-peer.mjs');

function runPeer(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  let rest = '';
  child.stderr.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const line = (re: RegExp) => until(`a log line matching ${re}:\n${lines.join('\n')}`, () => lines.find((l) => re.test(l)), 20_000);
  return { child, lines, exited, line };
}

describe('walrtc-peer', () => {
  const opened: { node?: Node; transport?: Transport; kill?: () => void }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      o.kill?.();
      await o.node?.close().catch(() => {});
      await o.transport?.close();
    }
  });

  it('serves signaling, follows a primary over WebRTC as a standby, stops cleanly on SIGTERM and keeps its data across a restart', async () => {
    const key = generateClusterKey();
    const cluster = `peer-cli-${process.pid}`;
    const data = join(root, 'cli');
    const args = ['--cluster', cluster, '--data', data, '--node-id', 'peer', '--port', '0', '--role', 'standby', '--loopback-only', '--health-interval', '200'];
    const first = runPeer([...args, '--key', key]);
    opened.push({ kill: () => first.child.kill('SIGKILL') });
    const url = /listening for signaling and archive reads on (ws:\/\/\S+)/.exec(await first.line(/listening for signaling/))![1]!;
    const transport = webrtcTransport({ cluster, nodeId: 'primary', key, signaling: websocketSignaling(url, { reconnectMs: 100 }), loopbackOnly: true, heartbeatMs: 250, log: () => {} });
    const primary = await openNode({ cluster, nodeId: 'primary', storage: 'memory', transport, keepaliveMs: 100, log: () => {} });
    opened.push({ node: primary, transport });
    await primary.exec('create table t(id int primary key, v text)');
    for (let i = 1; i <= 100; i++) await primary.query('insert into t values ($1, $2)', [i, `v${i}`]);
    const streamed = async () => {
      const target = lsnNumber((await primary.status()).lsn.flush);
      await until('the peer to replay everything', async () => (await primary.status()).replication.some((s) => s.applicationName === 'peer' && lsnNumber(s.replayLsn) >= target), 20_000);
    };
    await streamed();
    expect(await first.line(/LOG: {2}health: role=standby timeline=1 .*peers=1 standbys=0 signal_clients=\d+ rss_mb=\d+/)).toBeTruthy();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.lines.at(-1)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC \[\d+\] LOG: {2}database system is shut down$/);

    await primary.exec(`insert into t values (101, 'while the peer was down')`);
    // same port this time, so the primary's signaling reconnects to the restarted relay
    const second = runPeer([...args.map((a) => (a === '0' ? new URL(url).port : a)), '--key', key]);
    opened.push({ kill: () => second.child.kill('SIGKILL') });
    await second.line(/database system is ready/);
    await streamed();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const reopened = await openNode({ cluster, nodeId: 'peer', storage: await fileStorage(join(data, 'db')), log: () => {} });
    opened.push({ node: reopened });
    expect(await reopened.contentHash()).toBe(await primary.contentHash());
    expect((await reopened.query('select count(*)::int as n from t')).rows).toEqual([{ n: 101 }]);
  }, 60_000);

  it('refuses to start without a key, and with a data directory another live peer holds', async () => {
    expect(() => parsePeerArgs(['--cluster', 'c', '--data', 'd'], {})).toThrow(UsageError);
    expect(parsePeerArgs(['--cluster', 'c', '--data', 'd', '--postgres', 'postgres://x', '--publication', 'p', '--create-publication', 'a, b'], { WALRTC_KEY: 'k' })).toMatchObject({
      key: 'k',
      listen: { host: '127.0.0.1', port: 8787 },
      bridge: { postgres: 'postgres://x', publication: 'p', createPublication: ['a', 'b'] },
    });
    const data = join(root, 'held');
    const first = runPeer(['--cluster', 'c', '--key', 'k', '--data', data, '--port', '0', '--health-interval', '0']);
    opened.push({ kill: () => first.child.kill('SIGKILL') });
    await first.line(/database system is ready/);
    const second = runPeer(['--cluster', 'c', '--key', 'k', '--data', data, '--port', '0']);
    expect(await second.exited).toBe(1);
    expect(second.lines.join('\n')).toMatch(/FATAL: {2}lock file ".*LOCK" already exists: is another walrtc peer \(PID \d+\) running in data directory/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  }, 30_000);
});

describe('the peer as the cluster archive', () => {
  let c: TestCluster | undefined;
  let peer: Peer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
    await c?.closeAll();
    c = undefined;
  });

  it('a standby whose primary removed the WAL it needs restores it from the peer\'s archive over HTTP, then streams', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('p', { maxWalSize: 16 * 1024, walKeepSize: 0 });
    await p.node.exec('create table t(id int primary key, v text)');
    const dataDir = join(root, 'archive');
    const key = generateClusterKey();
    peer = await startPeer({ cluster: mc.name, key, dataDir, nodeId: 'peer', listen: { port: 0 }, role: 'standby', transport: mc.net.transport('peer'), healthIntervalMs: 0, logLine: () => {}, node: { keepaliveMs: 100 } });
    const storage = memoryStorage();
    const logs: string[] = [];
    let s = await mc.open('s', { role: 'standby', storage, primarySlotName: null, log: (_l, m) => void logs.push(m) });
    await caughtUp(p.node, s.node);
    await caughtUp(p.node, peer.node);
    await mc.close(s);
    // the peer streams through its slot, kept within max_slot_wal_keep_size (4 × 16 KiB here): a
    // catch-up that lags the commits by more has its slot invalidated and its WAL removed, as PostgreSQL's
    for (let i = 0; i < 300; i++) {
      await p.node.query('insert into t values ($1, $2)', [i, 'x'.repeat(200)]);
      if (i % 10 === 9) await caughtUp(p.node, peer.node);
    }
    await p.node.checkpoint();
    await caughtUp(p.node, peer.node);
    const end = lsnNumber((await p.node.status()).lsn.flush);
    const archive = peer.archive;
    await until('the peer to archive all of it', async () => ((await archive.read(1, end - 1, Infinity)).at(-1)?.end ?? 0) >= end);
    // the primary kept nothing for s: the WAL s needs exists only in the peer's archive, read over HTTP
    s = await mc.open('s', { role: 'standby', storage, primarySlotName: null, archive: peerArchive(peer.signalUrl!, { cluster: mc.name, key }), log: (_l, m) => void logs.push(m) });
    await caughtUp(p.node, s.node, 30_000);
    // the restore's last read (nothing more) ends it after the standby has replayed everything
    await until('the archive restore to finish', () => logs.some((l) => /restored WAL from the archive up to/.test(l)));
    expect(logs.some((l) => /taking a new base backup/.test(l))).toBe(false);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  }, 60_000);

  it('is a cascade point: a standby naming it as upstream streams through it, not from the primary', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('p');
    await p.node.exec('create table t(id int primary key)');
    peer = await startPeer({ cluster: mc.name, key: 'unused', dataDir: join(root, 'cascade'), nodeId: 'peer', listen: false, role: 'standby', transport: mc.net.transport('peer'), healthIntervalMs: 0, logLine: () => {}, node: { keepaliveMs: 100 } });
    const s = await mc.open('s', { role: 'standby', upstream: 'peer' });
    for (let i = 0; i < 20; i++) await p.node.query('insert into t values ($1)', [i]);
    await caughtUp(p.node, s.node);
    expect((await s.node.status()).receiver).toEqual({ status: 'streaming', upstream: 'peer' });
    expect((await peer.node.status()).replication.map((r) => r.applicationName)).toEqual(['s']);
    expect((await p.node.status()).replication.map((r) => r.applicationName)).toEqual(['peer']);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('the archive answers only requests signed with the cluster key', async () => {
    const key = generateClusterKey();
    peer = await startPeer({ cluster: 'signed', key, dataDir: join(root, 'signed'), listen: { port: 0 }, healthIntervalMs: 0, logLine: () => {} });
    const http = peer.signalUrl!.replace('ws:', 'http:');
    expect((await fetch(`${http}/walrtc-archive/1/0?max=10&t=${Date.now()}&mac=AAAA`)).status).toBe(403);
    await expect(peerArchive(peer.signalUrl!, { cluster: 'signed', key: generateClusterKey() }).read(1, 0, 1000)).rejects.toThrow(/answered 403: archive request not signed with the cluster key/);
    await expect(peerArchive(peer.signalUrl!, { cluster: 'signed', key }).read(1, 0, 1000)).resolves.toEqual([]);
    expect((await fetch(http)).status).toBe(426);
  });
});
