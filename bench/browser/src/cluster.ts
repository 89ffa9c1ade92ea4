/**
 * This tab's node for the replication and failover runs, set up as the demo does
 * (apps/demo/src/lib/tab-node.ts): the engine in a module worker on IndexedDB, role 'auto',
 * default failover settings, the page's webrtcTransport over BroadcastChannel signaling kept on
 * 127.0.0.1, and a goodbye on `pagehide` so peers hear of a closing tab at once.
 */
import { openWorkerNode, type WorkerNode } from '@walrtc/engine/worker';
import { broadcastSignaling, webrtcTransport, type Transport } from '@walrtc/transport';
import type { LagRun, TabStatus } from './api.ts';

const KEY = 'walrtc browser bench key';
/** One clock for every tab of the browser. */
const stamp = () => performance.timeOrigin + performance.now();

let tab: { node: WorkerNode; transport: Transport; nodeId: string } | undefined;
const log: string[] = [];
const note = (m: string) => void log.push(`${stamp().toFixed(1)} ${m}`);

function open_(): { node: WorkerNode; transport: Transport; nodeId: string } {
  if (!tab) throw new Error('no node in this tab: call openTab first');
  return tab;
}

export async function openTab(cluster: string, nodeId: string): Promise<void> {
  const transport = webrtcTransport({ cluster, nodeId, key: KEY, signaling: broadcastSignaling(), loopbackOnly: true, log: (m) => note(`transport: ${m}`) });
  transport.on('peer', (id) => note(`peer ${id}`));
  transport.on('peer-left', (id, reason) => note(`peer-left ${id}: ${reason}`));
  try {
    const node = await openWorkerNode({ cluster, nodeId, storage: 'indexeddb', transport, role: 'auto', log: (level, m) => note(`${level}: ${m}`) });
    tab = { node, transport, nodeId };
    addEventListener('pagehide', () => void transport.close());
  } catch (e) {
    await transport.close();
    throw e;
  }
}

export async function exec(sql: string): Promise<void> {
  await open_().node.exec(sql);
}

export async function status(): Promise<TabStatus> {
  const { node, nodeId } = open_();
  const s = await node.status();
  return { nodeId, role: s.role, leaderId: s.leaderId, streaming: s.replication.filter((r) => r.state === 'streaming').length, visibility: document.visibilityState };
}

const lagChannel = () => new BroadcastChannel('walrtc-bench-lag');
const seen = new Map<number, number>();

export async function lagReceive(): Promise<void> {
  const acks = lagChannel();
  await new Promise<void>((first, failed) => {
    let initial = true;
    open_().node.live<{ id: number; t: number }>('select id, t from lag order by id desc limit 1', [], (r) => {
      const at = stamp();
      if (initial) return ((initial = false), first());
      const row = r.rows[0];
      if (!row || seen.has(row.id)) return;
      seen.set(row.id, at - row.t);
      acks.postMessage(row.id);
    }, { schedule: (fn) => fn(), onError: failed });
  });
}

export function lagSeen(): number[] {
  return [...seen.values()];
}

export async function lagSend(commits: number, warmup: number): Promise<LagRun> {
  const { node } = open_();
  const acks = lagChannel();
  const waiting = new Map<number, (at: number) => void>();
  acks.onmessage = (e: MessageEvent<number>) => waiting.get(e.data)?.(stamp());
  const run: LagRun = { commit: [], roundTrip: [] };
  try {
    for (let i = 0; i < warmup + commits; i++) {
      const acked = new Promise<number>((resolve) => {
        waiting.set(i, resolve);
        setTimeout(() => resolve(Number.NaN), 5000);
      });
      const t0 = stamp();
      await node.query('insert into lag values ($1, $2)', [i, t0]);
      const t1 = stamp();
      const at = await acked;
      waiting.delete(i);
      if (Number.isNaN(at)) throw new Error(`tab 2 never saw row ${i}`);
      if (i >= warmup) {
        run.commit.push(t1 - t0);
        run.roundTrip.push(at - t0);
      }
    }
    return run;
  } finally {
    acks.close();
  }
}

/** Every tab answers pings from the other tabs (a BroadcastChannel also reaches other channels of the same tab). */
const me = crypto.randomUUID();
const pings = new BroadcastChannel('walrtc-bench-ping');
pings.onmessage = (e: MessageEvent<{ ping?: string; from?: string }>) => {
  if (e.data.ping && e.data.from !== me) pings.postMessage({ pong: e.data.ping });
};

export async function ping(count: number): Promise<number[]> {
  const mine = new BroadcastChannel('walrtc-bench-ping');
  const out: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const id = crypto.randomUUID();
      const t0 = stamp();
      await new Promise<void>((resolve) => {
        mine.onmessage = (e: MessageEvent<{ pong?: string }>) => void (e.data.pong === id && resolve());
        mine.postMessage({ ping: id, from: me });
      });
      out.push(stamp() - t0);
    }
    return out;
  } finally {
    mine.close();
  }
}

export function failoverArm(): void {
  const { node, nodeId } = open_();
  let done = false;
  note('armed: trying an INSERT every 10 ms');
  const timer = setInterval(() => {
    node.query('insert into f (node) values ($1)', [nodeId]).then(() => {
      if (done) return;
      done = true;
      clearInterval(timer);
      const at = stamp();
      note('INSERT committed');
      void window.failoverDone?.(nodeId, at);
    }, () => {});
  }, 10);
}

export function events(): string[] {
  return [...log];
}

export async function closeTab(): Promise<void> {
  if (!tab) return;
  const { node, transport } = tab;
  tab = undefined;
  await node.close().catch(() => {});
  await transport.close().catch(() => {});
}
