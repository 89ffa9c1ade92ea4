/**
 * A base backup's bytes produced in slices: the same sealed snapshot `seal(takeSnapshot(state))`
 * gives, byte for byte (so the standby installs it unchanged), but packed a row-id chunk at a time
 * from clones taken when it is asked for, yielding between slices so the primary's commits go on.
 * msgpack is compositional with the stateless options used (no records), so the body is written as
 * headers plus arrays packed in batches with their own headers cut off.
 */
import { Packr } from 'msgpackr';
import { PACK_OPTIONS } from '../msgpack.ts';
import type { Value } from '../sql/types.ts';
import { sequenceEntries, snapshotCatalog } from '../state/snapshot.ts';
import type { DbState } from '../state/state.ts';
import { ENVELOPE_HEADER, stampEnvelope } from '../storage/envelope.ts';
import { crc32c } from '../wal/crc32.ts';
import type { RowId } from '../wal/record.ts';
import { CHUNK_IDS } from './format.ts';
import { Slicer } from './slices.ts';
import { presentChunks } from './writer.ts';

/** Everything but the rows is read at once; the rows come from clones, so later commits do not show. */
export function sealSnapshotInSlices(state: DbState): Promise<Uint8Array> {
  const tables = [...state.tables.values()]
    .sort((a, b) => a.def.oid - b.def.oid)
    .map((t) => ({ def: t.def, nextRowId: t.nextRowId, indexes: t.indexes.map((i) => i.def), rows: t.rows.clone() }));
  const sequences = sequenceEntries(state);
  const nextOid = state.nextOid;
  const members = [...state.members].sort();
  const { types, schemas, functions, domains, pgCatalog } = snapshotCatalog(state);
  return (async () => {
    const body = new Body();
    body.map(4 + (types ? 1 : 0) + (schemas ? 1 : 0) + (functions ? 1 : 0) + (domains ? 1 : 0) + (pgCatalog ? 1 : 0)).value('nextOid').value(nextOid).value('members').value(members).value('tables');
    body.array(tables.length);
    const slicer = new Slicer();
    // one batch array for every chunk, filled by index: fresh arrays per chunk were garbage the collector paused for
    const batch: (RowId | Value[])[] = new Array(CHUNK_IDS);
    for (const t of tables) {
      body.map(5).value('def').value(t.def).value('nextRowId').value(t.nextRowId);
      // ids then rows, each one array over the whole table, packed a chunk at a time
      for (const part of ['ids', 'rows'] as const) {
        body.value(part);
        body.array(t.rows.size);
        let done = 0;
        for (const index of presentChunks(t.rows)) {
          let n = 0;
          t.rows.forRange(index * CHUNK_IDS, (index + 1) * CHUNK_IDS, false, (id, row) => void (batch[n++] = part === 'ids' ? id : row));
          batch.length = n;
          const bytes = body.elements(batch);
          // after the first batch of a part, room for the rest at its bytes per row: the body grows about once
          if (!done) body.reserve(Math.ceil(((t.rows.size - n) * bytes * 1.1) / Math.max(1, n)));
          done += n;
          await slicer.maybeYield();
        }
      }
      body.value('indexes').value(t.indexes);
    }
    body.value('sequences').value(sequences);
    if (types) body.value('types').value(types);
    if (schemas) body.value('schemas').value(schemas);
    if (functions) body.value('functions').value(functions);
    if (domains) body.value('domains').value(domains);
    if (pgCatalog) body.value('pgCatalog').value(pgCatalog);
    return body.seal();
  })();
}

/**
 * The sealed bytes, written in place after the envelope header as they are packed, with their
 * running CRC. The buffer grows when short (to what is asked, or by a quarter): sizing it from the
 * first batch of each table means the 56 MB of a 1M-row backup are allocated about once, not kept
 * as pieces and copied again into one array at the end.
 */
class Body {
  private readonly packr = new Packr(PACK_OPTIONS);
  private out = new Uint8Array(64 << 10);
  private length = ENVELOPE_HEADER;
  private crc = 0;

  /** Make room for `bytes` more. */
  reserve(bytes: number): void {
    const need = this.length + bytes;
    if (need <= this.out.length) return;
    const grown = new Uint8Array(Math.max(need, Math.ceil(this.out.length * 1.25)));
    grown.set(this.out.subarray(0, this.length));
    this.out = grown;
  }

  private add(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.out.set(bytes, this.length);
    this.length += bytes.length;
    this.crc = crc32c(bytes, 0, bytes.length, this.crc);
  }

  value(v: unknown): this {
    // copied into place at once: the packer reuses its buffer
    this.add(this.packr.pack(v));
    return this;
  }

  /** A map header as msgpackr writes one for an object of a few keys: always the 16-bit form. */
  map(n: number): this {
    this.add(Uint8Array.of(0xde, n >> 8, n & 0xff));
    return this;
  }

  /** An array header: the fix form below 16 entries, then the 16-bit form, then the 32-bit one. */
  array(n: number): void {
    if (n < 16) return this.add(Uint8Array.of(0x90 | n));
    if (n < 0x10000) return this.add(Uint8Array.of(0xdc, n >> 8, n & 0xff));
    this.add(Uint8Array.of(0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff));
  }

  /** The elements of `items`, without the array's own header; the bytes they took. */
  elements(items: unknown[]): number {
    if (!items.length) return 0;
    const packed = this.packr.pack(items);
    const skip = items.length < 16 ? 1 : items.length < 0x10000 ? 3 : 5;
    this.add(packed.subarray(skip));
    return packed.length - skip;
  }

  /** The sealed bytes: a view when little room is left over, else a copy of just them. */
  seal(): Uint8Array {
    const sealed = this.length * 8 >= this.out.length * 7 ? this.out.subarray(0, this.length) : this.out.slice(0, this.length);
    return stampEnvelope(sealed, this.crc);
  }
}
