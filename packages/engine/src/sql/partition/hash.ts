/**
 * PostgreSQL 15's hash partition routing, bit for bit: each key column's extended hash function
 * (hashfn.c's lookup3 hash_any_extended / hash_uint32_extended) seeded with HASH_PARTITION_SEED,
 * combined with hash_combine64 (partbounds.c compute_partition_hash_value). A row lands in the
 * partition whose remainder equals that uint64 modulo its modulus. Key types whose hash walrtc
 * does not reproduce exactly are refused, never routed by a different hash.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { PartitionKey } from '../../catalog/types.ts';
import type { SqlType, Value } from '../types.ts';
import { formatTypeName } from '../cast.ts';

const M32 = 0xffffffffn;
const M64 = 0xffffffffffffffffn;
const HASH_PARTITION_SEED = 0x7a5b22367996dcfdn;

const rot = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** lookup3's mix() on the three-word state. */
function mix(s: Uint32Array): void {
  s[0] -= s[2]; s[0] ^= rot(s[2]!, 4); s[2] += s[1]!;
  s[1] -= s[0]!; s[1] ^= rot(s[0]!, 6); s[0] += s[2]!;
  s[2] -= s[1]!; s[2] ^= rot(s[1]!, 8); s[1] += s[0]!;
  s[0] -= s[2]!; s[0] ^= rot(s[2]!, 16); s[2] += s[1]!;
  s[1] -= s[0]!; s[1] ^= rot(s[0]!, 19); s[0] += s[2]!;
  s[2] -= s[1]!; s[2] ^= rot(s[1]!, 4); s[1] += s[0]!;
}

/** lookup3's final(); the result is (b << 32) | c. */
function final(s: Uint32Array): bigint {
  s[2] ^= s[1]!; s[2] -= rot(s[1]!, 14);
  s[0] ^= s[2]!; s[0] -= rot(s[2]!, 11);
  s[1] ^= s[0]!; s[1] -= rot(s[0]!, 25);
  s[2] ^= s[1]!; s[2] -= rot(s[1]!, 16);
  s[0] ^= s[2]!; s[0] -= rot(s[2]!, 4);
  s[1] ^= s[0]!; s[1] -= rot(s[0]!, 14);
  s[2] ^= s[1]!; s[2] -= rot(s[1]!, 24);
  return (BigInt(s[1]!) << 32n) | BigInt(s[2]!);
}

function seeded(init: number, seed: bigint): Uint32Array {
  const s = new Uint32Array([init, init, init]);
  if (seed !== 0n) {
    s[0] += Number((seed >> 32n) & M32);
    s[1] += Number(seed & M32);
    mix(s);
  }
  return s;
}

function hashUint32Extended(k: number, seed: bigint): bigint {
  const s = seeded(0x9e3779b9 + 4 + 3923095, seed);
  s[0] += k >>> 0;
  return final(s);
}

function hashAnyExtended(k: Uint8Array, seed: bigint): bigint {
  const s = seeded(0x9e3779b9 + k.length + 3923095, seed);
  let o = 0, len = k.length;
  const word = (i: number) => (k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24)) >>> 0;
  for (; len >= 12; o += 12, len -= 12) {
    s[0] += word(o); s[1] += word(o + 4); s[2] += word(o + 8);
    mix(s);
  }
  // the tail, little-endian; the lowest byte of c is reserved for the length
  for (let i = len - 1; i >= 0; i--) {
    const b = k[o + i]!;
    if (i >= 8) s[2] += b << (8 * (i - 7));
    else if (i >= 4) s[1] += (b << (8 * (i - 4))) >>> 0;
    else s[0] += (b << (8 * i)) >>> 0;
  }
  return final(s);
}

function hashInt8Extended(v: bigint, seed: bigint): bigint {
  const lo = Number(v & M32), hi = Number((v >> 32n) & M32);
  return hashUint32Extended((lo ^ (v >= 0n ? hi : ~hi)) >>> 0, seed);
}

function hashFloat8Extended(v: number, seed: bigint): bigint {
  // -0 and 0 hash alike (PostgreSQL returns the seed itself), and every NaN as the one NaN
  if (v === 0) return seed;
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, Number.isNaN(v) ? NaN : v, true);
  return hashAnyExtended(new Uint8Array(b.buffer), seed);
}

const UUID_HEX = /^[0-9a-f]{32}$/;
const utf8 = new TextEncoder();

type Hasher = (v: Value, seed: bigint) => bigint;

/** The extended hash function of each key type walrtc reproduces exactly (PostgreSQL's default hash opclass). */
const HASHERS: Partial<Record<string, Hasher>> = {
  int2: (v, seed) => hashUint32Extended(Number(v) | 0, seed),
  int4: (v, seed) => hashUint32Extended(Number(v) | 0, seed),
  int8: (v, seed) => hashInt8Extended(BigInt(v as number | bigint), seed),
  bool: (v, seed) => hashUint32Extended(v ? 1 : 0, seed),
  // date_ops hashes the DateADT: days since 2000-01-01, as an int4
  date: (v, seed) => hashUint32Extended(Math.round((v as Date).getTime() / 86_400_000) - 10_957, seed),
  float4: (v, seed) => hashFloat8Extended(Number(v), seed),
  float8: (v, seed) => hashFloat8Extended(Number(v), seed),
  // text_ops under a deterministic collation hashes the bytes; varchar uses text_ops
  text: (v, seed) => hashAnyExtended(utf8.encode(String(v)), seed),
  varchar: (v, seed) => hashAnyExtended(utf8.encode(String(v)), seed),
  uuid: (v, seed) => {
    const hex = String(v).replace(/-/g, '').toLowerCase();
    if (!UUID_HEX.test(hex)) throw new Error(`uuid value ${String(v)} is not 16 bytes`);
    return hashAnyExtended(Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16)), seed);
  },
};

function hasherFor(type: SqlType): Hasher {
  const h = HASHERS[type];
  if (!h) throw new SqlError(SQLSTATE.feature_not_supported, `rows of a table hash-partitioned by a key of type ${formatTypeName(type)} are not supported`);
  return h;
}

/** compute_partition_hash_value: the row's uint64 hash over its non-null key values. */
export function partitionHash(key: PartitionKey, values: readonly Value[]): bigint {
  let row = 0n;
  key.keys.forEach((k, i) => {
    const v = values[i];
    if (v === null || v === undefined) return;
    const h = hasherFor(k.type)(v, HASH_PARTITION_SEED);
    row = (row ^ ((h + 0x49a0f4dd15e5a8e3n + ((row << 54n) & M64) + (row >> 7n)) & M64)) & M64;
  });
  return row;
}
