/**
 * Row writes to a table still encoded (state.ts `TableData`, checkpoint/encoded-table.ts) wait on
 * its log and are applied in order when it is decoded; copies share the encoded rows and each keeps
 * its own writes; a log of 65,536 writes decodes the table instead of growing. Checked against a
 * table loaded eagerly from the same chunks and given the same writes.
 */
import { describe, expect, it } from 'vitest';
import type { IndexDef, TableDef } from '../src/catalog/types.ts';
import { EncodedTable, type EncodedChunk } from '../src/checkpoint/encoded-table.ts';
import { CHUNK_IDS } from '../src/checkpoint/format.ts';
import type { Value } from '../src/sql/types.ts';
import { restoreTable } from '../src/state/snapshot.ts';
import { TableData } from '../src/state/state.ts';
import { seal } from '../src/storage/envelope.ts';
import { prng } from '../../../test/prng.ts';

const def: TableDef = { oid: 1, name: 't', checks: [], columns: [{ name: 'k' }, { name: 'n' }] as TableDef['columns'] };
const pk: IndexDef = { oid: 2, name: 't_pkey', table: 1, columns: ['k'], unique: true, primary: true, constraint: true };
const byN: IndexDef = { oid: 3, name: 't_n', table: 1, columns: ['n'], unique: false, primary: false, constraint: false };
const loaded = { def, nextRowId: 0, indexes: [pk, byN] };

/** `count` rows with ids 1…count, sealed in chunks as a checkpoint stores them. */
function chunks(count: number): EncodedChunk[] {
  const out: EncodedChunk[] = [];
  for (let index = 0; index * CHUNK_IDS <= count; index++) {
    const ids: number[] = [];
    for (let id = Math.max(1, index * CHUNK_IDS); id < Math.min(count + 1, (index + 1) * CHUNK_IDS); id++) ids.push(id);
    if (ids.length) out.push({ index, rows: ids.length, bytes: seal({ ids, rows: ids.map((id) => [id, id % 7]) }) });
  }
  return out;
}

const encodedTable = (count: number) => TableData.deferred(def, count + 1, new EncodedTable({ ...loaded, nextRowId: count + 1 }, chunks(count), 'checkpoint chunk'));
const eagerTable = (count: number) => {
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  return restoreTable({ def, nextRowId: count + 1, indexes: [pk, byN] }, [{ ids, rows: ids.map((id) => [id, id % 7]) }]);
};
const contents = (t: TableData) => ({ rows: t.rows.toArray(), n: t.indexes[1]!.tree.toArray(), pk: t.indexes[0]!.tree.toArray(), next: t.nextRowId });

type Write = [op: 'insert' | 'update' | 'delete', id: number, row?: Value[]];
function randomWrites(seed: number, count: number, rows: number): Write[] {
  const r = prng(seed);
  let next = rows + 1;
  return Array.from({ length: count }, (): Write => {
    const x = r();
    if (x < 0.4) return ['insert', next, [next++, Math.floor(r() * 7)]];
    const id = 1 + Math.floor(r() * (next - 1));
    return x < 0.8 ? ['update', id, [id, Math.floor(r() * 7)]] : ['delete', id];
  });
}
const apply = (t: TableData, w: Write) => (w[0] === 'delete' ? t.delete(w[1]) : t[w[0]](w[1], [...w[2]!]));

describe('writes to a table still encoded', () => {
  it('wait on its log, decode nothing, and give the rows and indexes of an eager table once read', () => {
    for (const seed of [1, 2, 3]) {
      const lazy = encodedTable(5000);
      const eager = eagerTable(5000);
      for (const w of randomWrites(seed, 3000, 5000)) {
        apply(lazy, w);
        apply(eager, w);
      }
      expect(lazy.stillEncoded).toBeDefined();
      expect(lazy.encodedAsLoaded).toBeUndefined();
      expect(contents(lazy)).toEqual(contents(eager));
    }
  });

  it("a copy shares the encoded rows and keeps its own writes: neither sees the other's", () => {
    const parent = encodedTable(3000);
    parent.insert(3001, [3001, 1]);
    const child = parent.clone();
    child.delete(10);
    child.update(11, [11, 6]);
    parent.update(12, [12, 5]);
    const eagerParent = eagerTable(3000);
    eagerParent.insert(3001, [3001, 1]);
    eagerParent.update(12, [12, 5]);
    const eagerChild = eagerTable(3000);
    eagerChild.insert(3001, [3001, 1]);
    eagerChild.delete(10);
    eagerChild.update(11, [11, 6]);
    expect(contents(child)).toEqual(contents(eagerChild));
    // the child decoded the shared rows: the parent takes the same result, then its own writes
    expect(parent.stillEncoded).toBeUndefined();
    expect(contents(parent)).toEqual(contents(eagerParent));
  });

  it('a log of 65,536 writes decodes the table instead of growing', () => {
    const lazy = encodedTable(100);
    const eager = eagerTable(100);
    for (let id = 101; id <= 101 + 65_536; id++) {
      lazy.insert(id, [id, id % 7]);
      eager.insert(id, [id, id % 7]);
      if (id === 100 + 65_536) expect(lazy.stillEncoded).toBeDefined();
    }
    expect(lazy.stillEncoded).toBeUndefined();
    expect(contents(lazy)).toEqual(contents(eager));
  });
});
