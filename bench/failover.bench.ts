// Failover and synchronous-commit benchmark, in Node, loopback only.
// Run: node --expose-gc --conditions=walrtc-source --import tsx bench/failover.bench.ts   (part of `npm run bench`)
// RUNS=n failover runs per kind (default 20); COMMITS=n commits per synchronousCommit level
// (default 2000, after 200 warm-up); ONLY=closed,silent,memory,commit runs a subset; VERBOSE=1 logs.
//
//  - failover: three nodes `role: 'auto'` with default settings (failoverTimeout 1000 ms,
//    keepalive 250 ms; webrtcTransport defaults: heartbeat 1000 ms, peer timeout 5000 ms), opened
//    one after another on a fresh BroadcastChannel room (a fresh cluster per run). Once there is
//    one primary and both standbys are 'streaming', the primary is "killed"; the time is from the
//    kill until a surviving node's `query('insert …')` succeeds. Every survivor is tried every
//    10 ms (an attempt that hangs does not hold up the others). Kinds:
//      closed — the primary's transport is closed (`transport.close()`: goodbye, survivors see
//               peer-left at once; the node itself is not closed and gets no chance to hand over):
//               a closed tab or a process that exits.
//      silent — the primary's transport is wrapped and goes silent: nothing is sent or delivered
//               any more, no goodbye; the WebRTC connections (and their heartbeats) stay up, so
//               the survivors learn of it only from the silence: a device that vanished.
//      memory — in-process `memoryNetwork().kill(id)` (not WebRTC): the killed node goes silent
//               and the network reports peer-left to the survivors at once.
//    After the write, the third node must follow the new primary (replay its insert) within 10 s.
//  - commit latency: a primary and one standby with synchronousStandbyNames 'FIRST 1 (s1)', and
//    a primary and two standbys with 'ANY 1 (s1, s2)' (explicit roles, memory storage), a fresh
//    cluster per synchronousCommit level; single-row autocommit INSERTs with $n parameters, one
//    at a time; p50/p99 of `await primary.query(…)`. Next to it, in the same run: the round trip
//    of a 128-byte message on a raw data channel (two simple-peers) and over webrtcTransport.

import { setTimeout as sleep } from 'node:timers/promises';
import Peer from '@thaunknown/simple-peer/lite.js';
import { openNode, type Node, type NodeOptions } from '@walrtc/engine';
import { broadcastSignaling, memoryNetwork, webrtcTransport, type Transport, type TransportEvent, type TransportEvents } from '@walrtc/transport';
import { createPeer, destroyPeer, loopbackSignal } from '../packages/transport/src/rtc.ts';
import { pct, median, lsnNumber, log, bounded } from './stats.ts';

type SynchronousCommit = NonNullable<NodeOptions['synchronousCommit']>;

const RUNS = Number(process.env.RUNS ?? 20);
const COMMITS = Number(process.env.COMMITS ?? 2000);
const WARMUP = 200;
const PINGS = Number(process.env.PINGS ?? 2000);
const PING_BYTES = 128;
const ONLY = new Set((process.env.ONLY ?? 'closed,silent,memory,commit').split(','));
const LEVELS: SynchronousCommit[] = ['off', 'local', 'remote_write', 'on', 'remote_apply'];
const TARGET_MS = 1500;

const ms0 = (n: number) => `${Math.round(n).toLocaleString('en')} ms`;
const ms3 = (n: number) => `${n.toFixed(3)} ms`;
const gc = () => (globalThis as { gc?: () => void }).gc?.();


/** Poll `check` every `every` ms until it returns a truthy value; fail after `ms`. */
async function until<T>(what: string, ms: number, check: () => T | Promise<T>, every = 10): Promise<NonNullable<T>> {
  const end = performance.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      // a check that hangs (a node that never answers) must not outlast the bound either
      const v = await bounded(`a check of ${what}`, Math.max(1, end - performance.now()) + 100, async () => check());
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(every);
  }
}

// ── a device that vanishes ───────────────────────────────────────────────────────

/** How long webrtcTransport takes by default to report a silent peer as left (peerTimeoutMs). */
const PEER_TIMEOUT_MS = 5000;

