// Base backup over a real data channel against the raw channel, in one run: a primary holding N
// rows of the scale table (bench/scale-rows.ts), memory storage with its checkpoint chunks stored
// sealed as IndexedDB stores them (a backup sends the last checkpoint's chunks unchanged since as
// stored; CHECKPOINT=1, the default, checkpoints before each round), and a new standby joining over
// webrtcTransport (node-datachannel, ICE on 127.0.0.1, signaling relayed over IPC) from a child
// process (bench/backup-peer.ts), so its decoding does not run on the primary's event loop. Each
// round times, from the standby's openNode: peer connected, first backup chunk (the primary has
// sealed the snapshot by then), last chunk, and streaming (first WAL after the install); a loop of
// autocommit UPDATEs on the primary meanwhile gives the longest commit gap. Alternated with it, two
// raw simple-peers (the receiver in a child process too) carry the same byte count in messages of
// the transport's frame size (MAX_FRAME: 64 KiB in Node; RAW_MESSAGE=16384 for the earlier
// rounds' raw) with the transport's bufferedAmount thresholds (HIGH_WATER / LOW_WATER).
// Run: node --expose-gc --max-old-space-size=6144 --import tsx bench/backup.bench.ts
// SIZES=100000,1000000 (default), ROUNDS=3 (default), COMMITS=0 (no commit loop), CHECKPOINT=0 (no
// checkpoint between rounds: the commit loops of earlier rounds leave most chunks changed), VERBOSE=1 for
// timestamped logs, PROFILE=dir for CPU profiles of both sides from the standby's openNode to streaming.

import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type Peer from '@thaunknown/simple-peer/lite.js';
import { openNode, type Node } from '../packages/engine/src/index.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { webrtcTransport } from '../packages/transport/src/index.ts';
import { createPeer, destroyPeer, loopbackSignal } from '../packages/transport/src/rtc.ts';
// the raw channel gets the transport's own bufferedAmount budget
import { HIGH_WATER, LOW_WATER, MAX_FRAME } from '../packages/transport/src/connection.ts';
import { relaySignaling, type PeerCommand, type PeerJob, type PeerReport } from './backup-ipc.ts';
import { profile } from './profile.ts';
import { commitLoop, SCALE_SCHEMA, scaleInserts } from './scale-rows.ts';
import { bounded, log, median } from './stats.ts';

const SIZES = (process.env.SIZES ?? '100000,1000000').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** RAW_MESSAGE=n: the raw channel's message size (default: the frames the transport puts on a Node channel, MAX_FRAME). */
const RAW_MESSAGE = Number(process.env.RAW_MESSAGE ?? MAX_FRAME);
/** COMMITS=0 leaves the primary idle during the backup (no commit loop). */
const COMMITS = process.env.COMMITS !== '0';
/** CHECKPOINT=0: no checkpoint before each round (only the one after the load). */
const CHECKPOINT = process.env.CHECKPOINT !== '0';
const CLUSTER = `walrtc-backup-bench-${process.pid}`;

const mibps = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);
const fmt = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 0 });

// ── the far end, in a child process ──────────────────────────────────────────────

interface Far {
  send(c: PeerCommand): void;
  /** When the child next reports `t` (timed here, as it arrives), with the report. */
  next<T extends PeerReport['t']>(t: T): Promise<{ at: number; report: Extract<PeerReport, { t: T }> }>;
  onReport(fn: (r: PeerReport) => void): void;
  /** Wait for the child to report it closed everything, then let it go. */
  done(): Promise<void>;
}

