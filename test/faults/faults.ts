/**
 * Fault-injection plumbing for test/faults: a seeded PRNG, storage whose every operation takes a
 * random number of event-loop turns (so concurrent control changes interleave differently per
 * seed) and can be made to fail, and a fresh reopen of a node's storage to see what survived.
 */
import { openNode, type Node, type Storage } from '@walrtc/engine';
import type { Transport } from '@walrtc/transport';
import { memoryStorage } from '../../packages/engine/src/storage/memory.ts';

export { prng } from '../prng.ts';

/** Wait `n` macrotask turns: timers, I/O and every microtask queued meanwhile run. */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

export interface FaultyStorage extends Storage {
  /** Make every write fail (IndexedDB's QuotaExceededError) until called with false. */
  failWrites(on: boolean): void;
  /** A crash after `n` more successful writes: every later write fails (the process is gone). */
  crashAfterWrites(n: number): void;
  /** Bytes of WAL chunks returned by readWal so far. */
  readonly walBytesRead: number;
  /** Hold the next WAL appends: `reached` resolves when one is waiting, `release` lets them all through. */
  holdWal(): { reached: Promise<void>; release(): void };
}

/** Memory storage whose operations each wait 0..maxTurns turns, chosen by `random`. */
export function faultyStorage(random: () => number, maxTurns = 4, inner: Storage = memoryStorage()): FaultyStorage {
  let failing = false;
  let writesLeft = Infinity;
  let walBytesRead = 0;
  let held: { reached: () => void; released: Promise<void> } | undefined;
  const slow = async () => turns(Math.floor(random() * (maxTurns + 1)));
  const write = async () => {
    await slow();
    if (failing) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    if (writesLeft <= 0) throw new Error('the process crashed');
    writesLeft--;
  };
  return {
    kind: inner.kind,
    failWrites: (on) => void (failing = on),
    crashAfterWrites: (n) => void (writesLeft = n),
    get walBytesRead() { return walBytesRead; },
    holdWal() {
      let reached!: () => void;
      let release!: () => void;
      const r = new Promise<void>((ok) => (reached = ok));
      held = { reached, released: new Promise<void>((ok) => (release = ok)) };
      return { reached: r, release: () => { held = undefined; release(); } };
    },
    async readControl() { await slow(); return inner.readControl(); },
    async writeControl(c) { await write(); return inner.writeControl(c); },
    async appendWal(chunks) {
      if (held) {
        held.reached();
        await held.released;
      }
      await write();
      return inner.appendWal(chunks);
    },
    async readWal(from, maxBytes) {
      await slow();
      const chunks = await inner.readWal(from, maxBytes);
      for (const c of chunks) walBytesRead += c.bytes.length;
      return chunks;
    },
    async removeWalBefore(lsn) { await write(); return inner.removeWalBefore(lsn); },
    async truncateWal(lsn) { await write(); return inner.truncateWal(lsn); },
    async writeCheckpoint(cp, c) { await write(); return inner.writeCheckpoint(cp, c); },
    async readCheckpoint() { await slow(); return inner.readCheckpoint(); },
    // incremental checkpoints' chunks go through the same faults as every other write
    chunks: inner.chunks && {
      put: async (c) => { await write(); return inner.chunks!.put(c); },
      get: async (keys) => { await slow(); return inner.chunks!.get(keys); },
      retain: async (keys) => { await write(); return inner.chunks!.retain(keys); },
    },
    async close() {},
  };
}

/** Open a node on `storage` alone (no transport), as a restart of the node would. */
export async function reopen(cluster: string, nodeId: string, storage: Storage): Promise<Node> {
  return openNode({ cluster, nodeId, storage, log: () => {} });
}

/**
 * A node that goes silent with its channels open (a frozen tab, or replies lost on the way): while
 * silenced, what it sends is dropped and what it is sent is never seen; nobody sees it leave.
 */
export function silenceable(): { wrap: (t: Transport) => Transport; silence: (on: boolean) => void } {
  let silent = false;
  const wrap = (t: Transport): Transport => ({
    get nodeId() { return t.nodeId; },
    peers: () => t.peers(),
    on: ((event: string, fn: (...args: unknown[]) => void) =>
      event === 'message' ? t.on('message', (from, msg) => void (silent || fn(from, msg))) : t.on(event as 'peer', fn as (id: string) => void)) as Transport['on'],
    off: t.off.bind(t),
    send: async (to, msg) => (silent ? undefined : t.send(to, msg)),
    close: () => t.close(),
  });
  return { wrap, silence: (on) => void (silent = on) };
}
