// The WAL's own msgpack writer (wal/pack-fast.ts) must write exactly the bytes msgpackr writes:
// encodeBatch is compared with encodeRecord (msgpackr alone) record by record, over the edge
// cases of every format boundary and over random records, and the records decode back.
import { describe, expect, it } from 'vitest';
import { Numeric } from '../src/sql/numeric.ts';
import { concat, decodeRecords, encodeBatch, encodeRecord } from '../src/wal/codec.ts';
import type { WalRecord } from '../src/wal/record.ts';

const sameAsMsgpackr = (records: WalRecord[]): void => {
  const { bytes, ends } = encodeBatch(records);
  const reference = concat(records.map(encodeRecord));
  expect(Buffer.from(bytes).equals(Buffer.from(reference))).toBe(true);
  let at = 0;
  records.forEach((r, i) => {
    at += encodeRecord(r).length;
    expect(ends[i]).toBe(at);
  });
};

const numbers = [
  0, -0, 1, 31, 32, 63, 64, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1,
  -1, -31, -32, -33, -127, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53),
  0.5, -1.25, 1e300, Number.MIN_VALUE, Number.MAX_VALUE, NaN, Infinity, -Infinity,
];
const strings = ['', 'a', 'é', '€', '😀', '\ud800', 'x\udc00y', '\ud83d\ude00\ud83d'].flatMap((c) =>
  [0, 1, 10, 11, 21, 31, 32, 33, 63, 64, 65, 85, 86, 255, 256, 21845, 21846, 65535, 65536].map((n) => c.repeat(Math.max(1, Math.ceil(n / Math.max(1, c.length)))).slice(0, n)),
);

describe('the WAL record writer', () => {
  it('writes every number format boundary as msgpackr does', () => {
    sameAsMsgpackr(numbers.map((n, i) => ({ kind: 'insert', table: 1, rowid: i, row: [n, -n, n / 3] })));
  });

  it('writes strings of every length class, multi-byte text and lone surrogates as msgpackr does', () => {
    sameAsMsgpackr(strings.map((s, i) => ({ kind: 'update', table: 7, rowid: i, row: [s, s + s], old: [s] })));
  });

  it('writes null, booleans, undefined, nested arrays and objects as msgpackr does', () => {
    const odd = { kind: 'insert', table: 3, rowid: 2, row: [null, true, false, undefined, [1, [2, ['x']]], { a: 1, b: { c: [null] } }] } as unknown as WalRecord;
    sameAsMsgpackr([odd, { kind: 'update', table: 3, rowid: 2, row: [1], old: undefined }, { kind: 'commit', xid: 9, time: Date.now() }]);
  });

  it('hands values it does not write itself (bigint, Date, numeric) to msgpackr, and the records decode back', () => {
    const records: WalRecord[] = [
      { kind: 'insert', table: 1, rowid: 1, row: [1, 'a'] },
      { kind: 'insert', table: 1, rowid: 2, row: [2n ** 62n, new Date(86_400_123), Numeric.parse('1.50')!] },
      { kind: 'commit', xid: 2, time: 1 },
    ];
    sameAsMsgpackr(records);
    const decoded = decodeRecords(encodeBatch(records).bytes, 0);
    expect(decoded.invalid).toBeUndefined();
    expect(decoded.records.map((r) => r.record)).toEqual(records);
  });

  it('matches msgpackr on random records, small and large batches alike', () => {
    let seed = 11;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const value = (): unknown => {
      const k = rnd();
      if (k < 0.3) return numbers[Math.floor(rnd() * numbers.length)]! * (rnd() < 0.5 ? 1 : rnd() * 1000);
      if (k < 0.6) return strings[Math.floor(rnd() * strings.length)]!.slice(0, Math.floor(rnd() * 300));
      if (k < 0.7) return null;
      if (k < 0.8) return rnd() < 0.5;
      return Math.floor(rnd() * 2 ** 40) - 2 ** 39;
    };
    for (let batch = 0; batch < 40; batch++) {
      const records: WalRecord[] = [];
      const n = 1 + Math.floor(rnd() * (batch % 5 === 0 ? 400 : 4));
      for (let i = 0; i < n; i++) records.push({ kind: 'insert', table: batch, rowid: i, row: Array.from({ length: Math.floor(rnd() * 6) }, value) as never });
      records.push({ kind: 'commit', xid: batch, time: Math.floor(rnd() * 2 ** 41) });
      sameAsMsgpackr(records);
    }
  });

  it('batches written across the end of a slab or larger than a slab come out whole, and bytes handed out are never written again', () => {
    const kept: { bytes: Uint8Array; copy: Uint8Array; records: WalRecord[] }[] = [];
    for (let i = 0; i < 3000; i++) {
      const records: WalRecord[] = [{ kind: 'insert', table: 1, rowid: i, row: [i, 'x'.repeat(i % 997)] }, { kind: 'commit', xid: i, time: i }];
      const { bytes } = encodeBatch(records);
      kept.push({ bytes, copy: bytes.slice(), records });
      if (i % 500 === 0) {
        // larger than a slab: its own buffer
        const big: WalRecord[] = Array.from({ length: 2000 }, (_, r) => ({ kind: 'insert', table: 2, rowid: r, row: [r, 'y'.repeat(60)] }));
        sameAsMsgpackr(big);
        expect(decodeRecords(encodeBatch(big).bytes, 0).records.map((r) => r.record)).toEqual(big);
      }
    }
    for (const k of kept) {
      expect(Buffer.from(k.bytes).equals(Buffer.from(k.copy))).toBe(true);
      expect(decodeRecords(k.bytes, 0).records.map((r) => r.record)).toEqual(k.records);
    }
  });
});
