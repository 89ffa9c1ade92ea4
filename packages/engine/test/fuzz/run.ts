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
import { query, type Query } from './queries.ts';
import { Rand, schema, writes } from './schema.ts';

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
  await pg.exec('drop table if exists t0, t1, t2, t3; set timezone to \'UTC\'');
  await node.exec("set timezone to 'UTC'");
  const context = [...setup];
  result.context = context;

  const both = async (sql: string, phase: string) => {
    const w = await onWalrtc(node, sql);
    const p = await onPglite(pg, sql);
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
  const check = async (phase: string) => {
    for (const q of queries) {
      result.queries++;
      const w = await onWalrtc(node, q.sql, q.params);
      const p = await onPglite(pg, q.sql, q.params);
      if (w.error === '0A000' && !p.error) {
        result.refused.push(`${q.sql}: ${w.message}`);
        continue;
      }
      const bad = judge(q, w, p, phase !== 'as built');
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
    await node.exec("set timezone to 'UTC'");
    await check('reopened');
    for (const s of writes(r, tables, 8)) {
      context.push(s);
      await both(s, 'writes');
    }
    await check('after writes');
  } finally {
    await node.close();
  }
  return result;
}