/**
 * The network between the wrapped transports of one cluster. `vanish(id)`: from then on nothing
 * `id` sends arrives and nothing sent to it is delivered, and nobody is told; PEER_TIMEOUT_MS
 * later every survivor's transport reports `peer-left` for it, as webrtcTransport's heartbeat
 * check would (which takes 5–6 s: it looks once per 1 s heartbeat). The WebRTC connections
 * themselves stay up, so nothing else gives the loss away.
 */
class Vanishing {
  readonly gone = new Set<string>();
  readonly members = new Set<Vanishable>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  vanish(id: string): void {
    this.gone.add(id);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      for (const m of this.members) if (m.nodeId !== id) m.peerTimedOut(id);
    }, PEER_TIMEOUT_MS);
    this.#timers.add(timer);
  }

  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

class Vanishable implements Transport {
  readonly nodeId: string;
  readonly #left = new Set<string>();
  readonly #listeners = new Map<TransportEvent, Map<unknown, (...args: never[]) => void>>();

  constructor(readonly inner: Transport, readonly net: Vanishing) {
    this.nodeId = inner.nodeId;
    net.members.add(this);
  }

  get #dead(): boolean {
    return this.net.gone.has(this.nodeId);
  }

  /** Traffic between this node and `peer` no longer flows. */
  #cut(peer: string): boolean {
    return this.#dead || this.net.gone.has(peer);
  }

  peerTimedOut(id: string): void {
    if (this.#dead || this.#left.has(id)) return;
    this.#left.add(id);
    // the listeners as given (their wrappers drop everything about a vanished node)
    for (const fn of this.#listeners.get('peer-left')?.keys() ?? []) (fn as TransportEvents['peer-left'])(id, `no heartbeat from ${id} for ${PEER_TIMEOUT_MS} ms`);
  }

  peers(): string[] {
    return this.inner.peers().filter((id) => !this.#left.has(id));
  }

  on<E extends TransportEvent>(event: E, fn: TransportEvents[E]): () => void {
    const wrapped = ((id: string, arg: never) => {
      if (this.#cut(id) || this.#left.has(id)) return;
      (fn as (id: string, arg: never) => void)(id, arg);
    }) as TransportEvents[E];
    let map = this.#listeners.get(event);
    if (!map) this.#listeners.set(event, (map = new Map()));
    map.set(fn, wrapped as (...args: never[]) => void);
    this.inner.on(event, wrapped);
    return () => this.off(event, fn);
  }

  off<E extends TransportEvent>(event: E, fn: TransportEvents[E]): void {
    const map = this.#listeners.get(event);
    const wrapped = map?.get(fn) as TransportEvents[E] | undefined;
    if (!wrapped) return;
    map!.delete(fn);
    this.inner.off(event, wrapped);
  }

  async send(to: string, msg: Uint8Array): Promise<void> {
    if (this.#cut(to)) return; // handed to a network that no longer carries it
    return this.inner.send(to, msg);
  }

  close(): Promise<void> {
    this.net.members.delete(this);
    return this.inner.close();
  }
}

// ── clusters ─────────────────────────────────────────────────────────────────────

let rooms = 0;

interface Member {
  node: Node;
  transport: Transport;
  logs: { at: number; message: string }[];
}

type Kind = 'closed' | 'silent' | 'memory';

function benchCluster(kind: Kind | 'commit') {
  const name = `walrtc-failover-bench-${process.pid}-${++rooms}`;
  const net = kind === 'memory' ? memoryNetwork({ log: () => {} }) : undefined;
  const vanishing = kind === 'silent' ? new Vanishing() : undefined;
  const live: Member[] = [];
  let closeTimeouts = 0;
  return {
    net,
    vanishing,
    members: live,
    get closeTimeouts() { return closeTimeouts; },
    async open(nodeId: string, options: Partial<NodeOptions> = {}): Promise<Member> {
      const logs: Member['logs'] = [];
      const base: Transport = net
        ? net.transport(nodeId)
        : webrtcTransport({ cluster: name, nodeId, key: 'bench cluster key', signaling: broadcastSignaling(name), loopbackOnly: true, log: (m) => log(`${nodeId} transport: ${m}`) });
      const transport = vanishing ? new Vanishable(base, vanishing) : base;
      log(`${nodeId}: openNode`);
      const node = await bounded(`openNode ${nodeId}`, 20_000, () => openNode({
        cluster: name,
        nodeId,
        storage: 'memory',
        transport,
        log: (_level, message) => { logs.push({ at: performance.now(), message }); log(`${nodeId}: ${message}`); },
        ...options,
      })).catch(async (e: unknown) => {
        log(`${nodeId}: openNode failed (${String(e)}); closing its transport`);
        await bounded(`close transport of ${nodeId}`, 5000, () => transport.close()).catch(() => {});
        throw e;
      });
      const m: Member = { node, transport, logs };
      live.push(m);
      return m;
    },
    /** Close every node and transport, standbys first, each bounded. */
    async closeAll(): Promise<void> {
      vanishing?.stop();
      const all = live.splice(0);
      const close = async (m: Member) => {
        try {
          await bounded(`close ${m.node.nodeId}`, 5000, () => m.node.close());
        } catch (e) {
          closeTimeouts++;
          console.error(`warning: ${(e as Error).message}`);
        }
        await bounded(`close transport of ${m.node.nodeId}`, 5000, () => m.transport.close()).catch((e: Error) => {
          closeTimeouts++;
          console.error(`warning: ${e.message}`);
        });
      };
      const roles = await Promise.all(all.map(async (m) => (await bounded('status', 2000, () => m.node.status()).catch(() => undefined))?.role));
      await Promise.all(all.filter((_, i) => roles[i] !== 'primary').map(close));
      await Promise.all(all.filter((_, i) => roles[i] === 'primary').map(close));
    },
  };
}

// ── failover ─────────────────────────────────────────────────────────────────────

interface FailoverRun {
  ms: number;
  /** From the kill to the first survivor standing for election. */
  standMs: number | undefined;
  /** From the kill to the first "elected primary" log. */
  electedMs: number | undefined;
  /** Candidacies started by survivors after the kill (1 = uncontested). */
  candidacies: number;
  /** From the kill until the third node has replayed the new primary's write; undefined: not within 10 s. */
  followedMs: number | undefined;
}

async function primaryOf(members: Member[], ms: number): Promise<Member> {
  return until('exactly one primary', ms, async () => {
    const roles = await Promise.all(members.map(async (m) => (await m.node.status()).role));
    const primaries = members.filter((_, i) => roles[i] === 'primary');
    return primaries.length === 1 ? primaries[0] : undefined;
  });
}

/** The first survivor whose INSERT succeeds; every survivor is tried every 10 ms. */
function firstWrite(survivors: Member[], t0: number, ms: number): Promise<{ at: number; by: Member }> {
  return new Promise((resolve, reject) => {
    const inFlight = new Set<Member>();
    let done = false;
    let k = 0;
    const tick = () => {
      if (done) return;
      if (performance.now() - t0 > ms) {
        done = true;
        clearInterval(timer);
        return reject(new Error(`no survivor accepted a write within ${ms} ms`));
      }
      for (const m of survivors) {
        if (inFlight.has(m)) continue;
        inFlight.add(m);
        m.node.query('insert into t values ($1, $2)', [1_000_000 + ++k, 'after failover']).then(
          () => {
            const at = performance.now();
            if (done) return;
            done = true;
            clearInterval(timer);
            resolve({ at, by: m });
          },
          () => {},
        ).finally(() => inFlight.delete(m));
      }
    };
    const timer = setInterval(tick, 10);
    tick();
  });
}

async function failoverRun(kind: Kind): Promise<FailoverRun> {
  const c = benchCluster(kind);
  try {
    // default settings: no failoverTimeout / keepaliveMs given
    const members: Member[] = [];
    for (const id of ['n1', 'n2', 'n3']) members.push(await c.open(id, { role: 'auto' }));
    const primary = await primaryOf(members, 20_000);
    await bounded('create table', 10_000, () => primary.node.exec(`create table t(id int primary key, v text); insert into t values (1, 'before failover')`));
    await until('both standbys streaming', 20_000, async () => (await primary.node.status()).replication.filter((s) => s.state === 'streaming').length === 2);
    const target = lsnNumber((await primary.node.status()).lsn.flush);
    const survivors = members.filter((m) => m !== primary);
    for (const s of survivors) await until(`${s.node.nodeId} to replay the table`, 10_000, async () => lsnNumber((await s.node.status()).lsn.replay) >= target);
    // let the keepalive phase fall where it may, as it would for a real failure
    await sleep(Math.random() * 250);
    // at bootstrap a second election can still be under way: kill only a settled primary
    const settled = await Promise.all(members.map((m) => m.node.status()));
    const tl = settled.find((x) => x.nodeId === primary.node.nodeId)!.timeline;
    if (settled.some((x) => (x.role === 'primary') !== (x.nodeId === primary.node.nodeId) || x.timeline !== tl)) {
      throw new Error(`the cluster had not settled: ${settled.map((x) => `${x.nodeId} ${x.role} tl ${x.timeline}`).join(', ')}`);
    }

    const t0 = performance.now();
    if (kind === 'closed') void primary.transport.close();
    else if (kind === 'silent') c.vanishing!.vanish(primary.node.nodeId);
    else c.net!.kill(primary.node.nodeId);
    const { at, by } = await firstWrite(survivors, t0, 15_000);

    const after = survivors.flatMap((m) => m.logs).filter((l) => l.at >= t0);
    const stands = after.filter((l) => l.message.includes('standing for election')).sort((a, b) => a.at - b.at);
    const elected = after.filter((l) => l.message.startsWith('elected primary')).sort((a, b) => a.at - b.at);
    const third = survivors.find((m) => m !== by)!;
    const followedMs = await until('the third node to follow the new primary', 10_000, async () => {
      const [p, s] = await Promise.all([by.node.status(), third.node.status()]);
      return s.role === 'standby' && s.timeline === p.timeline && lsnNumber(s.lsn.replay) >= lsnNumber(p.lsn.flush) && (await third.node.query<{ n: number }>('select count(*)::int as n from t')).rows[0]!.n >= 2;
    }).then(() => performance.now() - t0, () => undefined);
    return { ms: at - t0, standMs: stands[0] && stands[0].at - t0, electedMs: elected[0] && elected[0].at - t0, candidacies: stands.length, followedMs };
  } catch (e) {
    // say where each node stands and what it logged, so a failed run can be read
    const lines = await Promise.all(c.members.map(async (m) => {
      const s = await bounded('status', 2000, () => m.node.status()).then((x) => `${x.role} tl ${x.timeline} flush ${x.lsn.flush} replay ${x.lsn.replay} receiver ${JSON.stringify(x.receiver)} peers ${m.transport.peers().join(',')}`, (err: Error) => err.message);
      return `  ${m.node.nodeId}: ${s}\n${m.logs.slice(-12).map((l) => `    ${l.at.toFixed(0)} ${l.message}`).join('\n')}`;
    }));
    throw new Error(`${(e as Error).message}\n${lines.join('\n')}`);
  } finally {
    await c.closeAll();
  }
}

// ── round trips ──────────────────────────────────────────────────────────────────

async function rawRoundTrips(n: number, attempt = 1): Promise<number[]> {
  const rtc = { iceServers: [], loopbackOnly: true };
  const a = createPeer(true, rtc);
  const b = createPeer(false, rtc);
  let failed: (e: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => (failed = reject));
  failure.catch(() => {});
  for (const p of [a, b]) p.on('error', (e: Error) => failed(e));
  try {
    a.on('signal', (d) => { const s = loopbackSignal(d); if (s) b.signal(s); });
    b.on('signal', (d) => { const s = loopbackSignal(d); if (s) a.signal(s); });
    await bounded('raw peers to connect', 10_000, () => Promise.race([failure, Promise.all([new Promise<void>((r) => a.once('connect', r)), new Promise<void>((r) => b.once('connect', r))])]));
    b.on('data', (d: Uint8Array) => b.send(d));
    let onPong: () => void = () => {};
    a.on('data', () => onPong());
    const msg = new Uint8Array(PING_BYTES);
    const rtts: number[] = [];
    await bounded('raw pings', 60_000, () => Promise.race([failure, (async () => {
      for (let i = 0; i < WARMUP + n; i++) {
        const t0 = performance.now();
        await new Promise<void>((r) => { onPong = r; a.send(msg); });
        if (i >= WARMUP) rtts.push(performance.now() - t0);
      }
    })()]));
    return rtts;
  } catch (e) {
    if (attempt >= 3) throw e;
    console.error(`warning: raw data channel attempt ${attempt} failed (${(e as Error).message}); retrying`);
    return rawRoundTrips(n, attempt + 1);
  } finally {
    for (const p of [a, b] as Peer[]) destroyPeer(p);
    await sleep(20);
  }
}

async function transportRoundTrips(n: number): Promise<number[]> {
  const room = `walrtc-failover-bench-rtt-${process.pid}-${++rooms}`;
  const make = (nodeId: string) => webrtcTransport({ cluster: room, nodeId, key: 'bench cluster key', signaling: broadcastSignaling(room), loopbackOnly: true, log: (m) => log(`${nodeId} transport: ${m}`) });
  const a = make('a');
  const b = make('b');
  try {
    await until('transports to connect', 15_000, () => a.peers().includes('b') && b.peers().includes('a'));
    b.on('message', (from, m) => void b.send(from, m).catch(() => {}));
    let onPong: () => void = () => {};
    a.on('message', () => onPong());
    const msg = new Uint8Array(PING_BYTES);
    const rtts: number[] = [];
    await bounded('transport pings', 60_000, async () => {
      for (let i = 0; i < WARMUP + n; i++) {
        const t0 = performance.now();
        await new Promise<void>((r) => { onPong = r; void a.send('b', msg); });
        if (i >= WARMUP) rtts.push(performance.now() - t0);
      }
    });
    return rtts;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

// ── commit latency ───────────────────────────────────────────────────────────────

interface SyncSetup { label: string; standbys: string[]; names: string }

const SETUPS: SyncSetup[] = [
  { label: "1 standby, 'FIRST 1 (s1)'", standbys: ['s1'], names: 'FIRST 1 (s1)' },
  { label: "2 standbys, 'ANY 1 (s1, s2)'", standbys: ['s1', 's2'], names: 'ANY 1 (s1, s2)' },
];

async function commitLatency(setup: SyncSetup, level: SynchronousCommit, n: number): Promise<number[]> {
  const c = benchCluster('commit');
  log(`commit latency: ${setup.names}, ${level}`);
  try {
    const p = await c.open('p', { role: 'primary', synchronousCommit: level, synchronousStandbyNames: setup.names });
    // standbys first: with a synchronous level even CREATE TABLE waits for them, as in PostgreSQL
    for (const id of setup.standbys) await c.open(id, { role: 'standby' });
    await until('synchronous standbys streaming', 20_000, async () => {
      const r = (await p.node.status()).replication;
      return setup.standbys.every((id) => r.some((s) => s.applicationName === id && s.state === 'streaming' && (s.syncState === 'sync' || s.syncState === 'quorum')));
    });
    await bounded('create table', 10_000, () => p.node.query('create table t (id int primary key, name text, n int)'));
    log(`standbys streaming; committing`);
    const times: number[] = [];
    await bounded(`${n} commits at ${level}`, 120_000, async () => {
      for (let i = 0; i < WARMUP + n; i++) {
        const t0 = performance.now();
        await p.node.query('insert into t values ($1, $2, $3)', [i, 'x'.repeat(40), i]);
        if (i >= WARMUP) times.push(performance.now() - t0);
      }
    });
    log(`committed; closing`);
    return times;
  } finally {
    await c.closeAll();
    log(`closed`);
  }
}

// ── run ──────────────────────────────────────────────────────────────────────────

const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'closed', label: 'WebRTC, primary transport closed (goodbye: closed tab / process exit)' },
  { kind: 'silent', label: 'WebRTC, primary silent (no goodbye: vanished device)' },
  { kind: 'memory', label: 'in-process memoryNetwork().kill() (peer-left at once; not WebRTC)' },
];

const failoverRows: string[] = [];
const failoverNotes: string[] = [];
for (const { kind, label } of KINDS) {
  if (!ONLY.has(kind)) continue;
  const runs: FailoverRun[] = [];
  let failed = 0;
  for (let i = 0; i < RUNS; i++) {
    try {
      const r = await failoverRun(kind);
      runs.push(r);
      log(`${kind} run ${i + 1}: ${r.ms.toFixed(0)} ms (stand ${r.standMs?.toFixed(0)}, elected ${r.electedMs?.toFixed(0)}, candidacies ${r.candidacies}, followed ${r.followedMs?.toFixed(0)})`);
    } catch (e) {
      failed++;
      console.error(`warning: ${kind} run ${i + 1} failed: ${(e as Error).message}`);
    }
    gc();
  }
  if (!runs.length) {
    failoverRows.push(`| ${label} | 0 / ${RUNS} | — | — | — | — | — | — |`);
    continue;
  }
  const ms = runs.map((r) => r.ms);
  const stand = runs.flatMap((r) => (r.standMs === undefined ? [] : [r.standMs]));
  const elected = runs.flatMap((r) => (r.electedMs === undefined ? [] : [r.electedMs]));
  const followed = runs.flatMap((r) => (r.followedMs === undefined ? [] : [r.followedMs]));
  const med = median(ms);
  failoverRows.push(
    `| ${label} | ${runs.length} / ${RUNS} | **${ms0(med)}** | ${ms0(pct(ms, 90))} | ${ms0(Math.min(...ms))} / ${ms0(Math.max(...ms))} | ${stand.length ? ms0(median(stand)) : '—'} / ${elected.length ? ms0(median(elected)) : '—'} | ${followed.length} / ${runs.length}${followed.length ? `, ${ms0(median(followed))}` : ''} | ${med <= TARGET_MS ? '✓' : '✗'} |`,
  );
  const contested = runs.filter((r) => r.candidacies > 1).length;
  if (contested) failoverNotes.push(`${kind}: ${contested} of ${runs.length} runs had more than one candidacy before the write succeeded`);
  if (failed) failoverNotes.push(`${kind}: ${failed} run(s) failed (see warnings above)`);
}

const commitRows: string[] = [];
if (ONLY.has('commit')) {
  const raw = [...(await rawRoundTrips(PINGS / 2))];
  const viaTransport = [...(await transportRoundTrips(PINGS / 2))];
  const results = new Map<string, number[]>();
  for (const level of LEVELS) {
    for (const setup of SETUPS) {
      results.set(`${setup.names}|${level}`, await commitLatency(setup, level, COMMITS));
      gc();
    }
  }
  // the raw channels again, after the clusters: the same machine state on both sides of the run
  raw.push(...(await rawRoundTrips(PINGS / 2)));
  viaTransport.push(...(await transportRoundTrips(PINGS / 2)));
  const both = (xs: number[]) => `${ms3(pct(xs, 50))} / ${ms3(pct(xs, 99))}`;
  for (const level of LEVELS) commitRows.push(`| commit, synchronousCommit '${level}' | ${SETUPS.map((s) => both(results.get(`${s.names}|${level}`)!)).join(' | ')} |`);
  commitRows.push(`| raw data channel round trip, ${PING_BYTES} B (two simple-peers) | ${both(raw)} | (same) |`);
  commitRows.push(`| webrtcTransport round trip, ${PING_BYTES} B | ${both(viaTransport)} | (same) |`);
}

if (failoverRows.length) {
  console.log(`
Failover: 3 nodes role 'auto', default settings (failoverTimeout 1000 ms, keepalive 250 ms), memory
storage; primary killed → a survivor's INSERT succeeds; ${RUNS} runs per kind, fresh cluster each; Node ${process.version}

| kill | runs ok | median | p90 | min / max | kill → first candidacy / elected (medians) | third node followed within 10 s, kill → replayed (median) | median ≤ ${TARGET_MS / 1000} s |
|---|---:|---:|---:|---:|---:|---:|:---:|
${failoverRows.join('\n')}`);
  for (const n of failoverNotes) console.log(`- ${n}`);
}
if (commitRows.length) {
  console.log(`
Commit latency over WebRTC (node-datachannel, 127.0.0.1), memory storage, single-row autocommit
INSERT, ${COMMITS} commits per level after ${WARMUP} warm-up, fresh cluster per cell; p50 / p99; Node ${process.version}

| measure | ${SETUPS.map((s) => s.label).join(' | ')} |
|---|${SETUPS.map(() => '---:').join('|')}|
${commitRows.join('\n')}`);
}
