/**
 * Run-time parameters follow PostgreSQL's transaction rules and stay in the session (issue 10):
 * an implicit block of several statements that fails undoes its SETs, SET LOCAL outside a block
 * warns (25P01) and does nothing, a SET never reaches the WAL, and an expression over parameters
 * only is evaluated before any row, as PostgreSQL's custom plan folds it. The statement-by-statement
 * comparison with PostgreSQL is sql-settings-reference.test.ts (guc, fixes10 corpora).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openNode, SqlError, type Node } from '@walrtc/engine';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { decodeRecords } from '../packages/engine/src/wal/codec.ts';
import { FIRST_LSN } from '../packages/engine/src/wal/lsn.ts';

const show = async (node: Node, name: string) => Object.values((await node.query(`show ${name}`)).rows[0]!)[0];

async function sqlstate(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (e instanceof SqlError) return e.code;
    throw e;
  }
}

describe('run-time parameters in transactions', () => {
  let node: Node;
  let storage: ReturnType<typeof memoryStorage>;
  beforeEach(async () => {
    storage = memoryStorage();
    node = await openNode({ cluster: `settings-${process.pid}`, storage, log: () => {} });
  });
  afterEach(async () => { await node.close(); });

  it('an implicit block that fails undoes its SET (PostgreSQL: `set …; select 1/0` leaves the old value)', async () => {
    expect(await sqlstate(node.exec("set work_mem = '3MB'; select 1/0"))).toBe('22012');
    expect(await show(node, 'work_mem')).toBe('4MB');
    await node.exec("set work_mem = '3MB'; select 1");
    expect(await show(node, 'work_mem')).toBe('3MB');
  });

  it('SET LOCAL lasts for an implicit block and warns outside any block', async () => {
    const notices: { code: string; message: string }[] = [];
    await node.query("set local work_mem = '5MB'", [], { onNotice: (n) => notices.push({ code: n.code, message: n.message }) });
    expect(notices).toEqual([{ code: '25P01', message: 'SET LOCAL can only be used in transaction blocks' }]);
    expect(await show(node, 'work_mem')).toBe('4MB');
    const r = await node.exec("set local work_mem = '5MB'; show work_mem");
    expect(r[1]!.rows).toEqual([{ work_mem: '5MB' }]);
    expect(await show(node, 'work_mem')).toBe('4MB');
  });

  it('a set_config in a statement that fails is undone with it', async () => {
    await node.exec('create table e (x int)');
    expect(await sqlstate(node.query("select set_config('work_mem', '7MB', false), 1/0"))).toBe('22012');
    expect(await show(node, 'work_mem')).toBe('4MB');
  });

  it('SET, SET LOCAL and set_config write nothing to the WAL', async () => {
    await node.exec('create table t (id int)');
    const count = async () => {
      let n = 0;
      for (const chunk of await storage.readWal(FIRST_LSN)) n += decodeRecords(chunk.bytes, chunk.lsn).records.length;
      return n;
    };
    const before = await count();
    await node.exec("begin; set work_mem = '2MB'; set local search_path = public; select set_config('myapp.uid', 'u1', false); commit");
    await node.exec("set myapp.tenant = 'acme'");
    expect(await count()).toBe(before);
    expect(await show(node, 'myapp.uid')).toBe('u1');
  });

  it('an expression over parameters only fails before any row, as PostgreSQL\'s custom plan (22012 on an empty table)', async () => {
    await node.exec('create table e (x int)');
    expect(await sqlstate(node.query('select 1/$1 from e', [0]))).toBe('22012');
    expect(await sqlstate(node.query('select x from e where x > 1/$1', [0]))).toBe('22012');
    expect((await node.query('select 1/$1 from e', [1])).rows).toEqual([]);
    // a branch PostgreSQL drops once the parameter is known is not evaluated
    expect((await node.query('select case when $1 = 0 then 0 else 1/$1 end as v', [0])).rows).toEqual([{ v: 0 }]);
    expect((await node.query('select case when false then 1/$1 end as v from e', [0])).rows).toEqual([]);
  });
});
