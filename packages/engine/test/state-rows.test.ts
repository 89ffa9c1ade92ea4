/**
 * The row representation (state/state.ts, state/btree.ts): rows in 64-entry copy-on-write B+ tree
 * nodes, text handed over as its flat copy. Random inserts, updates, deletes, commits and rollbacks
 * against a Map model, with every earlier committed state kept and checked again after later
 * writes (a reader's snapshot never sees them); and text that must come back exactly as written.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IndexDef, TableDef } from '../src/catalog/types.ts';
import type { Node } from '../src/index.ts';
import type { Value } from '../src/sql/types.ts';
import { DbState, TableData, buildIndex } from '../src/state/state.ts';
import { prng } from '../../../test/prng.ts';
import { freshNode } from './sql-helpers.ts';

const OID = 1;
const def: TableDef = { oid: OID, name: 't', checks: [], columns: [{ name: 'k' }, { name: 'n' }, { name: 's' }] as TableDef['columns'] };
const pk: IndexDef = { oid: 2, name: 't_pkey', table: OID, columns: ['k'], unique: true, primary: true, constraint: true };
const byN: IndexDef = { oid: 3, name: 't_n', table: OID, columns: ['n'], unique: false, primary: false, constraint: false };

type Model = Map<number, Value[]>;

/** The table's rows, primary key index and `n` index, checked against the model. */
function expectMatches(state: DbState, model: Model): void {
  const t = state.table(OID);
  const rows: [number, Value[]][] = [];
  t.rows.forEachPair((id, row) => void rows.push([id, row]));
  expect(rows).toEqual([...model].sort((a, b) => a[0] - b[0]));
  expect(t.rows.size).toBe(model.size);
  // the indexes as maintained row by row equal the ones built afresh from the rows (an entry's ids in any order)
  const entries = (tree: TableData['indexes'][number]['tree']) => tree.toArray().map(([k, ids]) => [k, typeof ids === 'number' ? [ids] : [...ids].sort((a, b) => a - b)]);
  for (const ix of t.indexes) expect(entries(ix.tree)).toEqual(entries(buildIndex(ix.def, t).tree));
  for (const [id, row] of model) expect(t.indexes[0]!.lookup(row[0]!)).toEqual([id]);
}

describe('rows in copy-on-write trees', () => {
  for (const seed of [1, 2, 3]) {
    it(`random writes, commits and rollbacks match a Map model, and earlier states never change (seed ${seed})`, () => {
      const r = prng(seed);
      let current = new DbState();
      const table = new TableData(def);
      table.indexes = [buildIndex(pk, table), buildIndex(byN, table)];
      current.adopt(OID, table);
      let model: Model = new Map();
      const kept: Array<[DbState, Model]> = [];
      let nextKey = 0;
      for (let txn = 0; txn < 60; txn++) {
        const fork = current.fork();
        const next: Model = new Map(model);
        // some transactions are bulk loads (leaf splits), most a few scattered writes
        const writes = r() < 0.15 ? 400 + Math.floor(r() * 400) : 1 + Math.floor(r() * 40);
        for (let w = 0; w < writes; w++) {
          const t = fork.writable(OID);
          const ids = [...next.keys()];
          const op = r();
          if (op < 0.55 || ids.length === 0) {
            const id = t.nextRowId;
            const row: Value[] = [nextKey++, Math.floor(r() * 50), `text-${'x'.repeat(Math.floor(r() * 20))}-${id}`];
            t.insert(id, row);
            next.set(id, row);
          } else if (op < 0.8) {
            const id = ids[Math.floor(r() * ids.length)]!;
            const row: Value[] = [next.get(id)![0]!, Math.floor(r() * 50), r() < 0.2 ? null : `u${id}-${w}`];
            t.update(id, row);
            next.set(id, row);
          } else {
            const id = ids[Math.floor(r() * ids.length)]!;
            t.delete(id);
            next.delete(id);
          }
        }
        if (r() < 0.3) {
          // rolled back: the fork is dropped, the committed state is as it was
          expectMatches(current, model);
          continue;
        }
        if (r() < 0.3) kept.push([current, model]);
        current = fork;
        model = next;
        expectMatches(current, model);
      }
      expect(model.size).toBeGreaterThan(200);
      for (const [state, m] of kept) expectMatches(state, m);
    });
  }
});

describe('text kept in rows', () => {
  let node: Node | undefined;
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });

  it('comes back exactly as written: decomposed (non-NFC) text, ropes, short and long text', async () => {
    node = await freshNode();
    await node.exec('CREATE TABLE t (id int PRIMARY KEY, s text)');
    const decomposed = 'cafe\u0301 au lait, cre\u0300me bru\u0302le\u0301e';
    const piece = (i: number) => String(i).padStart(8, '0');
    const values = [
      decomposed, // normalize() would change it: it must not be stored normalized
      decomposed.normalize('NFD') + '\u212b', // Angstrom sign, which NFC turns into Å
      `name-${piece(1)}`, // a rope of 13 characters, V8's shortest
      `naïve-€-${piece(2)}`, // a two-byte rope
      'short',
      'x'.repeat(2000) + piece(3), // above the length normalize is tried on
      `${'y'.repeat(600)}${'\u0301'.repeat(3)}`,
    ];
    for (const [i, v] of values.entries()) await node.query('INSERT INTO t VALUES ($1, $2)', [i, v]);
    await node.query('UPDATE t SET s = $1 WHERE id = 0', [`${decomposed}${piece(4)}`]);
    values[0] = `${decomposed}${piece(4)}`;
    const { rows } = await node.query<{ s: string }>('SELECT s FROM t ORDER BY id');
    expect(rows.map((x) => x.s)).toEqual(values);
    // the text is compared exactly, not after normalization
    const { rows: found } = await node.query<{ c: number }>('SELECT count(*)::int AS c FROM t WHERE s = $1', [values[1]!.normalize('NFC')]);
    expect(found[0]!.c).toBe(0);
  });
});
