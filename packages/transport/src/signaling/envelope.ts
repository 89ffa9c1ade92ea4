// Signed signaling envelopes: every announce/offer/answer/candidate/bye carries an HMAC over all
// of its fields, so a stranger on a shared signaling server cannot even start a connection.
// Replays are harmless: targeted envelopes name the receiver's random per-run session.

import type { ClusterKey } from '../auth.ts';

export type EnvelopeType = 'announce' | 'signal' | 'bye';

export interface Envelope {
  v: 1;
  type: EnvelopeType;
  cluster: string;
  from: string;
  session: string; // the sender's random per-run id: a reload is a new session
  to: string; // '' = everyone in the room
  toSession: string; // '' = any session of `to`
  body: string; // JSON of the WebRTC signal for 'signal', else ''
  mac: string;
}

export type Unsigned = Omit<Envelope, 'mac' | 'v' | 'cluster'>;

function macParts(e: Omit<Envelope, 'mac'>): string[] {
  return [String(e.v), e.type, e.from, e.session, e.to, e.toSession, e.body];
}

export async function sealEnvelope(key: ClusterKey, e: Unsigned): Promise<string> {
  const full: Omit<Envelope, 'mac'> = { v: 1, cluster: key.cluster, ...e };
  return JSON.stringify({ ...full, mac: await key.signSignal(macParts(full)) });
}

export type Opened =
  | { ok: true; envelope: Envelope }
  | { ok: false; from: string | null; reason: string } // from: who it claimed to be, if legible
  | { ok: false; ignore: true }; // another cluster's traffic: not ours to judge

const FIELDS = ['type', 'cluster', 'from', 'session', 'to', 'toSession', 'body', 'mac'] as const;
const TYPES: readonly string[] = ['announce', 'signal', 'bye'];

/** Parse, validate the shape, then verify the MAC; nothing unverified reaches the transport. */
export async function openEnvelope(key: ClusterKey, text: string): Promise<Opened> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, from: null, reason: 'signaling message is not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { ok: false, from: null, reason: 'signaling message is not an object' };
  const v = value as Record<string, unknown>;
  const from = typeof v.from === 'string' ? v.from.slice(0, 200) : null;
  if (v.v !== 1) return { ok: false, from, reason: `unknown signaling version ${String(v.v).slice(0, 20)}` };
  for (const f of FIELDS) if (typeof v[f] !== 'string') return { ok: false, from, reason: `signaling field ${f} missing` };
  if (v.cluster !== key.cluster) return { ok: false, ignore: true };
  if (!TYPES.includes(v.type as string)) return { ok: false, from, reason: `unknown signaling type ${String(v.type).slice(0, 20)}` };
  const e = value as Envelope;
  if (!(await key.verifySignal(macParts(e), e.mac))) {
    return { ok: false, from, reason: 'signaling message failed authentication (the nodes hold different cluster keys)' };
  }
  return { ok: true, envelope: e };
}
