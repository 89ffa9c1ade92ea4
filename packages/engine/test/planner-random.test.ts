/**
 * Property tests of the planner's paths against the general scan path on seeded random data with
 * NULLs: the same query written so no index or hash join applies (`n + 0`, `s || ''`,
 * `(x.k = y.k) is true`) must give the same rows for random ranges, IN lists, IS NULL, LIKE
 * prefixes, composite prefixes, orders with LIMIT/OFFSET (either direction, NULLS FIRST/LAST) and
 * joins. A failure prints the seed and the query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { prng } from '../../../test/prng.ts';
import { freshNode } from './sql-helpers.ts';


const SEED = 20261129;
const rand = prng(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
const maybeNull = <T>(v: T, p = 0.15): T | null => (rand() < p ? null : v);
// letters around the places where UTF-16 order and code point order disagree
const ALPHABET = ['a', 'b', 'c', 'é', '\uE000', '\uFF21', '😀', '𝒳'];
const word = () => Array.from({ length: int(0, 3) }, () => pick(ALPHABET)).join('');

let node: Node;
const ROWS = 300;
beforeAll(async () => {
  node = await freshNode();
  await node.exec(`create table r (id int primary key, n int, s text, a int, b int);
    create index r_n on r (n); create index r_s on r (s); create index r_ab on r (a, b);
    create table x (id int primary key, k int, v int);
    create table y (id int primary key, k int);
    create table z (id int primary key, k int);
    create index z_k on z (k)`);
  await node.transaction(async (tx) => {
    for (let i = 1; i <= ROWS; i++) {
      await tx.query('insert into r values ($1, $2, $3, $4, $5)', [i, maybeNull(int(0, 40)), maybeNull(word()), maybeNull(int(0, 4)), maybeNull(int(0, 9))]);
    }
    for (let i = 1; i <= 200; i++) await tx.query('insert into x values ($1, $2, $3)', [i, maybeNull(int(0, 30)), int(0, 3)]);
    for (let i = 1; i <= 150; i++) await tx.query('insert into y values ($1, $2)', [i, maybeNull(int(0, 30))]);
    for (let i = 1; i <= 3000; i++) await tx.query('insert into z values ($1, $2)', [i, maybeNull(int(0, 200), 0.05)]);
  });
});
afterAll(async () => { await node.close(); });

const all = async (sql: string) => (await node.query(sql)).rows;
const sortedIds = (rows: Record<string, unknown>[]) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);

/** A random index-usable condition and the same condition the planner cannot use an index for. */
function condition(): [string, string] {
  const lit = (v: number | string) => (typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);
  switch (int(0, 8)) {
    case 0: {
      const op = pick(['=', '<', '<=', '>', '>=']);
      const v = int(-2, 42);
      return [`n ${op} ${v}`, `n + 0 ${op} ${v}`];
    }
    case 1: {
      const lo = int(-2, 42), hi = int(-2, 42);
      return [`n between ${lo} and ${hi}`, `n + 0 between ${lo} and ${hi}`];
    }
    case 2: {
      const vs = Array.from({ length: int(1, 5) }, () => int(0, 40)).join(', ');
      return [`n in (${vs})`, `n + 0 in (${vs})`];
    }
    case 3: return ['n is null', '(n + 0) is null'];
    case 4: {
      const p = word().slice(0, 2).replace(/[%_\\]/g, '');
      return [`s like ${lit(p + '%')}`, `s || '' like ${lit(p + '%')}`];
    }
    case 5: {
      const op = pick(['<', '<=', '>', '>=']);
      const w = lit(word());
      return [`s ${op} ${w}`, `s || '' ${op} ${w}`];
    }
    case 6: {
      const av = int(0, 4), op = pick(['=', '<', '>=']), bv = int(0, 9);
      return [`a = ${av} and b ${op} ${bv}`, `a + 0 = ${av} and b + 0 ${op} ${bv}`];
    }
    case 7: {
      const v = int(0, 300), w = int(0, 40);
      return [`id > ${v} and n < ${w}`, `id + 0 > ${v} and n + 0 < ${w}`];
    }
    default: {
      const a = int(0, 4);
      return [`a = ${a} and b is null`, `a + 0 = ${a} and (b + 0) is null`];
    }
  }
}

describe('random conditions: index paths return what a full scan returns', () => {
  it('WHERE with =, <, <=, >, >=, BETWEEN, IN, IS NULL, LIKE prefix, text ranges and composite prefixes', async () => {
    for (let q = 0; q < 250; q++) {
      const [cond, plain] = condition();
      const fast = sortedIds(await all(`select id from r where ${cond}`));
      const slow = sortedIds(await all(`select id from r where ${plain}`));
      expect(fast, `seed ${SEED}, query ${q}: where ${cond}`).toEqual(slow);
    }
  });

  it('UPDATE and DELETE through an index path change the same rows as through a scan', async () => {
    for (let q = 0; q < 20; q++) {
      const [cond, plain] = condition();
      await node.query('begin');
      try {
        const b = await node.query(`select id from r where ${plain}`);
        const a = await node.query(`update r set b = -1 where ${cond} returning id`);
        expect(a.rowCount, `seed ${SEED}, update ${q}: where ${cond}`).toBe(sortedIds(b.rows).length);
        expect(sortedIds(a.rows)).toEqual(sortedIds(b.rows));
      } finally {
        await node.query('rollback');
      }
    }
  });
});

