// What bench/backup.bench.ts and its child process (bench/backup-peer.ts) say to each other over
// the IPC channel, and the signaling that rides on it.

import type { SignalData } from '@thaunknown/simple-peer/lite.js';
import type { Signaling } from '../packages/transport/src/signaling/signaling.ts';

export type PeerJob = { kind: 'standby'; cluster: string; nodeId: string; verbose: boolean } | { kind: 'raw' };

/** What the child reports to the parent, each as it happens. */
export type PeerReport =
  | { t: 'opening' | 'connected' | 'first-chunk' | 'last-chunk' | 'streaming' | 'received' | 'closed' }
  /** transferBusy: the standby's event-loop utilization from the first chunk to the last. */
  | { t: 'backup'; bytes: number; rows: number; status: string; transferBusy: number }
  | { t: 'signal'; data: SignalData } // raw: simple-peer's signal
  | { t: 'envelope'; text: string } // standby: a signaling envelope for the room
  | { t: 'failed'; error: string };

/** What the parent sends the child. */
export type PeerCommand =
  | { t: 'job'; job: PeerJob }
  | { t: 'signal'; data: SignalData }
  | { t: 'envelope'; text: string }
  | { t: 'expect'; bytes: number } // cumulative bytes after which to report 'received'
  | { t: 'close' };

/** A two-member room over the IPC channel: the parent relays to the primary's side. */
export function relaySignaling(send: (text: string) => void, subscribe: (fn: (text: string) => void) => void): Signaling {
  return {
    join(_room, handlers) {
      subscribe((text) => handlers.message(text));
      queueMicrotask(() => handlers.ready());
      return { send, close: () => {} };
    },
  };
}

