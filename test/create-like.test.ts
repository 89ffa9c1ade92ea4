/**
 * CREATE TABLE (LIKE … INCLUDING ALL) is ordinary DDL WAL (create_table, create_sequence,
 * create_index): a streaming standby and a base-backup standby hold the copy with its identity
 * sequence and indexes. PostgreSQL's results are checked in sql-sqlb-reference.test.ts (like corpus).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '@walrtc/engine';
import { memoryCluster, replicatedDdl, type TestCluster } from './cluster.ts';

const SQL = `
  create table src (id int generated always as identity (start with 10), code text not null default 'x', qty int check (qty > 0), unique (code));
  create index src_qty on src (qty);
  create table copy (like src including all, extra int);
  insert into copy (code, qty) values ('a', 1), ('b', 2);
`;

const answers = async (n: Node) => ({
  rows: (await n.query('select * from copy order by id')).rows,
  // the copied unique index answers lookups and carries the new table's name
  byCode: (await n.query("select id from copy where code = 'b'")).rows,
});

describe('CREATE TABLE (LIKE …)', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('replicates the copied columns, identity sequence and indexes', async () => {
    c = memoryCluster();
    const expected = { rows: [{ id: 10, code: 'a', qty: 1, extra: null }, { id: 11, code: 'b', qty: 2, extra: null }], byCode: [{ id: 11 }] };
    const { p, fresh } = await replicatedDdl(c, SQL, answers, expected);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
    await expect(p.node.query("insert into copy (code, qty) values ('a', 3)")).rejects.toMatchObject({ code: '23505', message: 'duplicate key value violates unique constraint "copy_code_key"' });
    await expect(p.node.query("insert into copy (code, qty) values ('c', 0)")).rejects.toMatchObject({ code: '23514', message: 'new row for relation "copy" violates check constraint "src_qty_check"' });
  });
});