describe('random orders: an index walk returns the order a sort returns', () => {
  it('ORDER BY an indexed column, either direction and NULLS placement, with LIMIT/OFFSET and a condition', async () => {
    for (let q = 0; q < 200; q++) {
      const col = pick(['n', 's', 'id']);
      const dir = pick(['', ' desc']);
      const nulls = pick(['', ' nulls first', ' nulls last']);
      const [cond, plain] = rand() < 0.5 ? condition() : ['true', 'true'];
      const limit = int(0, 40), offset = int(0, 5);
      const plainCol = col === 's' ? "s || ''" : `${col} + 0`;
      const fast = await all(`select id, ${col} as k from r where ${cond} order by ${col}${dir}${nulls} limit ${limit} offset ${offset}`);
      const full = await all(`select id, ${plainCol} as k from r where ${plain} order by ${plainCol}${dir}${nulls}`);
      const what = `seed ${SEED}, order ${q}: where ${cond} order by ${col}${dir}${nulls} limit ${limit} offset ${offset}`;
      // the sort keys in order must agree; rows tied on the key may come in any order
      expect(fast.map((r) => r.k), what).toEqual(full.slice(offset, offset + limit).map((r) => r.k));
      const valid = new Set(full.map((r) => `${r.id}:${String(r.k)}`));
      for (const r of fast) expect(valid.has(`${r.id}:${String(r.k)}`), what).toBe(true);
    }
  });

  it('ORDER BY the second column of a composite index after equality on the first', async () => {
    for (let q = 0; q < 100; q++) {
      const a = int(0, 4), dir = pick(['', ' desc']), limit = int(1, 30);
      const fast = await all(`select id, b as k from r where a = ${a} order by b${dir} limit ${limit}`);
      const full = await all(`select id, b + 0 as k from r where a + 0 = ${a} order by b + 0${dir}`);
      expect(fast.map((r) => r.k), `a = ${a} order by b${dir} limit ${limit}`).toEqual(full.slice(0, limit).map((r) => r.k));
    }
  });

  it('top-N without an index equals a full sort cut to the limit', async () => {
    for (let q = 0; q < 100; q++) {
      const dir = pick(['', ' desc']), nulls = pick(['', ' nulls first', ' nulls last']), limit = int(0, 50), offset = int(0, 10);
      const order = `n + b${dir}${nulls}, id`;
      const fast = await all(`select id from r order by ${order} limit ${limit} offset ${offset}`);
      const full = await all(`select id from r order by ${order}`);
      expect(fast.map((r) => r.id), order).toEqual(full.slice(offset, offset + limit).map((r) => r.id));
    }
  });

  it('min, max and count(*) from the indexes equal the aggregates over the rows', async () => {
    const fast = (await all('select count(*) as c, min(n) as a, max(n) as b, min(s) as c2, max(s) as d from r'))[0]!;
    const slow = (await all("select count(id + 0) as c, min(n + 0) as a, max(n + 0) as b, min(s || '') as c2, max(s || '') as d from r"))[0]!;
    expect({ ...fast, c: Number(fast.c) }).toEqual({ ...slow, c: Number(slow.c) });
  });
});