/** bench/backup-peer.ts forked with this process's flags (tsx, conditions, heap size). */
function far(job: PeerJob): Far {
  const child = fork(fileURLToPath(new URL('./backup-peer.ts', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, (r: { at: number; report: PeerReport }) => void>();
  const listeners: ((r: PeerReport) => void)[] = [];
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    for (const w of waiting.values()) w({ at: 0, report: { t: 'failed', error: e.message } });
  };
  child.on('message', (r: PeerReport) => {
    const at = performance.now();
    if (r.t === 'failed') return fail(new Error(`child: ${r.error}`));
    for (const l of listeners) l(r);
    waiting.get(r.t)?.({ at, report: r });
  });
  child.on('error', fail);
  child.on('exit', (code, signal) => fail(new Error(`child exited (${signal ?? code})`)));
  const next = <T extends PeerReport['t']>(t: T) =>
    bounded(`the child's ${t}`, 600_000, async () => {
      if (failure) throw failure;
      const r = await new Promise<{ at: number; report: PeerReport }>((resolve) => waiting.set(t, resolve));
      waiting.delete(t);
      if (r.report.t === 'failed') throw new Error(r.report.error);
      return r as { at: number; report: Extract<PeerReport, { t: T }> };
    });
  const f: Far = {
    send: (c) => void child.send(c),
    next,
    onReport: (fn) => void listeners.push(fn),
    done: async () => {
      try {
        await next('closed');
      } finally {
        child.disconnect();
        // it exits once its transport is gone; never leave it running
        const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
        await bounded('the child to exit', 5_000, () => exited).catch(() => child.kill());
      }
    },
  };
  f.send({ t: 'job', job });
  return f;
}

// ── raw data channel ─────────────────────────────────────────────────────────────

/** ms to carry `bytes` to a raw simple-peer in a child process, in RAW_MESSAGE messages (after a 1 MiB warm-up). */
/** 'bufferedamountlow' events the raw sender waited for in vain (woken by its 50 ms fallback instead). */
let missed = 0;

async function rawSend(bytes: number): Promise<number> {
  const child = far({ kind: 'raw' });
  const a = createPeer(true, { iceServers: [], loopbackOnly: true });
  try {
    a.on('signal', (d) => { const s = loopbackSignal(d); if (s) child.send({ t: 'signal', data: s }); });
    child.onReport((r) => { if (r.t === 'signal') { const s = loopbackSignal(r.data); if (s) a.signal(s); } });
    await bounded('raw peers to connect', 10_000, () => new Promise<void>((r) => a.once('connect', r)));
    const channel = a._channel!;
    channel.bufferedAmountLowThreshold = LOW_WATER;
    // with the transport's fallback (connection.ts): node-datachannel now and then misses a 'bufferedamountlow'
    const drained = () =>
      new Promise<void>((r) => {
        const wake = () => (clearTimeout(poll), channel.removeEventListener('bufferedamountlow', wake), r());
        const poll = setTimeout(() => (missed++, wake()), 50);
        channel.addEventListener('bufferedamountlow', wake);
      });
    let sent = 0;
    const send = async (total: number) => {
      const received = child.next('received');
      child.send({ t: 'expect', bytes: sent + total });
      const msg = new Uint8Array(RAW_MESSAGE);
      const t0 = performance.now();
      for (let off = 0; off < total; off += RAW_MESSAGE) {
        const n = Math.min(RAW_MESSAGE, total - off);
        while (channel.bufferedAmount > 0 && channel.bufferedAmount + n > HIGH_WATER) await drained();
        a.send(n === RAW_MESSAGE ? msg : msg.subarray(0, n));
      }
      sent += total;
      return (await received).at - t0;
    };
    await send(1024 * 1024);
    return await send(bytes);
  } finally {
    // either end's close aborts the other's channel: an error then is the teardown, not the measure
    a.on('error', () => {});
    destroyPeer(a as Peer);
    child.send({ t: 'close' });
    await child.done();
  }
}

// ── base backup ──────────────────────────────────────────────────────────────────

interface BackupRound {
  bytes: number;
  connectMs: number;
  firstChunkMs: number;
  lastChunkMs: number;
  streamingMs: number;
  longestGap: number;
  commits: number;
  /** Event-loop utilization of each side during the transfer (first chunk to last). */
  primaryBusy: number;
  standbyBusy: number;
  /** Chunks sent as the last checkpoint stored them, of all. */
  stored: number;
  chunks: number;
}

/** The primary's report of each backup it sent: chunks sent as stored, of all. */
const sentReports: [number, number][] = [];

let standbys = 0;
/** The child standby of the current round: the primary's signaling goes to it. */
let current: Far | undefined;
const toPrimary = new Set<(text: string) => void>();

async function backupRound(primary: Node, rows: number): Promise<BackupRound> {
  const child = far({ kind: 'standby', cluster: CLUSTER, nodeId: `standby${++standbys}`, verbose: !!process.env.VERBOSE });
  current = child;
  child.onReport((r) => { if (r.t === 'envelope') for (const f of toPrimary) f(r.text); });
  // the child's start (loading the engine) is not the join: time from its openNode
  const opening = child.next('opening');
  let loop: ReturnType<typeof commitLoop> | undefined;
  try {
    const t0 = (await opening).at;
    const stopProfile = await profile(`primary-${rows}-${standbys}`);
    loop = COMMITS ? commitLoop(primary, rows) : undefined;
    const [connected, first, last, streaming] = [child.next('connected'), child.next('first-chunk'), child.next('last-chunk'), child.next('streaming')];
    // the primary's event-loop utilization over the transfer, as the standby's reports of it arrive
    const primaryBusy = first.then(() => performance.eventLoopUtilization()).then(async (start) => (await last, performance.eventLoopUtilization(start).utilization));
    const { report: r } = await child.next('backup');
    const { longestGap, commits } = (await loop?.stop()) ?? { longestGap: 0, commits: 0 };
    await stopProfile();
    if (r.status !== 'streaming') throw new Error(`standby is ${r.status}, not streaming`);
    if (r.rows !== rows) throw new Error(`standby holds ${r.rows} rows, expected ${rows}`);
    const ms = async (p: Promise<{ at: number }>) => (await p).at - t0;
    const [stored, chunks] = sentReports.at(-1) ?? [0, 0];
    return { bytes: r.bytes, connectMs: await ms(connected), firstChunkMs: await ms(first), lastChunkMs: await ms(last), streamingMs: await ms(streaming), longestGap, commits, primaryBusy: await primaryBusy, standbyBusy: r.transferBusy, stored, chunks };
  } finally {
    await loop?.stop();
    await child.done();
    current = undefined;
  }
}

/** The primary, in this thread; its signaling reaches the current round's standby. */
async function openPrimary(): Promise<{ node: Node; close(): Promise<void> }> {
  const signaling = relaySignaling(
    (text) => current?.send({ t: 'envelope', text }),
    (fn) => void toPrimary.add(fn),
  );
  const transport = webrtcTransport({ cluster: CLUSTER, nodeId: 'primary', key: 'bench cluster key', signaling, loopbackOnly: true, log: (m) => log(`transport: ${m}`) });
  const node = await openNode({
    cluster: CLUSTER,
    nodeId: 'primary',
    storage: memoryStorage({ deferChunks: false }),
    transport,
    log: (_l, m) => {
      const sent = /sent: (\d+) of (\d+) chunks/.exec(m);
      if (sent) sentReports.push([Number(sent[1]), Number(sent[2])]);
      log(`primary: ${m}`);
    },
  });
  return { node, close: async () => ((await node.close().catch(() => {})), await transport.close(), toPrimary.clear()) };
}

// ── run ──────────────────────────────────────────────────────────────────────────

const lines: string[] = [];
for (const rows of SIZES) {
  const p = await openPrimary();
  try {
    for (const sql of SCALE_SCHEMA) await p.node.exec(sql);
    for (const sql of scaleInserts(rows)) await p.node.exec(sql);
    await p.node.checkpoint();
    log(`primary holds ${rows} rows`);
    const backups: BackupRound[] = [];
    const raws: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // alternate which runs first (the backup in round 1: its size is the raw byte count), so neither always meets a warmer or busier machine
      const backup = async () => {
        // not timed: the last checkpoint before the backup, whose chunks it sends as stored
        if (CHECKPOINT) await p.node.checkpoint();
        backups.push(await backupRound(p.node, rows));
      };
      const raw = async () => void raws.push(await rawSend(backups[0]!.bytes));
      if (round % 2 === 0) await backup().then(raw);
      else await raw().then(backup);
      const b = backups.at(-1)!;
      log(`round ${round + 1}: backup ${b.bytes} B, ${b.stored} of ${b.chunks} chunks as stored, ${b.connectMs.toFixed(0)} / ${b.firstChunkMs.toFixed(0)} / ${b.lastChunkMs.toFixed(0)} / ${b.streamingMs.toFixed(0)} ms, gap ${b.longestGap.toFixed(1)} ms, busy ${b.primaryBusy.toFixed(2)} / ${b.standbyBusy.toFixed(2)}; raw ${raws.at(-1)!.toFixed(0)} ms, raw drain events missed ${missed}`);
    }
    const bytes = backups[0]!.bytes;
    const m = (f: (r: BackupRound) => number) => median(backups.map(f));
    // each round's backup against the raw send next to it, then the median of those ratios
    const ratio = (f: (r: BackupRound) => number) => `${(median(backups.map((r, i) => raws[i]! / f(r))) * 100).toFixed(0)} %`;
    const raw = median(raws);
    const whole = m((r) => r.streamingMs);
    lines.push(
      `| ${fmt(rows)} | ${(bytes / 1024 / 1024).toFixed(1)} MiB | ${fmt(raw)} ms (${mibps(bytes, raw).toFixed(1)} MiB/s) | ` +
        `${fmt(whole)} ms (${mibps(bytes, whole).toFixed(1)} MiB/s) | ${ratio((r) => r.streamingMs)} | ${ratio((r) => r.streamingMs - r.connectMs)} | ` +
        `${fmt(m((r) => r.connectMs))} / ${fmt(m((r) => r.firstChunkMs - r.connectMs))} / ${fmt(m((r) => r.lastChunkMs - r.firstChunkMs))} / ${fmt(m((r) => r.streamingMs - r.lastChunkMs))} ms | ` +
        `${ratio((r) => r.lastChunkMs - r.firstChunkMs)} | ${m((r) => r.primaryBusy).toFixed(2)} / ${m((r) => r.standbyBusy).toFixed(2)} | ${m((r) => r.longestGap).toFixed(1)} ms (${fmt(m((r) => r.commits))}) | ` +
        `${backups.map((r) => `${r.stored}/${r.chunks}`).join(', ')} |`,
    );
  } finally {
    await p.close();
  }
}

console.log(`
Base backup over webrtcTransport vs the raw data channel (node-datachannel, 127.0.0.1), memory
storage, medians of ${ROUNDS} round(s) (ratios: the median of each round's raw / backup), raw and backup
alternated, ${COMMITS ? 'a commit loop on the primary during each backup' : 'no commits during the backups (COMMITS=0)'}, ${CHECKPOINT ? 'a checkpoint before each backup' : 'no checkpoint between rounds (CHECKPOINT=0)'}, Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}

| rows | backup bytes | raw channel, same bytes in ${RAW_MESSAGE / 1024} KiB messages | join → streaming | backup / raw | backup / raw from connect | connect / seal+request / transfer / install+start | transfer / raw | busy during transfer: primary / standby | longest commit gap (commits) | chunks sent as stored, per round |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${lines.join('\n')}`);
