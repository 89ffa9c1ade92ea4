/**
 * Keyed live queries (PGlite's live.changes and live.incrementalQuery): only what changed is
 * delivered, unchanged rows keep their objects, and commits to other tables run nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Change, Node, QueryResult } from '../src/index.ts';
import { freshNode } from './sql-helpers.ts';

const open: Node[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((n) => n.close()));
});

async function node(): Promise<Node> {
  const n = await freshNode();
  open.push(n);
  await n.exec('create table a(id int primary key, name text, n int); create table b(id int primary key)');
  const values = Array.from({ length: 100 }, (_, i) => `(${i + 1}, 'row ${i + 1}', ${i})`);
  await n.exec(`insert into a values ${values.join(', ')}`);
  return n;
}

/** Values pushed by a callback, with a bounded wait for the nth. */
function inbox<T>() {
  const items: T[] = [];
  let wake: (() => void) | undefined;
  return {
    items,
    push: (v: T) => {
      items.push(v);
      wake?.();
    },
    async nth(n: number): Promise<T> {
      const deadline = Date.now() + 5000;
      while (items.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} deliveries, got ${items.length}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
      return items[n - 1]!;
    },
  };
}

describe('live queries keyed by a column', () => {
  it('live.changes delivers only the inserted, updated (changed columns) and deleted rows', async () => {
    const db = await node();
    const got = inbox<Change[]>();
    const lc = await db.live.changes('select id, name, n from a order by id', [], 'id', got.push);
    expect(lc.initialChanges).toHaveLength(100);
    expect(lc.initialChanges[0]).toEqual({ id: 1, name: 'row 1', n: 0, __op__: 'INSERT', __changed_columns__: ['id', 'name', 'n'], __after__: null });
    expect(lc.fields.map((f) => f.name)).toEqual(['id', 'name', 'n']);

    await db.query('insert into a values (101, $1, 7)', ['new']);
    expect(await got.nth(2)).toEqual([{ id: 101, name: 'new', n: 7, __op__: 'INSERT', __changed_columns__: ['id', 'name', 'n'], __after__: 100 }]);
    await db.query('update a set name = $1 where id = 50', ['fifty']);
    expect(await got.nth(3)).toEqual([{ id: 50, name: 'fifty', __op__: 'UPDATE', __changed_columns__: ['name'], __after__: 49 }]);
    await db.query('delete from a where id = 1');
    expect(await got.nth(4)).toEqual([
      { id: 2, __op__: 'UPDATE', __changed_columns__: [], __after__: null },
      { id: 1, __op__: 'DELETE', __changed_columns__: [], __after__: undefined },
    ]);
    await lc.unsubscribe();
  });

  it('incrementalQuery keeps the objects of unchanged rows and says nothing when a commit changed no row it shows', async () => {
    const db = await node();
    const got = inbox<QueryResult<{ id: number; name: string }>>();
    const iq = await db.live.incrementalQuery<{ id: number; name: string }>('select id, name from a where n < 10 order by id', [], 'id', got.push);
    const before = iq.initialResults.rows;
    expect(before).toHaveLength(10);
    // a row the query does not show: the table changed, the result did not
    await db.query('update a set name = $1 where id = 90', ['not shown']);
    await db.query('update a set name = $1 where id = 3', ['three']);
    const after = (await got.nth(2)).rows;
    expect(got.items).toHaveLength(2);
    expect(after[2]).toEqual({ id: 3, name: 'three' });
    expect(after.filter((r, i) => r !== before[i]).map((r) => r.id)).toEqual([3]);
    await iq.unsubscribe();
  });

  it('live.changes keyed by a timestamp tells apart keys and values that differ only in microseconds', async () => {
    const db = await node();
    await db.exec("create table ev (at timestamp primary key, seen timestamptz); insert into ev values ('2024-01-01 00:00:00.000001', null), ('2024-01-01 00:00:00.000002', null)");
    const got = inbox<Change[]>();
    const lc = await db.live.changes('select at::text as t, at, seen from ev order by at', [], 'at', got.push);
    expect(lc.initialChanges.map((c) => c.t)).toEqual(['2024-01-01 00:00:00.000001', '2024-01-01 00:00:00.000002']);
    await db.query("update ev set seen = '2024-01-01 00:00:00.000001+00' where at = '2024-01-01 00:00:00.000002'");
    expect((await got.nth(2)).map((c) => [c.__op__, c.__changed_columns__])).toEqual([['UPDATE', ['seen']]]);
    await db.query("update ev set seen = '2024-01-01 00:00:00.000002+00' where at = '2024-01-01 00:00:00.000002'");
    expect((await got.nth(3)).map((c) => [c.__op__, c.__changed_columns__])).toEqual([['UPDATE', ['seen']]]);
    await lc.unsubscribe();
  });

  it('a live query over one table is not re-run by commits to another', async () => {
    const db = await node();
    const runsA = inbox<QueryResult>();
    const runsB = inbox<QueryResult>();
    const stopA = db.live('select count(*)::int as c from a', [], runsA.push);
    const stopB = db.live('select count(*)::int as c from b', [], runsB.push);
    await runsA.nth(1);
    await runsB.nth(1);
    for (let i = 1; i <= 20; i++) await db.query('insert into b values ($1)', [i]);
    // b's query re-ran after the commits; a re-run of a's, scheduled by the same commits, would have come first
    while ((await runsB.nth(runsB.items.length)).rows[0]!.c !== 20) await runsB.nth(runsB.items.length + 1);
    expect(runsA.items).toHaveLength(1);
    await db.query('insert into a values (500, $1, 1)', ['x']);
    expect((await runsA.nth(2)).rows).toEqual([{ c: 101 }]);
    stopA();
    stopB();
  });

  it('refuses a key column the result does not have', async () => {
    const db = await node();
    await expect(db.live.changes('select name from a', [], 'id')).rejects.toThrow('live query key column "id" is not in the result');
    await expect(db.live.incrementalQuery('select id, name from a', [], '')).rejects.toThrow('needs the name of its key column');
  });
});
