// A fork's copy of a table shares its indexes with the table it copied until it writes one of them
// (TableData.clone / ownIndexes): an autocommit UPDATE that changes no key copies no index. Every
// kept state's indexes must still hold exactly its own rows' keys, built, partial, or not built yet
// (a lazily opened index counts changes even when its key stays).
import { describe, expect, it } from 'vitest';
import type { IndexDef, TableDef } from '../src/catalog/types.ts';
import { lazyIndex } from '../src/state/lazy-index.ts';
import { DbState, IndexData, TableData } from '../src/state/state.ts';
import type { Value } from '../src/sql/types.ts';

const OID = 16384;
const tableDef = { oid: OID, name: 't', columns: [{ name: 'k', type: 'int4', notNull: true }, { name: 'n', type: 'int4', notNull: false }], indexes: [], checks: [] } as unknown as TableDef;
const indexDef = (oid: number, column: string, unique: boolean): IndexDef => ({ oid, name: `i${oid}`, table: OID, columns: [column], unique, primary: false, constraint: false });

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Each index's entries as sorted "key:id" strings, and what the rows say they must be. */
function entries(t: TableData): { have: string[][]; want: string[][] } {
  const rows: [number, Value[]][] = [];
  t.rows.forEachPair((id, row) => void rows.push([id, row]));
  const have = t.indexes.map((ix) => {
    const out: string[] = [];
    ix.tree.forEachPair((key, ids) => { for (const id of typeof ids === 'number' ? [ids] : ids) out.push(`${String(key)}:${id}`); });
    return out.sort();
  });
  const want = t.indexes.map((ix) => rows.map(([id, row]) => `${String(ix.keyOf(row))}:${id}`).sort());
  return { have, want };
}

function start(): DbState {
  const state = new DbState();
  const t = new TableData(tableDef);
  for (let k = 1; k <= 40; k++) t.insert(k, [k, k % 7]);
  t.indexes = [new IndexData(indexDef(1, 'k', true), tableDef), new IndexData(indexDef(2, 'n', false), tableDef)];
  for (const ix of t.indexes) t.rows.forEachPair((id, row) => void ix.add(ix.keyOf(row), id));
  // a third index opened lazily: built from the rows as they are now, on first read
  t.indexes.push(new IndexData(indexDef(3, 'n', false), tableDef, lazyIndex(indexDef(3, 'n', false), tableDef, t.rows.clone())));
  state.adopt(OID, t);
  return state;
}

describe("a fork's table shares its indexes until it writes one", () => {
  it('an update that changes no key copies no built index; one that changes a key copies them, and the parent keeps its entries', () => {
    const parent = start();
    void parent.table(OID).indexes[2]!.tree; // built, so the unchanged-key update leaves every index alone
    const same = parent.fork();
    same.writable(OID).update(5, [5, 100]);
    same.writable(OID).update(5, [5, 5 % 7]);
    const shared = parent.table(OID).indexes;
    same.writable(OID).update(6, [6, 6 % 7]);
    expect(same.table(OID).indexes.every((ix, i) => ix === shared[i])).toBe(false);
    const quiet = parent.fork();
    quiet.writable(OID).update(7, [7, 7 % 7]);
    expect(quiet.table(OID).indexes.every((ix, i) => ix === shared[i])).toBe(true);
    const moved = parent.fork();
    moved.writable(OID).update(8, [8, 99]);
    expect(moved.table(OID).indexes[1]).not.toBe(shared[1]);
    expect(parent.table(OID).indexes[1]!.lookup(99)).toEqual([]);
    expect(moved.table(OID).indexes[1]!.lookup(99)).toEqual([8]);
    for (const s of [parent, same, quiet, moved]) {
      const { have, want } = entries(s.table(OID));
      expect(have).toEqual(want);
    }
  });

  for (const seed of [1, 2, 3]) {
    it(`kept states' indexes hold exactly their rows' keys under random forks, updates, inserts and deletes (seed ${seed})`, () => {
      const rnd = lcg(seed);
      let state = start();
      const kept: DbState[] = [state];
      let nextKey = 41;
      for (let step = 0; step < 1500; step++) {
        const r = rnd();
        if (r < 0.25) {
          kept.push(state);
          state = state.fork();
          continue;
        }
        const t = state.writable(OID);
        const ids: number[] = [];
        t.rows.forEachPair((id) => void ids.push(id));
        const id = ids[Math.floor(rnd() * ids.length)];
        if (r < 0.7 && id !== undefined) {
          const row = t.rows.get(id)!;
          // mostly the key left as it is (a point UPDATE of another column)
          t.update(id, [row[0]!, rnd() < 0.6 ? row[1]! : Math.floor(rnd() * 9)]);
        } else if (r < 0.85 || id === undefined) {
          t.insert(nextKey, [nextKey, nextKey % 5]);
          nextKey++;
        } else t.delete(id);
        if (rnd() < 0.05) void t.indexes[2]!.tree;
      }
      kept.push(state);
      for (const s of kept) {
        const { have, want } = entries(s.table(OID));
        expect(have).toEqual(want);
      }
    });
  }
});
