import { describe, expect, it } from 'vitest';
import { ClusterKey, randomNonce } from '../src/auth.ts';
import { openEnvelope, sealEnvelope } from '../src/signaling/envelope.ts';

describe('cluster key', () => {
  it('proofs verify only for the same key, the same ids in the same roles and fresh nonces', async () => {
    const k = await ClusterKey.import('shop', 'secret');
    const other = await ClusterKey.import('shop', 'not the secret');
    const otherCluster = await ClusterKey.import('garage', 'secret');
    const [na, nb] = [randomNonce(), randomNonce()];
    const proof = await k.proof('a', 'b', nb, na); // a proves to b
    expect(await k.verifyProof('a', 'b', nb, na, proof)).toBe(true);
    expect(await other.verifyProof('a', 'b', nb, na, proof)).toBe(false); // wrong key
    expect(await otherCluster.verifyProof('a', 'b', nb, na, proof)).toBe(false); // other cluster
    expect(await k.verifyProof('b', 'a', nb, na, proof)).toBe(false); // reflected
    expect(await k.verifyProof('a', 'c', nb, na, proof)).toBe(false); // relayed to another node
    expect(await k.verifyProof('a', 'b', randomNonce(), na, proof)).toBe(false); // replayed to a new challenge
    expect(await k.verifyProof('a', 'b', nb, na, 'not base64!')).toBe(false);
  });

  it('signaling envelopes are refused when tampered with or signed with another key', async () => {
    const k = await ClusterKey.import('shop', 'secret');
    const wrong = await ClusterKey.import('shop', 'guess');
    const text = await sealEnvelope(k, { type: 'announce', from: 'a', session: 's', to: '', toSession: '', body: '' });
    expect(await openEnvelope(k, text)).toMatchObject({ ok: true, envelope: { from: 'a', type: 'announce' } });
    expect(await openEnvelope(wrong, text)).toMatchObject({ ok: false, from: 'a', reason: expect.stringMatching(/different cluster keys/) });
    const tampered = text.replace('"from":"a"', '"from":"z"');
    expect(await openEnvelope(k, tampered)).toMatchObject({ ok: false, from: 'z' });
    expect(await openEnvelope(k, '{]')).toMatchObject({ ok: false, reason: 'signaling message is not JSON' });
    const foreign = await sealEnvelope(await ClusterKey.import('garage', 'x'), { type: 'announce', from: 'q', session: 's', to: '', toSession: '', body: '' });
    expect(await openEnvelope(k, foreign)).toEqual({ ok: false, ignore: true });
  });
});
