import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterKey, fromBase64Url, generateClusterKey, kdfSalt, PBKDF2_ITERATIONS, randomNonce, toBase64Url } from '../src/auth.ts';
import { openEnvelope, sealEnvelope, type Unsigned } from '../src/signaling/envelope.ts';

afterEach(() => vi.restoreAllMocks());

const announce = (from: string, extra: Partial<Unsigned> = {}): Unsigned => ({
  type: 'announce', from, session: 's', born: 1, seq: 1, ts: Date.now(), to: '', toSession: '', body: '', ...extra,
});

/** What an attacker who recorded a proof must compute per guess: the documented derivation. */
async function proofFromGuess(cluster: string, guess: string, input: unknown[], iterations: number): Promise<string> {
  const pass = await crypto.subtle.importKey('raw', new TextEncoder().encode(guess), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: kdfSalt(cluster), iterations }, pass, 256);
  const master = await crypto.subtle.importKey('raw', bits, 'HKDF', false, ['deriveKey']);
  const hmac = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: kdfSalt(cluster), info: new TextEncoder().encode('walrtc/v1/hmac') },
    master, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign'],
  );
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(JSON.stringify(input)))));
}

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

  it('a passphrase is stretched with PBKDF2-SHA-256 (600,000 iterations, salted with the cluster name): an offline guess costs the KDF', async () => {
    const spy = vi.spyOn(crypto.subtle, 'deriveBits');
    const cluster = `kdf-${randomNonce()}`; // not in the per-process cache
    const k = await ClusterKey.import(cluster, 'correct horse');
    expect(spy).toHaveBeenCalledTimes(1);
    const [params] = spy.mock.calls[0] as [Pbkdf2Params, CryptoKey, number];
    expect(params).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: PBKDF2_ITERATIONS });
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect(new TextDecoder().decode(params.salt as Uint8Array)).toContain(cluster);
    await ClusterKey.import(cluster, 'correct horse'); // a second open of the same cluster reuses the work
    expect(spy).toHaveBeenCalledTimes(1);

    // The attacker's view: a recorded challenge and proof. The plain HMAC of a guess (what the
    // old scheme allowed) never matches; only the full KDF with the right passphrase does.
    const [nv, np] = [randomNonce(), randomNonce()];
    const proof = await k.proof('a', 'b', nv, np);
    const input = ['walrtc/v1/proof', cluster, 'a', 'b', nv, np];
    const rawHmac = await crypto.subtle.importKey('raw', new TextEncoder().encode('correct horse'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const naive = toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', rawHmac, new TextEncoder().encode(JSON.stringify(input)))));
    expect(naive).not.toBe(proof);
    expect(await proofFromGuess(cluster, 'correct horse', input, 1000)).not.toBe(proof); // fewer iterations: no match
    expect(await proofFromGuess(`${cluster}x`, 'correct horse', input, PBKDF2_ITERATIONS)).not.toBe(proof); // another salt: no match
    expect(await proofFromGuess(cluster, 'correct horse', input, PBKDF2_ITERATIONS)).toBe(proof);
  });

  it('generateClusterKey gives a 256-bit base64url key that skips PBKDF2 (HKDF only); a mangled one fails loudly', async () => {
    const key = generateClusterKey();
    expect(key).toMatch(/^walrtc-key-v1\.[A-Za-z0-9_-]{43}$/);
    expect(fromBase64Url(key.slice('walrtc-key-v1.'.length))?.byteLength).toBe(32);
    expect(generateClusterKey()).not.toBe(key);
    const bits = vi.spyOn(crypto.subtle, 'deriveBits');
    const derive = vi.spyOn(crypto.subtle, 'deriveKey');
    const k = await ClusterKey.import('shop', key);
    expect(bits).not.toHaveBeenCalled();
    expect(derive.mock.calls.map(([p]) => (p as HkdfParams).name)).toEqual(['HKDF', 'HKDF']);
    const [n1, n2] = [randomNonce(), randomNonce()];
    expect(await (await ClusterKey.import('shop', key)).verifyProof('a', 'b', n1, n2, await k.proof('a', 'b', n1, n2))).toBe(true);
    await expect(ClusterKey.import('shop', `${key.slice(0, -2)}`)).rejects.toThrow(/must be 32 base64url bytes/);
    await expect(ClusterKey.import('shop', '')).rejects.toThrow(/a cluster key is required/);
  });

  it('a key list accepts every key and signs with the first (rolling rotation)', async () => {
    const [oldKey, newKey] = [generateClusterKey(), generateClusterKey()];
    const onlyOld = await ClusterKey.import('shop', oldKey);
    const both = await ClusterKey.import('shop', [oldKey, newKey]); // step 1: still signs with old
    const rotated = await ClusterKey.import('shop', [newKey, oldKey]); // step 2: signs with new
    const onlyNew = await ClusterKey.import('shop', [newKey]); // step 3
    const [n1, n2] = [randomNonce(), randomNonce()];
    const by = async (k: ClusterKey) => k.proof('a', 'b', n1, n2);
    const accepts = async (k: ClusterKey, p: string) => k.verifyProof('a', 'b', n1, n2, p);
    // every neighbouring step interoperates both ways
    for (const [x, y] of [[onlyOld, both], [both, rotated], [rotated, onlyNew]] as const) {
      expect(await accepts(x, await by(y))).toBe(true);
      expect(await accepts(y, await by(x))).toBe(true);
    }
    expect(await accepts(onlyOld, await by(rotated))).toBe(false); // skipping a step does not
    expect(await accepts(onlyNew, await by(onlyOld))).toBe(false);
    await expect(ClusterKey.import('shop', [])).rejects.toThrow(/a cluster key is required/);
  });

  it('signaling envelopes are refused when tampered with or signed with another key', async () => {
    const k = await ClusterKey.import('shop', 'secret');
    const wrong = await ClusterKey.import('shop', 'guess');
    const text = await sealEnvelope(k, announce('a'));
    expect(await openEnvelope(k, text)).toMatchObject({ ok: true, envelope: { from: 'a', type: 'announce' } });
    expect(await openEnvelope(wrong, text)).toMatchObject({ ok: false, from: 'a', reason: expect.stringMatching(/different cluster keys/) });
    const tampered = text.replace('"from":"a"', '"from":"z"');
    expect(await openEnvelope(k, tampered)).toMatchObject({ ok: false, from: 'z' });
    expect(await openEnvelope(k, text.replace('"seq":1', '"seq":9'))).toMatchObject({ ok: false, from: 'a' }); // the counter is signed
    expect(await openEnvelope(k, '{]')).toMatchObject({ ok: false, reason: 'signaling message is not JSON' });
    const foreign = await sealEnvelope(await ClusterKey.import('garage', 'x'), announce('q'));
    expect(await openEnvelope(k, foreign)).toEqual({ ok: false, ignore: true });
  });

  it('an encrypted envelope shows a relay only the version, the cluster and opaque bytes', async () => {
    const k = await ClusterKey.import('shop', generateClusterKey());
    const body = JSON.stringify({ attempt: 'x', signal: { type: 'offer', sdp: 'v=0 a=fingerprint:sha-256 AB:CD' } });
    const text = await sealEnvelope(k, announce('tab-a', { type: 'signal', session: 'sess-123', to: 'tab-b', body }), true);
    expect(Object.keys(JSON.parse(text) as object).sort()).toEqual(['cluster', 'sealed', 'v']);
    const { sealed: blob, ...clear } = JSON.parse(text) as { sealed: string };
    // the ciphertext is base64 (which could spell a short word by chance); nothing else is legible
    expect(blob).toMatch(/^[A-Za-z0-9+/_-]+=*$/);
    for (const secret of ['tab-a', 'tab-b', 'sess-123', 'fingerprint', 'signal']) expect(JSON.stringify(clear)).not.toContain(secret);
    expect(await openEnvelope(k, text)).toMatchObject({ ok: true, envelope: { from: 'tab-a', to: 'tab-b', body } });
    const other = await ClusterKey.import('shop', generateClusterKey());
    expect(await openEnvelope(other, text)).toMatchObject({ ok: false, from: null, reason: expect.stringMatching(/different cluster keys/) });
    const sealed = (JSON.parse(text) as { sealed: string }).sealed;
    const flipped = text.replace(sealed, sealed.slice(0, 20) + (sealed[20] === 'A' ? 'B' : 'A') + sealed.slice(21));
    expect(await openEnvelope(k, flipped)).toMatchObject({ ok: false, reason: expect.stringMatching(/failed authentication/) });
  });
});
