/**
 * Exact values end to end through a node: int8 past 2^53 as bigint (a number while safe, as
 * PGlite returns int8), numeric as its exact text, parameters of every accepted kind, sequences,
 * and the round trip through WAL records, crash recovery and checkpoints.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { openNode, type Node } from '../src/index.ts';
import { Numeric } from '../src/sql/numeric.ts';
import { decodeRecords, encodeRecord } from '../src/wal/codec.ts';

let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;
const open: Node[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((n) => n.close().catch(() => {})));
});

async function memoryNode(): Promise<Node> {
  const node = await openNode({ cluster: unique('values'), storage: 'memory' });
  open.push(node);
  return node;
}

const LEDGER = 'create table ledger (id bigint primary key, amount numeric(12,2), rate numeric, n bigserial)';

describe('int8 is exact', () => {
  it('two keys past 2^53 that a double would merge are two rows, returned as bigint', async () => {
    const node = await memoryNode();
    await node.exec(LEDGER);
    await node.query('insert into ledger (id, amount) values (9007199254740992, 1), (9007199254740993, 2)');
    const r = await node.query('select id, amount from ledger order by id');
    expect(r.rows).toEqual([{ id: 9007199254740992n, amount: '1.00' }, { id: 9007199254740993n, amount: '2.00' }]);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([20, 1700]);
    // a safe int8 is a number, as PGlite returns it
    expect((await node.query('select count(*) as c, 42::int8 as i from ledger')).rows).toEqual([{ c: 2, i: 42 }]);
  });

  it('parameters take a bigint, an integral number or text, and find the row by each', async () => {
    const node = await memoryNode();
    await node.exec(LEDGER);
    await node.query('insert into ledger (id, amount) values ($1, 1), ($2, 2), ($3, 3)', [9223372036854775807n, 7, '-9223372036854775808']);
    const find = async (p: unknown) => (await node.query('select amount from ledger where id = $1', [p])).rows;
    expect(await find(9223372036854775807n)).toEqual([{ amount: '1.00' }]);
    expect(await find('9223372036854775807')).toEqual([{ amount: '1.00' }]);
    expect(await find(7)).toEqual([{ amount: '2.00' }]);
    expect(await find(7n)).toEqual([{ amount: '2.00' }]);
    expect(await find(-9223372036854775808n)).toEqual([{ amount: '3.00' }]);
    await expect(node.query('insert into ledger (id) values ($1)', [9223372036854775808n])).rejects.toMatchObject({ code: '22003', message: 'bigint out of range' });
    await expect(node.query('insert into ledger (id) values ($1)', ['9223372036854775808'])).rejects.toMatchObject({
      code: '22003', message: 'value "9223372036854775808" is out of range for type bigint',
    });
    await expect(node.query('select $1::int8 + 1 as x', [9223372036854775807n])).rejects.toMatchObject({ code: '22003', message: 'bigint out of range' });
  });

  it('bigserial and sequence functions hand out exact values past 2^53', async () => {
    const node = await memoryNode();
    await node.exec(LEDGER);
    expect((await node.query("select setval('ledger_n_seq', 9007199254740992) as v")).rows).toEqual([{ v: 9007199254740992n }]);
    const r = await node.query('insert into ledger (id) values (1), (2) returning n');
    expect(r.rows).toEqual([{ n: 9007199254740993n }, { n: 9007199254740994n }]);
    expect((await node.query("select currval('ledger_n_seq') as v")).rows).toEqual([{ v: 9007199254740994n }]);
    await node.query("select setval('ledger_n_seq', 9223372036854775807)");
    await expect(node.query("select nextval('ledger_n_seq')")).rejects.toMatchObject({
      code: '2200H', message: 'nextval: reached maximum value of sequence "ledger_n_seq" (9223372036854775807)',
    });
  });
});

describe('the JS values are PGlite\'s', () => {
  it('int8, count(*), sum, avg and numeric come back with the types and values PGlite gives', async () => {
    const sql = `select 9007199254740993::int8 as a, 42::int8 as b, (-9223372036854775808)::int8 as c, count(*) as n, sum(x) as s,
      avg(x) as m, 2.50::numeric as d, 1::numeric / 3 as q, 'NaN'::numeric as z, sum(x::int8) as s8, max(x)::int2 as h
      from (values (1), (2)) v(x)`;
    const params = [9007199254740993n, 7, '12.50'];
    const psql = 'select $1::int8 as p1, $2::int8 as p2, $3::numeric as p3, $1::int8 + 1 as p4';
    const pg = await PGlite.create();
    try {
      const node = await memoryNode();
      const [want, got] = [await pg.query(sql), await node.query(sql)];
      expect(got.rows).toEqual(want.rows);
      expect(got.fields.map((f) => [f.name, f.dataTypeID])).toEqual(want.fields.map((f) => [f.name, f.dataTypeID]));
      expect((await node.query(psql, params)).rows).toEqual((await pg.query(psql, params)).rows);
    } finally {
      await pg.close();
    }
  });
});

describe('numeric is exact', () => {
  it('keeps its scale, divides with PostgreSQL\'s scale, and comes back as text', async () => {
    const node = await memoryNode();
    expect((await node.query("select 2.50 as a, 1::numeric / 3 as b, '0.1'::numeric + 0.2 as c, 0.1::float8 + 0.2 as d")).rows)
      .toEqual([{ a: '2.50', b: '0.33333333333333333333', c: '0.3', d: 0.30000000000000004 }]);
  });

  it('parameters take text, a number (by its shortest text, as PGlite sends it) or a bigint', async () => {
    const node = await memoryNode();
    await node.exec(LEDGER);
    await node.query('insert into ledger (id, amount, rate) values (1, $1, $2), (2, $3, $4)', ['10.005', '2.50', 0.1, 12345678901234567890n]);
    expect((await node.query('select amount, rate from ledger order by id')).rows).toEqual([
      { amount: '10.01', rate: '2.50' },
      { amount: '0.10', rate: '12345678901234567890' },
    ]);
    await expect(node.query('insert into ledger (id, amount) values (3, $1)', ['1e10'])).rejects.toMatchObject({
      code: '22003', message: 'numeric field overflow', detail: 'A field with precision 12, scale 2 must round to an absolute value less than 10^10.',
    });
  });
});

describe('exact values survive the WAL, recovery and checkpoints', () => {
  it('a WAL record carries a bigint and a numeric and decodes to the same values', () => {
    const row = [9007199254740993n, Numeric.parse('2.50')!, -9223372036854775808n, 7, Numeric.NaN];
    const bytes = encodeRecord({ kind: 'insert', table: 1, rowid: 1, row });
    const { records, invalid } = decodeRecords(bytes, 0);
    expect(invalid).toBeUndefined();
    const back = (records[0]!.record as { row: unknown[] }).row;
    expect(back.slice(0, 4)).toEqual([9007199254740993n, Numeric.parse('2.50'), -9223372036854775808n, 7]);
    expect(back.map(String)).toEqual(['9007199254740993', '2.50', '-9223372036854775808', '7', 'NaN']);
  });

  it('a crash (WAL replay) and then a clean close (checkpoint) give back the same bigint and numeric text', async () => {
    const cluster = unique('values-recovery');
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec(LEDGER);
    await node.query("select setval('ledger_n_seq', 9007199254740992)");
    await node.query("insert into ledger (id, amount, rate) values (9007199254740993, 0.10, 'NaN'), (-9223372036854775808, 1234567890.12, 1::numeric / 3)");
    const expected = (await node.query('select * from ledger order by id')).rows;
    expect(expected).toEqual([
      { id: -9223372036854775808n, amount: '1234567890.12', rate: '0.33333333333333333333', n: 9007199254740994n },
      { id: 9007199254740993n, amount: '0.10', rate: 'NaN', n: 9007199254740993n },
    ]);
    // no close(): the reopened node has only what the WAL holds
    const replayed = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    expect((await replayed.query('select * from ledger order by id')).rows).toEqual(expected);
    await replayed.close();
    const fromCheckpoint = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    expect((await fromCheckpoint.query('select * from ledger order by id')).rows).toEqual(expected);
    expect((await fromCheckpoint.query('select id from ledger where id = 9007199254740993')).rows).toEqual([{ id: 9007199254740993n }]);
    expect((await fromCheckpoint.query("select nextval('ledger_n_seq') as v")).rows).toEqual([{ v: 9007199254740995n }]);
    await fromCheckpoint.close();
  });

  it('a WAL record of format version 1 (int8 and numeric as doubles) is refused, not misread', () => {
    const bytes = encodeRecord({ kind: 'insert', table: 1, rowid: 1, row: [1] });
    bytes[0] = 1;
    expect(decodeRecords(bytes, 0).invalid?.reason).toBe('invalid record format version 1 at 0/0');
  });
});
