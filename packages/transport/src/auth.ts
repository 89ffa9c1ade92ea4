// Proof of holding the cluster key (the pg_hba "replication" line of walrtc), all via WebCrypto:
// the secret is stretched into a per-cluster master key (PBKDF2 for passphrases, HKDF for random
// keys), from which HKDF derives an HMAC key (channel challenge–response, signaling envelopes)
// and an AES-GCM key (optional signaling encryption). Neither the secret nor anything derived
// from it travels, except MACs over fresh nonces and labelled, unambiguous inputs.

const LABEL_PROOF = 'walrtc/v1/proof';
const LABEL_SIGNAL = 'walrtc/v1/signal';

/** Prefix that marks a random key made by `generateClusterKey()`; any other text is a passphrase. */
export const RANDOM_KEY_PREFIX = 'walrtc-key-v1.';
/** PBKDF2-HMAC-SHA-256 work factor for passphrases (OWASP's 2023 figure). */
export const PBKDF2_ITERATIONS = 600_000;
const RANDOM_KEY_BYTES = 32;
const MAX_KEYS = 4; // a rotation needs two; a longer list only slows every verification

export function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const bin = atob(text.replaceAll('-', '+').replaceAll('_', '/') + '==='.slice((text.length + 3) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** A fresh random challenge (128 bits). */
export function randomNonce(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** A new random cluster key (256 bits, base64url after the `walrtc-key-v1.` prefix): the recommended form. */
export function generateClusterKey(): string {
  return RANDOM_KEY_PREFIX + toBase64Url(crypto.getRandomValues(new Uint8Array(RANDOM_KEY_BYTES)));
}

/** The KDF salt: the cluster name, labelled, so one passphrase gives unrelated keys per cluster. */
export function kdfSalt(cluster: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(['walrtc/v1/salt', cluster]));
}

/** Random-key bytes, or null for a passphrase; a mangled random key fails loudly instead of becoming a weak passphrase. */
function randomKeyBytes(secret: string): Uint8Array<ArrayBuffer> | null {
  if (!secret.startsWith(RANDOM_KEY_PREFIX)) return null;
  const bytes = fromBase64Url(secret.slice(RANDOM_KEY_PREFIX.length));
  if (!bytes || bytes.byteLength !== RANDOM_KEY_BYTES) {
    throw new Error(`a key starting with "${RANDOM_KEY_PREFIX}" must be ${RANDOM_KEY_BYTES} base64url bytes, as generateClusterKey() makes`);
  }
  return bytes;
}

// PBKDF2 is deliberately slow: derive once per (cluster, passphrase) per process, not per open.
const MASTER_CACHE_SIZE = 16;
const masterCache = new Map<string, Promise<CryptoKey>>();

/** The per-cluster master key (HKDF input keying material), non-extractable. */
function masterKey(cluster: string, secret: string): Promise<CryptoKey> {
  const random = randomKeyBytes(secret);
  if (random) return crypto.subtle.importKey('raw', random, 'HKDF', false, ['deriveKey']);
  const id = JSON.stringify([cluster, secret]);
  let master = masterCache.get(id);
  if (!master) {
    master = (async () => {
      const pass = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'PBKDF2', false, ['deriveBits']);
      const bits = new Uint8Array(
        await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: kdfSalt(cluster), iterations: PBKDF2_ITERATIONS }, pass, 256),
      );
      const key = await crypto.subtle.importKey('raw', bits, 'HKDF', false, ['deriveKey']);
      bits.fill(0);
      return key;
    })();
    if (masterCache.size >= MASTER_CACHE_SIZE) masterCache.delete(masterCache.keys().next().value as string);
    masterCache.set(id, master);
    master.catch(() => masterCache.delete(id));
  }
  return master;
}

interface KeySet {
  hmac: CryptoKey;
  seal: CryptoKey;
}

async function deriveKeySet(cluster: string, secret: string): Promise<KeySet> {
  const master = await masterKey(cluster, secret);
  const hkdf = (info: string) => ({ name: 'HKDF', hash: 'SHA-256', salt: kdfSalt(cluster), info: new TextEncoder().encode(info) });
  const [hmac, seal] = await Promise.all([
    crypto.subtle.deriveKey(hkdf('walrtc/v1/hmac'), master, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign', 'verify']),
    crypto.subtle.deriveKey(hkdf('walrtc/v1/seal'), master, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
  ]);
  return { hmac, seal };
}

const IV_BYTES = 12;

/**
 * The cluster's keys, scoped to one cluster name. `secrets[0]` signs and encrypts; every one of
 * them is accepted when verifying and decrypting (a rolling key rotation, SECURITY.md).
 */
export class ClusterKey {
  private constructor(
    readonly cluster: string,
    private readonly keys: readonly KeySet[],
  ) {}

  static async import(cluster: string, secrets: string | readonly string[]): Promise<ClusterKey> {
    const list = typeof secrets === 'string' ? [secrets] : [...secrets];
    if (list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) throw new Error('a cluster key is required');
    if (list.length > MAX_KEYS) throw new Error(`at most ${MAX_KEYS} cluster keys may be accepted at once`);
    return new ClusterKey(cluster, await Promise.all(list.map((s) => deriveKeySet(cluster, s))));
  }

  // JSON of an array is unambiguous: no choice of ids or nonces can make two inputs collide.
  #input(label: string, parts: readonly string[]): Uint8Array<ArrayBuffer> {
    return new TextEncoder().encode(JSON.stringify([label, this.cluster, ...parts]));
  }

  async sign(label: string, parts: readonly string[]): Promise<string> {
    return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', this.keys[0].hmac, this.#input(label, parts))));
  }

  /** Constant-time check (WebCrypto verify) against every accepted key. */
  async verify(label: string, parts: readonly string[], mac: string): Promise<boolean> {
    const bytes = fromBase64Url(mac);
    if (!bytes || bytes.byteLength !== 32) return false;
    const input = this.#input(label, parts);
    for (const k of this.keys) if (await crypto.subtle.verify('HMAC', k.hmac, bytes, input)) return true;
    return false;
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

  /** AES-256-GCM under the first key, random 96-bit IV, the cluster name as associated data. */
  async encrypt(plain: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const aad = this.#input('walrtc/v1/sealed', []);
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, this.keys[0].seal, new TextEncoder().encode(plain)));
    const out = new Uint8Array(IV_BYTES + ct.byteLength);
    out.set(iv);
    out.set(ct, IV_BYTES);
    return toBase64Url(out);
  }

  /** The plaintext, or null if no accepted key opens it (wrong key, tampered, truncated). */
  async decrypt(sealed: string): Promise<string | null> {
    const bytes = fromBase64Url(sealed);
    if (!bytes || bytes.byteLength < IV_BYTES + 16) return null;
    const aad = this.#input('walrtc/v1/sealed', []);
    for (const k of this.keys) {
      try {
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: aad }, k.seal, bytes.subarray(IV_BYTES));
        return new TextDecoder('utf-8', { fatal: true }).decode(plain);
      } catch {
        // not this key: try the next
      }
    }
    return null;
  }
}
