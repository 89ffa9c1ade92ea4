/**
 * What the tests of indexes built after open share (lazy-index.test.ts: on first use;
 * index-builds.test.ts: in the background): nodes, a schema with every kind of index, random writes
 * and the queries the indexes serve, and a node reopened from a checkpoint plus WAL beside an
 * eager reference that never reopened.
 */
import { expect } from 'vitest';
import { openNode, type Node } from '../src/index.ts';
import { memoryStorage } from '../src/storage/memory.ts';
import type { Storage } from '../src/storage/storage.ts';
import type { DbState } from '../src/state/state.ts';
import { prng } from '../../../test/prng.ts';

let seq = 0;
export const unique = (p: string) => `${p}-${process.pid}-${++seq}`;
export const open = (cluster: string, storage: Storage) => openNode({ cluster, nodeId: 'n1', storage, log: () => {} });
export const stateOf = (node: Node): DbState => (node as unknown as { core: { db: { state: DbState } } }).core.db.state;
/** Decodes every table a node still holds encoded (checkpoint/encoded-table.ts): tests of index builds start from the indexes. */
export const decoded = (node: Node): Node => {
  for (const t of stateOf(node).tables.values()) void t.rows;
  return node;
};
/** Index name → whether its entries exist yet, for table `t`. */
export const built = (node: Node, table = 't'): Record<string, boolean> => {
  const state = stateOf(node);
  return Object.fromEntries(state.table(state.tableNames.get(table)!).indexes.map((ix) => [ix.def.name, ix.isBuilt]));
};
export const plan = async (node: Node, sql: string) => (await node.query<{ 'QUERY PLAN': string }>(`explain ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');

export const SCHEMA = `create table t(id int primary key, n int, s text, c char(3), u int);
  create index t_n on t(n); create index t_s on t(s); create index t_ns on t(n, s); create unique index t_u on t(u);
  create index t_p on t(n) where n > 50; create index t_l on t(lower(s)); create index t_c on t(c)`;

/** Statements with literal values only, so two nodes running them hold the same rows. */
export function writes(rand: () => number, count: number, ids: { next: number }): string[] {
  const out: string[] = [];
  const val = () => (rand() < 0.1 ? 'null' : String(Math.floor(rand() * 100)));
  const text = () => (rand() < 0.1 ? 'null' : `'${['ab', 'Ab', 'b', 'ba', 'c', 'CA'][Math.floor(rand() * 6)]}${Math.floor(rand() * 5)}'`);
  for (let i = 0; i < count; i++) {
    const r = rand();
    const id = 1 + Math.floor(rand() * ids.next);
    if (r < 0.5) {
      const id2 = ids.next++;
      out.push(`insert into t values (${id2}, ${val()}, ${text()}, ${text()}, ${id2 * 2})`);
    } else if (r < 0.8) out.push(`update t set n = ${val()}, s = ${text()}, c = ${text()} where id = ${id}`);
    else out.push(`delete from t where id between ${id} and ${id + Math.floor(rand() * 3)}`);
  }
  return out;
}

/** Queries the indexes serve, with random bounds. */
export function queries(rand: () => number): string[] {
  const k = () => Math.floor(rand() * 100);
  const lo = k();
  return [
    `select id from t where n = ${k()} order by id`,
    `select id, n from t where n between ${lo} and ${lo + 10} order by n, id`,
    `select id from t where s = 'ab${Math.floor(rand() * 5)}' order by id`,
    `select id from t where n = ${k()} and s >= 'b' order by id`,
    `select id from t where lower(s) = 'ab${Math.floor(rand() * 5)}' order by id`,
    `select id, n from t where n > ${50 + Math.floor(rand() * 50)} order by n desc, id limit 7`,
    `select id from t where c = 'CA${Math.floor(rand() * 5)}' order by id`,
    `select id from t where u = ${2 * k()}`,
    `select min(n) as lo, max(n) as hi, count(*)::int as c from t`,
    `select id from t where n is null order by id`,
  ];
}

export async function same(lazy: Node, eager: Node, sqls: string[]): Promise<void> {
  for (const sql of sqls) expect({ sql, rows: (await lazy.query(sql)).rows }).toEqual({ sql, rows: (await eager.query(sql)).rows });
}

export async function exec(nodes: Node[], sqls: string[]): Promise<void> {
  for (const sql of sqls) for (const node of nodes) await node.exec(sql);
}

/** A node and an eager reference holding the same rows, the node checkpointed with more WAL after it, then crashed and reopened. */
export async function reopened(seed: number, rows = 400): Promise<{ lazy: Node; eager: Node; cluster: string; storage: Storage; rand: () => number; ids: { next: number } }> {
  const rand = prng(seed);
  const ids = { next: 1 };
  const storage = memoryStorage();
  const cluster = unique('lazy');
  const first = await open(cluster, storage);
  const eager = await open(unique('eager'), memoryStorage());
  await exec([first, eager], [SCHEMA]);
  await exec([first, eager], writes(rand, rows, ids));
  await first.checkpoint();
  // replayed from the WAL after the checkpoint when the node opens
  await exec([first, eager], writes(rand, rows / 4, ids));
  return { lazy: await open(cluster, storage), eager, cluster, storage, rand, ids };
}

