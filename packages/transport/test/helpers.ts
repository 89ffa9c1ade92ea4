// Shared test plumbing: loopback-only transports that are always closed, bounded waits, and
// captured logs (so rejected frames and refusals can be asserted instead of printed).

import { webrtcTransport, type Signaling, type Transport, type WebrtcTransportOptions } from '../src/index.ts';
import type { Connection } from '../src/connection.ts';

export const open: Transport[] = [];

export interface Made {
  t: Transport;
  logs: string[];
}

export function make(nodeId: string, signaling: Signaling, extra: Partial<WebrtcTransportOptions> = {}): Made {
  const logs: string[] = [];
  const t = webrtcTransport({
    cluster: 'test',
    nodeId,
    key: 'cluster secret',
    signaling,
    loopbackOnly: true,
    connectTimeoutMs: 4000, // a stuck attempt is abandoned and retried well within the test's waits
    log: (m) => logs.push(m),
    ...extra,
  });
  open.push(t);
  return { t, logs };
}

export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((t) => t.close()));
}

/** Resolve when `check` holds, polling; reject with `what` after `ms`. */
export async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function connections(t: Transport): Connection[] {
  return (t as unknown as { connectionsForTest(): Connection[] }).connectionsForTest();
}

export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
}

let room = 0;
/** A BroadcastChannel name no other test uses, so tests cannot hear each other. */
export function uniqueRoom(): string {
  return `walrtc-test-${process.pid}-${++room}`;
}
