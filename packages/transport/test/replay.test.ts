import { describe, expect, it } from 'vitest';
import type { Envelope } from '../src/signaling/envelope.ts';
import { ReplayGuard } from '../src/signaling/replay.ts';

const now = 1_800_000_000_000;
const env = (session: string, born: number, seq: number, extra: Partial<Envelope> = {}): Envelope => ({
  v: 2, type: 'announce', cluster: 'c', from: 'x', session, born, seq, ts: now, to: '', toSession: '', body: '', mac: '', ...extra,
});

describe('signaling replay guard', () => {
  it('refuses non-increasing counters, envelopes outside the time window and a session that said goodbye', () => {
    const g = new ReplayGuard(60_000);
    const none = () => false;
    expect(g.admit(env('s1', 1, 1), now, none)).toBeNull();
    expect(g.admit(env('s1', 1, 1), now, none)).toMatch(/replayed signaling message from x \(counter 1, last 1\)/);
    expect(g.admit(env('s1', 1, 5), now, none)).toBeNull(); // gaps are fine (envelopes to other nodes)
    expect(g.admit(env('s1', 1, 4), now, none)).toMatch(/replayed/);
    expect(g.admit(env('s1', 1, 6, { ts: now - 61_000 }), now, none)).toMatch(/61 s off this node's clock/);
    expect(g.admit(env('s1', 1, 6, { ts: now + 61_000 }), now, none)).toMatch(/off this node's clock/);
    expect(g.live('x')).toBe('s1');
    expect(g.admit(env('s1', 1, 7, { type: 'bye' }), now, none)).toBeNull();
    expect(g.live('x')).toBeUndefined();
    expect(g.admit(env('s1', 1, 8), now, none)).toMatch(/session that said goodbye/);
  });

  it('an older session never displaces a connected newer one; a newer session always does', () => {
    const g = new ReplayGuard(60_000);
    const connected = (_node: string, session: string) => session === 's2';
    expect(g.admit(env('s2', 200, 1), now, connected)).toBeNull();
    expect(g.admit(env('s1', 100, 50), now, connected)).toMatch(/older session of x/);
    expect(g.live('x')).toBe('s2');
    expect(g.admit(env('s3', 300, 1), now, connected)).toBeNull();
    expect(g.live('x')).toBe('s3');
    // with no connection to the known session, a different one is taken (e.g. a clock set back)
    expect(g.admit(env('s0', 50, 1), now, () => false)).toBeNull();
    expect(g.live('x')).toBe('s0');
  });
});
