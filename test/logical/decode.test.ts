/**
 * Logical decoding of walrtc's WAL, read back from a node's storage: only committed
 * transactions, whole and in commit order, each change described by its relation as of that
 * point of the WAL (a column added later does not rewrite earlier changes), filtered by
 * publication and publish options, with the old row for UPDATE and DELETE.
 */
import { expect, test } from 'vitest';
import { openNode } from '@walrtc/engine';
import { catalogOf, LogicalDecoder, type DecodedTxn } from '../../packages/engine/src/logical/decode.ts';
import { memoryStorage } from '../../packages/engine/src/storage/memory.ts';
import { DbState } from '../../packages/engine/src/state/state.ts';
import { decodeRecords } from '../../packages/engine/src/wal/codec.ts';
import { FIRST_LSN } from '../../packages/engine/src/wal/lsn.ts';

async function decodeAll(storage: ReturnType<typeof memoryStorage>, publications: string[]): Promise<DecodedTxn[]> {
  const decoder = new LogicalDecoder(catalogOf(new DbState()), publications, FIRST_LSN);
  const out: DecodedTxn[] = [];
  for (const chunk of await storage.readWal(FIRST_LSN)) {
    for (const r of decodeRecords(chunk.bytes, chunk.lsn).records) {
      const txn = decoder.feed(r);
      if (txn) out.push(txn);
    }
  }
  return out;
}

test('only committed transactions, whole, in commit order, with relations as they were', async () => {
  const storage = memoryStorage();
  const n = await openNode({ cluster: 'decode', storage, log: () => {} });
  await n.exec(`create table t(id serial primary key, v text); create table other(x int primary key); create publication pub for table t`);
  await n.exec(`begin; insert into t(v) values ('a'); insert into t(v) values ('b'); insert into other values (1); commit`);
  await n.exec(`begin; insert into t(v) values ('rolled back'); rollback`);
  await n.query(`update t set v = 'A' where id = 1`);
  await n.exec(`alter table t add column w int; insert into t(v, w) values ('c', 3)`);
  await n.query('delete from t where id = 2');
  await n.exec(`begin; insert into t(v) values ('d'); alter table t drop column w; insert into t(v) values ('e'); commit`);
  await n.query('truncate t');
  const txns = await decodeAll(storage, ['pub']);
  await n.close();

  const ends = txns.map((t) => t.end);
  expect([...ends].sort((a, b) => a - b)).toEqual(ends);
  const shape = txns.map((t) => t.changes.map((c) => {
    const rel = t.relations[c.op === 'truncate' ? c.rels[0]! : c.rel]!;
    const cols = rel.columns.map((x) => x.name).join(',');
    if (c.op === 'insert') return `insert ${rel.name}(${cols}) ${JSON.stringify(c.row)}`;
    if (c.op === 'update') return `update ${rel.name}(${cols}) ${JSON.stringify(c.old)} -> ${JSON.stringify(c.row)}`;
    if (c.op === 'delete') return `delete ${rel.name}(${cols}) ${JSON.stringify(c.old)}`;
    return `truncate ${rel.name}`;
  }));
  expect(shape).toEqual([
    ['insert t(id,v) [1,"a"]', 'insert t(id,v) [2,"b"]'],
    ['update t(id,v) [1,"a"] -> [1,"A"]'],
    ['insert t(id,v,w) [4,"c",3]'],
    ['delete t(id,v,w) [2,"b",null]'],
    // DDL inside a transaction: the changes before and after it carry their own descriptions
    ['insert t(id,v,w) [5,"d",null]', 'insert t(id,v) [6,"e"]'],
    ['truncate t'],
  ]);
  expect(txns[0]!.relations).toEqual([{ oid: txns[0]!.relations[0]!.oid, name: 't', columns: [{ name: 'id', type: 'int4' }, { name: 'v', type: 'text' }], key: ['id'] }]);
});

test('publish options and publication membership are read as of each transaction', async () => {
  const storage = memoryStorage();
  const n = await openNode({ cluster: 'decode2', storage, log: () => {} });
  await n.exec(`create table t(id int primary key); create table u(id int primary key); create publication pub for table t with (publish = 'insert')`);
  await n.exec(`insert into t values (1); insert into u values (1); update t set id = 10 where id = 1`);
  await n.exec(`alter publication pub add table u; alter publication pub set (publish = 'insert, delete')`);
  await n.exec(`insert into u values (2); delete from t where id = 10`);
  await n.exec(`drop publication pub; insert into t values (3)`);
  const txns = await decodeAll(storage, ['pub']);
  await n.close();
  expect(txns.map((t) => t.changes.map((c) => c.op))).toEqual([['insert'], ['insert', 'delete']]);
});
