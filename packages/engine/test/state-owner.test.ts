// A fork writes in place only the tables it copied or created itself (TableData.owner): every
// state taken before — a committed state a snapshot holds, a reader's state taken in the middle of
// a transaction, a savepoint, a rolled-back fork's parent, a statement's snapshot of the tables its
// transaction goes on writing, a tree clone as a checkpoint or a base backup takes, read in slices
// while writes go on — keeps its version. Random writes, forks and clones against a model of each
// kept version.
import { describe, expect, it } from 'vitest';
import type { TableDef } from '../src/catalog/types.ts';
import { DbState, TableData } from '../src/state/state.ts';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const def = (oid: number): TableDef =>
  ({ oid, name: `t${oid}`, columns: [{ name: 'n', type: 'int4', notNull: false }], indexes: [], checks: [] }) as unknown as TableDef;

type Model = Map<number, Map<number, number>>;
const copyModel = (m: Model): Model => new Map([...m].map(([oid, rows]) => [oid, new Map(rows)]));

function contents(state: DbState): Model {
  const out: Model = new Map();
  for (const [oid, t] of state.tables) {
    const rows = new Map<number, number>();
    t.rows.forEachPair((id, row) => void rows.set(id, row[0] as number));
    out.set(oid, rows);
  }
  return out;
}

describe('a fork writes in place only the tables it owns', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`kept states and tree clones never change (seed ${seed})`, () => {
      const rnd = lcg(seed);
      const oids = [16384, 16385, 16386];
      let state = new DbState();
      for (const oid of oids) state.adopt(oid, new TableData(def(oid)));
      let model: Model = new Map(oids.map((o) => [o, new Map()]));
      const kept: { state: DbState; model: Model }[] = [];
      const clones: { rows: TableData['rows']; model: Map<number, number> }[] = [];
      /** Clones read a few entries per step while the writes go on, as a checkpoint writes its slices. */
      const slicers: { next: () => IteratorResult<[number, unknown[]]>; want: [number, number][]; at: number; done: boolean }[] = [];
      /** The open transaction's fork and the savepoints under it (each a state never written again). */
      let txn: { base: DbState; baseModel: Model; stack: { state: DbState; model: Model }[] } | undefined;

      for (let step = 0; step < 4000; step++) {
        const r = rnd();
        if (!txn) {
          // begin: fork the committed state
          txn = { base: state, baseModel: model, stack: [] };
          state = state.fork();
          model = copyModel(model);
        } else if (r < 0.06) {
          // commit: the fork becomes the committed state; sometimes a reader keeps it
          txn = undefined;
          if (rnd() < 0.3) kept.push({ state, model: copyModel(model) });
          continue;
        } else if (r < 0.09) {
          // roll back: the committed state is what it was
          state = txn.base;
          model = txn.baseModel;
          txn = undefined;
          continue;
        } else if (r < 0.12) {
          // savepoint: the current state is frozen, work goes on in a fork of it
          txn.stack.push({ state, model: copyModel(model) });
          kept.push({ state, model: copyModel(model) });
          state = state.fork();
        } else if (r < 0.14 && txn.stack.length) {
          // ROLLBACK TO the newest savepoint
          const sp = txn.stack[txn.stack.length - 1]!;
          state = sp.state.fork();
          model = copyModel(sp.model);
        } else if (r < 0.17) {
          // a checkpoint's or base backup's O(1) clone of one table's rows
          const oid = oids[Math.floor(rnd() * oids.length)]!;
          clones.push({ rows: state.table(oid).rows.clone(), model: new Map(model.get(oid)!) });
        } else if (r < 0.19) {
          // a reader takes the committed state while the transaction writes
          kept.push({ state: txn.base, model: copyModel(txn.baseModel) });
        } else if (r < 0.21) {
          // a statement's snapshot of every table (sql/cte/modifying.ts) while its transaction goes on writing them
          const snap = state.fork();
          for (const [o, t] of state.tables) snap.tables.set(o, t.clone());
          kept.push({ state: snap, model: copyModel(model) });
        } else if (r < 0.23) {
          // a checkpoint's clone, read in slices between the writes that follow
          const oid = oids[Math.floor(rnd() * oids.length)]!;
          const it = state.table(oid).rows.clone().entries();
          slicers.push({ next: () => it.next(), want: [...model.get(oid)!].sort((a, b) => a[0] - b[0]), at: 0, done: false });
        }
        for (const sl of slicers) {
          for (let k = 0; k < 3 && !sl.done; k++) {
            const got = sl.next();
            if (got.done) {
              sl.done = true;
              expect(sl.at).toBe(sl.want.length);
            } else expect([got.value[0], got.value[1][0]]).toEqual(sl.want[sl.at++]);
          }
        }
        const oid = oids[Math.floor(rnd() * oids.length)]!;
        const id = 1 + Math.floor(rnd() * 300);
        const t = state.writable(oid);
        const rows = model.get(oid)!;
        const op = rnd();
        if (op < 0.5) {
          const n = Math.floor(rnd() * 1e6);
          if (rows.has(id)) t.update(id, [n]);
          else t.insert(id, [n]);
          rows.set(id, n);
        } else if (op < 0.7) {
          t.delete(id);
          rows.delete(id);
        } else {
          // appends past the end (the btree-append path)
          const next = t.nextRowId + Math.floor(rnd() * 3);
          const n = Math.floor(rnd() * 1e6);
          t.insert(next, [n]);
          rows.set(next, n);
        }
        if (step % 500 === 499) for (const k of kept) expect(contents(k.state)).toEqual(k.model);
      }
      expect(contents(state)).toEqual(model);
      for (const k of kept) expect(contents(k.state)).toEqual(k.model);
      for (const c of clones) {
        const got = new Map<number, number>();
        c.rows.forEachPair((id, row) => void got.set(id, row[0] as number));
        expect(got).toEqual(c.model);
        c.rows.checkValid();
      }
      for (const sl of slicers) {
        if (!sl.done) for (let got = sl.next(); !got.done; got = sl.next()) expect([got.value[0], got.value[1][0]]).toEqual(sl.want[sl.at++]);
        expect(sl.at).toBe(sl.want.length);
      }
      expect(kept.length).toBeGreaterThan(50);
      expect(clones.length).toBeGreaterThan(50);
      expect(slicers.length).toBeGreaterThan(50);
    });
  }

  it('a table copied by one fork is copied again by a fork of that fork, not written in place', () => {
    const root = new DbState();
    root.adopt(1, new TableData(def(1)));
    const a = root.fork();
    const ta = a.writable(1);
    ta.insert(1, [10]);
    expect(a.writable(1)).toBe(ta);
    const b = a.fork();
    const tb = b.writable(1);
    expect(tb).not.toBe(ta);
    tb.insert(2, [20]);
    expect(contents(a)).toEqual(new Map([[1, new Map([[1, 10]])]]));
    expect(contents(b)).toEqual(new Map([[1, new Map([[1, 10], [2, 20]])]]));
    expect(contents(root)).toEqual(new Map([[1, new Map()]]));
  });
});
