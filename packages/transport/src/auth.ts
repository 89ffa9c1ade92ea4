// Proof of holding the cluster key (the pg_hba "replication" line of walrtc): HMAC-SHA-256 via
// WebCrypto, used for the channel challenge–response and to sign signaling envelopes.
// The key never travels; only MACs over labelled, unambiguous inputs do.

const LABEL_PROOF = 'walrtc/v1/proof';
const LABEL_SIGNAL = 'walrtc/v1/signal';

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const bin = atob(text.replaceAll('-', '+').replaceAll('_', '/') + '==='.slice((text.length + 3) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** A fresh random challenge (128 bits). */
export function randomNonce(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** The cluster secret as a non-extractable HMAC key, scoped to one cluster name. */
export class ClusterKey {
  private constructor(
    readonly cluster: string,
    private readonly key: CryptoKey,
  ) {}

  static async import(cluster: string, secret: string): Promise<ClusterKey> {
    if (!secret) throw new Error('a cluster key is required');
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    return new ClusterKey(cluster, key);
  }

  // JSON of an array is unambiguous: no choice of ids or nonces can make two inputs collide.
  #input(label: string, parts: readonly string[]): Uint8Array<ArrayBuffer> {
    return new TextEncoder().encode(JSON.stringify([label, this.cluster, ...parts]));
  }

  async sign(label: string, parts: readonly string[]): Promise<string> {
    return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', this.key, this.#input(label, parts))));
  }

  /** Constant-time check (WebCrypto verify). */
  async verify(label: string, parts: readonly string[], mac: string): Promise<boolean> {
    const bytes = fromBase64Url(mac);
    if (!bytes || bytes.byteLength !== 32) return false;
    return crypto.subtle.verify('HMAC', this.key, new Uint8Array(bytes), this.#input(label, parts));
  }

  /**
   * The channel proof `prover` gives `verifier`: bound to both ids in that order (a reflected
   * proof fails) and to the verifier's fresh nonce (a replayed proof fails).
   */
  proof(prover: string, verifier: string, verifierNonce: string, proverNonce: string): Promise<string> {
    return this.sign(LABEL_PROOF, [prover, verifier, verifierNonce, proverNonce]);
  }

  verifyProof(prover: string, verifier: string, verifierNonce: string, proverNonce: string, mac: string): Promise<boolean> {
    return this.verify(LABEL_PROOF, [prover, verifier, verifierNonce, proverNonce], mac);
  }

  signSignal(parts: readonly string[]): Promise<string> {
    return this.sign(LABEL_SIGNAL, parts);
  }

  verifySignal(parts: readonly string[], mac: string): Promise<boolean> {
    return this.verify(LABEL_SIGNAL, parts, mac);
  }
}
