// Signed (and optionally encrypted) signaling envelopes: every announce/offer/answer/candidate/bye
// carries an HMAC over all of its fields, so a stranger on a shared signaling server cannot even
// start a connection, and the fields replay.ts needs to refuse replays: the sender's session (with
// the time it began), a per-session counter and a timestamp. Sealed, the whole envelope is
// AES-GCM ciphertext and a relay learns only the cluster name and sizes.

import type { ClusterKey } from '../auth.ts';

export const ENVELOPE_VERSION = 2;

export type EnvelopeType = 'announce' | 'signal' | 'bye';

export interface Envelope {
  v: typeof ENVELOPE_VERSION;
  type: EnvelopeType;
  cluster: string;
  from: string;
  session: string; // the sender's random per-open id: a reload is a new session
  born: number; // when that session opened (ms since the epoch): a newer session has a later one
  seq: number; // strictly increasing per session, over every envelope it sends
  ts: number; // when this envelope was sealed (ms since the epoch)
  to: string; // '' = everyone in the room
  toSession: string; // '' = any session of `to`
  body: string; // JSON of the WebRTC signal for 'signal', else ''
  mac: string;
}

export type Unsigned = Omit<Envelope, 'mac' | 'v' | 'cluster'>;

/** On the wire when sealed: only the version and cluster (the room) are legible. */
interface SealedEnvelope {
  v: typeof ENVELOPE_VERSION;
  cluster: string;
  sealed: string;
}

function macParts(e: Omit<Envelope, 'mac'>): string[] {
  return [String(e.v), e.type, e.from, e.session, String(e.born), String(e.seq), String(e.ts), e.to, e.toSession, e.body];
}

export async function sealEnvelope(key: ClusterKey, e: Unsigned, encrypt = false): Promise<string> {
  const full: Omit<Envelope, 'mac'> = { v: ENVELOPE_VERSION, cluster: key.cluster, ...e };
  const signed = JSON.stringify({ ...full, mac: await key.signSignal(macParts(full)) });
  if (!encrypt) return signed;
  const sealed: SealedEnvelope = { v: ENVELOPE_VERSION, cluster: key.cluster, sealed: await key.encrypt(signed) };
  return JSON.stringify(sealed);
}

export type Opened =
  | { ok: true; envelope: Envelope }
  | { ok: false; from: string | null; reason: string } // from: who it claimed to be, if legible
  | { ok: false; ignore: true }; // another cluster's traffic: not ours to judge

const STRINGS = ['type', 'cluster', 'from', 'session', 'to', 'toSession', 'body', 'mac'] as const;
const NUMBERS = ['born', 'seq', 'ts'] as const;
const TYPES: readonly string[] = ['announce', 'signal', 'bye'];
const WRONG_KEY = 'signaling message failed authentication (the nodes hold different cluster keys)';

function parse(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'signaling message is not JSON';
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : 'signaling message is not an object';
}

/** Parse, decrypt if sealed, validate the shape, then verify the MAC; nothing unverified reaches the transport. */
export async function openEnvelope(key: ClusterKey, text: string): Promise<Opened> {
  let v = parse(text);
  if (typeof v === 'string') return { ok: false, from: null, reason: v };
  if (v.v !== ENVELOPE_VERSION) return { ok: false, from: typeof v.from === 'string' ? v.from.slice(0, 200) : null, reason: `unknown signaling version ${String(v.v).slice(0, 20)}` };
  if (typeof v.cluster !== 'string') return { ok: false, from: null, reason: 'signaling field cluster missing' };
  if (v.cluster !== key.cluster) return { ok: false, ignore: true };
  if (typeof v.sealed === 'string') {
    const plain = await key.decrypt(v.sealed);
    if (plain === null) return { ok: false, from: null, reason: WRONG_KEY };
    v = parse(plain);
    if (typeof v === 'string' || v.cluster !== key.cluster) return { ok: false, from: null, reason: 'sealed signaling message is malformed' };
  }
  const from = typeof v.from === 'string' ? v.from.slice(0, 200) : null;
  for (const f of STRINGS) if (typeof v[f] !== 'string') return { ok: false, from, reason: `signaling field ${f} missing` };
  for (const f of NUMBERS) if (!Number.isSafeInteger(v[f]) || (v[f] as number) < 0) return { ok: false, from, reason: `signaling field ${f} missing` };
  if (!TYPES.includes(v.type as string)) return { ok: false, from, reason: `unknown signaling type ${String(v.type).slice(0, 20)}` };
  const e = v as unknown as Envelope;
  if (!(await key.verifySignal(macParts(e), e.mac))) return { ok: false, from, reason: WRONG_KEY };
  return { ok: true, envelope: e };
}
