// The far end of bench/backup.bench.ts, in a child process (its own event loop and CPU time, as a
// standby on another machine would have; node-datachannel cannot run in worker threads): either a
// standby that joins the cluster and takes a base backup, or the receiving side of a raw
// simple-peer pair. Signaling travels over the IPC channel to the parent. The parent times each
// report as it arrives, so no two clocks are compared.

import { performance } from 'node:perf_hooks';
import type Peer from '@thaunknown/simple-peer/lite.js';
import { openNode } from '../packages/engine/src/index.ts';
import { webrtcTransport } from '../packages/transport/src/index.ts';
import { createPeer, destroyPeer } from '../packages/transport/src/rtc.ts';
import { profile } from './profile.ts';
import { relaySignaling, type PeerCommand, type PeerJob, type PeerReport } from './backup-ipc.ts';

const post = (r: PeerReport) => process.send!(r);
const commands = new Set<(c: PeerCommand) => void>();
process.on('message', (c: PeerCommand) => {
  for (const f of commands) f(c);
});

async function standby(j: Extract<PeerJob, { kind: 'standby' }>): Promise<void> {
  const log = (m: string) => void (j.verbose && console.error(`${performance.now().toFixed(1)} ${j.nodeId}: ${m}`));
  const signaling = relaySignaling(
    (text) => post({ t: 'envelope', text }),
    (fn) => commands.add((c) => c.t === 'envelope' && fn(c.text)),
  );
  const transport = webrtcTransport({ cluster: j.cluster, nodeId: j.nodeId, key: 'bench cluster key', signaling, loopbackOnly: true });
  transport.on('peer', () => post({ t: 'connected' }));
  let firstChunk = false;
  let lastChunk = false;
  let bytes = 0;
  let streamed = false;
  let elu = performance.eventLoopUtilization();
  let streaming!: () => void;
  const streamingAt = new Promise<void>((r) => (streaming = r));
  const stopProfile = await profile(`standby-${j.nodeId}`);
  post({ t: 'opening' });
  const node = await openNode({
    cluster: j.cluster,
    nodeId: j.nodeId,
    storage: 'memory',
    role: 'standby',
    transport,
    log: (_l, m) => log(m),
    onProgress: (p) => {
      if (p.phase === 'backup') {
        if (!firstChunk && p.done > 0) ((firstChunk = true), (elu = performance.eventLoopUtilization()), post({ t: 'first-chunk' }));
        if (p.done > 0 && p.done === p.total) ((lastChunk = true), (bytes = p.total), (elu = performance.eventLoopUtilization(elu)), post({ t: 'last-chunk' }));
      } else if (lastChunk && !streamed) ((streamed = true), post({ t: 'streaming' }), streaming());
    },
  });
  try {
    await streamingAt;
    await stopProfile();
    const status = (await node.status()).receiver?.status ?? 'none';
    const rows = Number((await node.query<{ n: number }>('select count(*) as n from t')).rows[0]!.n);
    post({ t: 'backup', bytes, rows, status, transferBusy: elu.utilization });
  } finally {
    await node.close().catch(() => {});
    await transport.close();
  }
}

async function raw(): Promise<void> {
  const peer: Peer = createPeer(false, { iceServers: [], loopbackOnly: true });
  let got = 0;
  let expected = Infinity;
  let closing!: () => void;
  const closed = new Promise<void>((r) => (closing = r));
  peer.on('signal', (data) => post({ t: 'signal', data }));
  peer.on('data', (d: Uint8Array) => {
    const before = got;
    got += d.byteLength;
    if (before < expected && got >= expected) post({ t: 'received' });
  });
  commands.add((c) => {
    if (c.t === 'signal') peer.signal(c.data);
    else if (c.t === 'expect') {
      expected = c.bytes;
      if (got >= expected) post({ t: 'received' });
    } else if (c.t === 'close') closing();
  });
  await closed;
  peer.on('error', () => {}); // the parent closed its end first: the teardown, not the measure
  destroyPeer(peer);
  await new Promise((r) => setTimeout(r, 20));
}

// the parent's first message says what to be; it disconnects the IPC channel when done with us
commands.add(function start(c) {
  if (c.t !== 'job') return;
  commands.delete(start);
  const run = c.job.kind === 'standby' ? standby(c.job) : raw();
  run.then(
    () => post({ t: 'closed' }),
    (e: unknown) => post({ t: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
