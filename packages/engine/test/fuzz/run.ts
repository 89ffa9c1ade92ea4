/**
 * One fuzz case: a random schema set up on a walrtc node and on PGlite, random queries compared
 * three times — on the node as built, after a checkpoint, more writes and a crash reopen (so the
 * indexes are still being built in the background), and after random UPDATE/DELETE/INSERT.
 */
import type { PGlite } from '@electric-sql/pglite';
import { openNode, type Node } from '../../src/index.ts';
import { memoryStorage } from '../../src/storage/memory.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { prng } from '../../../../test/prng.ts';
import { judge, onPglite, onWalrtc } from './compare.ts';
import { dml, query, type Query } from './queries.ts';
import { indexStatements, Rand, schema, writes } from './schema.ts';

/** `context`: the statements that made the data a mismatch was seen on, to reproduce it. */
export interface CaseResult { mismatches: string[]; refused: string[]; queries: number; context: string[] }

let opened = 0;
const open = (cluster: string, storage: Storage) => openNode({ cluster, nodeId: 'n1', storage, log: () => {} });

export async function runCase(pg: PGlite, seed: number, perPhase: number): Promise<CaseResult> {
  const r = new Rand(prng(seed));
  const { tables, setup } = schema(r);
  const result: CaseResult = { mismatches: [], refused: [], queries: 0, context: [] };
  const storage = memoryStorage();
  const cluster = `fuzz-${process.pid}-${++opened}`;
  let node: Node = await open(cluster, storage);
  // walrtc runs with TimeZone = UTC only (another is refused with 0A000)
  const zone = 'UTC';
  await pg.exec(`drop table if exists t0, t1, t2, t3; set timezone to '${zone}'`);
  await node.exec(`set timezone to '${zone}'`);
  const context = [...setup];
  result.context = context;

  const both = async (sql: string, phase: string, params: unknown[] = []) => {
    const w = await onWalrtc(node, sql, params);
    const p = await onPglite(pg, sql, params);
    const bad = judge({ keys: null, determined: false, limited: false, loose: false }, w, p) ?? (w.count !== p.count && !w.error ? `affected ${w.count} vs ${p.count}` : null);
    if (bad) result.mismatches.push(`seed ${seed}, ${phase}: ${sql}\n  ${bad}`);
  };
  for (const s of setup) await both(s, 'setup');
  // different data would make every later comparison meaningless
  if (result.mismatches.length) {
    await node.close();
    return result;
  }

  const queries: Query[] = Array.from({ length: perPhase }, () => query(r, tables));
  const check = async (phase: string, block = false) => {
    for (const q of queries) {
      result.queries++;
      // in a block, an error of one engine alone (walrtc's 0A000) must not fail the block for the next queries
      if (block) await both('savepoint q', phase);
      const w = await onWalrtc(node, q.sql, q.params);
      const p = await onPglite(pg, q.sql, q.params);
      if (block) await both('rollback to savepoint q', phase);
      if (w.error === '0A000' && !p.error) {
        result.refused.push(`${q.sql}: ${w.message}`);
        continue;
      }
      const bad = judge(q, w, p);
      if (bad) result.mismatches.push(`seed ${seed}, ${phase} (after ${context.length} statements), params ${JSON.stringify(q.params)}: ${q.sql}\n  ${bad}`);
    }
  };
  try {
    await check('as built');
    await node.checkpoint();
    for (const s of writes(r, tables, 3)) {
      context.push(s);
      await both(s, 'after checkpoint');
    }
    // a crash: the first node is never closed, the second opens what storage holds
    node = await open(cluster, storage);
    await node.exec(`set timezone to '${zone}'`);
    await check('reopened');
    for (const s of writes(r, tables, 8)) {
      context.push(s);
      await both(s, 'writes');
    }
    for (let k = 0; k < 6; k++) {
      const { sql, params } = dml(r, tables);
      context.push(`${sql} -- ${JSON.stringify(params)}`);
      await both(sql, 'writes', params);
    }
    // plans are cached by SQL text: new and dropped indexes must change them, not their answers
    const t = r.pick(tables);
    const ddl = [...indexStatements(r, t.name, t.cols), ...r.some(t.cols.slice(1), 0, 2).map((c) => `drop index if exists ${t.name}_${c.name}_idx`)];
    for (const s of ddl) {
      context.push(s);
      await both(s, 'indexes');
    }
    await check('after writes');
    // inside a block: the indexes are the transaction's copy-on-write forks
    await both('begin', 'block');
    for (const s of writes(r, tables, 4)) await both(s, 'block');
    for (let k = 0; k < 3; k++) {
      const { sql, params } = dml(r, tables);
      await both(sql, 'block', params);
    }
    await check('in a block', true);
    await both('rollback', 'block');
    await check('rolled back');
  } finally {
    // a case that stopped inside its block must not leave PGlite in it for the next case
    await pg.exec('rollback');
    await node.close();
  }
  return result;
}