describe('random joins: hash joins and index nested loops return what a nested loop returns', () => {
  const pairs = (rows: Record<string, unknown>[]) => rows.map((r) => Object.values(r).join(',')).sort();

  it('two and three tables, JOIN … ON and comma joins, correlated sub-selects probing an index, NULL keys', async () => {
    for (let q = 0; q < 30; q++) {
      const v = int(0, 3), lim = int(0, 30);
      const queries: Array<[string, string]> = [
        [`select x.id as a, y.id as b from x join y on x.k = y.k where x.v = ${v}`, `select x.id as a, y.id as b from x join y on (x.k = y.k) is true where x.v + 0 = ${v}`],
        [`select x.id as a, y.id as b, z.id as c from x, y, z where x.k = y.k and z.k = y.id and x.v = ${v}`,
          `select x.id as a, y.id as b, z.id as c from x, y, z where (x.k = y.k) is true and (z.k = y.id) is true and x.v + 0 = ${v}`],
        [`select y.id as b, z.id as c from y join z on z.k = y.k where y.id < ${lim}`, `select y.id as b, z.id as c from y join z on (z.k = y.k) is true where y.id + 0 < ${lim}`],
        [`select x.id as a, y.id as b from x left join y on x.k = y.k and y.id > ${lim}`,
          `select x.id as a, y.id as b from x left join y on (x.k = y.k) is true and y.id > ${lim}`],
        [`select x.id as a, z.id as c from x left join z on z.k = x.k + ${v} where x.v = ${v}`,
          `select x.id as a, z.id as c from x left join z on (z.k = x.k + ${v}) is true where x.v = ${v}`],
        [`select x.id as a, y.id as b, k from x join y using (k) where x.v = ${v}`, `select x.id as a, y.id as b, x.k as k from x join y on (x.k = y.k) is true where x.v = ${v}`],
        [`select x.id as a, y.id as b, k from x left join y using (k) where x.v = ${v}`, `select x.id as a, y.id as b, x.k as k from x left join y on (x.k = y.k) is true where x.v = ${v}`],
        // z (3000 rows) probes a hash of the y rows, then x joins the pairs: a hash built from rows joined before it
        [`select y.id as b, z.id as c, x.id as a from y join z on z.k + 0 = y.k and z.id % 3 = y.id % 3 and z.id > y.id join x on x.k = z.k where x.v = ${v} and y.id < ${lim} and z.id <= 600`,
          `select y.id as b, z.id as c, x.id as a from y join z on (z.k + 0 = y.k) is true and (z.id % 3 = y.id % 3) is true and z.id > y.id join x on (x.k = z.k) is true where x.v = ${v} and y.id < ${lim} and z.id + 0 <= 600`],
        [`select x.id as a, count(*) as n from x join y on y.k = x.k and y.id > x.id group by x.id`,
          `select x.id as a, count(*) as n from x join y on (y.k = x.k) is true and y.id > x.id group by x.id`],
      ];
      // the references scan z once per outer row: a few rounds suffice
      if (q % 10 === 0) queries.push(
        [`select x.id as a from x where exists (select 1 from z where z.k = x.k and z.id > ${lim * 50})`,
          `select x.id as a from x where exists (select 1 from z where (z.k = x.k) is true and z.id + 0 > ${lim * 50})`],
        [`select y.id as b, (select count(*) from z where z.k between y.k and y.k + ${v}) as n from y`,
          `select y.id as b, (select count(*) from z where z.k + 0 between y.k and y.k + ${v}) as n from y`],
      );
      for (const [fast, slow] of queries) {
        expect(pairs(await all(fast)), `seed ${SEED}, join ${q}: ${fast}`).toEqual(pairs(await all(slow)));
      }
    }
  });
});

describe('random LATERAL joins: a sub-select joined as soon as the items it reads are returns what it returns joined last', () => {
  const rows = (rs: Record<string, unknown>[]) => rs.map((r) => Object.values(r).join(',')).sort();

  it('VALUES and sub-selects reading one of several earlier items, hash and index joins after them, NULL keys', async () => {
    // `+ 0 * y.id` makes the sub-select read y as well (y.id is never NULL), so it runs after
    // every earlier item, per pair, as before; `(… = …) is true` keeps hash and index joins out.
    // The slow forms run their sub-select per pair: the earlier items are cut to a few rows.
    for (let q = 0; q < 12; q++) {
      const v = int(0, 3), lim = int(1, 12), m = int(2, 7), few = int(1, 12);
      const queries: Array<[string, string]> = [
        [`select x.id as a, y.id as b, s.c from x, y join lateral (values (x.k), (x.v + ${v})) s(c) on y.k = s.c where x.v = ${v} and x.id <= ${few * 4}`,
          `select x.id as a, y.id as b, s.c from x, y join lateral (values (x.k + 0 * y.id), (x.v + ${v} + 0 * y.id)) s(c) on (y.k = s.c) is true where x.v + 0 = ${v} and x.id <= ${few * 4}`],
        [`select x.id as a, y.id as b, s.c from x, y, lateral (select z.id as c, z.k from z where z.k = x.k order by z.id limit ${m}) s where s.c % ${m} = y.id % ${m} and y.k < ${lim * 3} and x.id <= ${few} and x.v >= 0`,
          `select x.id as a, y.id as b, s.c from x, y, lateral (select z.id as c, z.k from z where z.k = x.k + 0 * y.id order by z.id limit ${m}) s where (s.c % ${m} = y.id % ${m}) is true and y.k < ${lim * 3} and x.id <= ${few} and x.v >= 0`],
        [`select x.id as a, z.id as c from x, lateral (select x.k + ${v} as k1) s1, z, lateral (select s1.k1 - 1 as k2) s2 where z.k = s2.k2 and x.id < ${lim}`,
          `select x.id as a, z.id as c from x, lateral (select x.k + ${v} as k1) s1, z, lateral (select s1.k1 - 1 + 0 * z.id as k2) s2 where (z.k = s2.k2) is true and x.id + 0 < ${lim}`],
        [`select y.id as b, x.id as a, s.n from y, x join lateral (select count(*) as n from z where z.k = y.k) s on s.n > x.v where x.k = y.k and y.id <= ${few}`,
          `select y.id as b, x.id as a, s.n from y, x join lateral (select count(*) as n from z where z.k = y.k + 0 * x.id) s on s.n > x.v where (x.k = y.k) is true and y.id <= ${few}`],
      ];
      for (const [fast, slow] of queries) {
        expect(rows(await all(fast)), `seed ${SEED}, lateral ${q}: ${fast}`).toEqual(rows(await all(slow)));
      }
    }
  });
});
