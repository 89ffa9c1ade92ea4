/**
 * What the oid/regclass/tableoid work refuses rather than answering approximately (issue 10): a
 * regclass stored in a table would keep a stale name; and a parent's tableoid, which varies per
 * row, read per row (sql/inherit/scan.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';

describe('oid, regclass and tableoid refusals', () => {
  let node: Node;
  beforeAll(async () => {
    node = await openNode({ cluster: `oid-regclass-${process.pid}`, storage: 'memory' });
    await node.query('create table t (a int)');
    await node.query('insert into t values (1)');
  });
  afterAll(async () => node.close());

  const code = (sql: string) => node.query(sql).then(() => 'ok', (e: { code?: string; message?: string }) => `${e.code} ${e.message}`);

  it('refuses a regclass column, a CREATE TABLE AS of one and a regclass domain', async () => {
    expect(await code('create table r (c regclass)')).toBe('0A000 a column of type regclass ("c") is not supported');
    expect(await code("create table r2 as select 't'::regclass as c")).toBe('0A000 a column of type regclass ("c") is not supported');
    expect(await code('create domain rd as regclass')).toBe('0A000 a column of type regclass ("rd") is not supported');
    expect(await code('alter table t alter column a type regclass')).toBe('0A000 a column of type regclass ("a") is not supported');
  });

  it('reads tableoid through a table with children as each row\'s own table, and on the child', async () => {
    await node.query('create table p (a int)');
    await node.query('create table c () inherits (p)');
    await node.query('insert into c values (1)');
    await node.query('insert into p values (2)');
    const parent = await node.query<{ tableoid: string; a: number }>('select tableoid::regclass::text as tableoid, a from p order by a');
    expect(parent.rows).toEqual([{ tableoid: 'c', a: 1 }, { tableoid: 'p', a: 2 }]);
    const { rows } = await node.query<{ tableoid: string }>('select tableoid::regclass::text as tableoid from c');
    expect(rows).toEqual([{ tableoid: 'c' }]);
  });

  it('reads a renamed table by its new name', async () => {
    const before = await node.query<{ o: number }>("select 't'::regclass::oid as o");
    await node.query('alter table t rename to t2');
    const after = await node.query<{ r: string; o: number }>("select 't2'::regclass::text as r, 't2'::regclass::oid as o");
    expect(after.rows).toEqual([{ r: 't2', o: before.rows[0]!.o }]);
    expect(await code("select 't'::regclass")).toBe('42P01 relation "t" does not exist');
  });
});
