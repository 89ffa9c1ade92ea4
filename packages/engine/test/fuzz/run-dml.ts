/**
 * One DML-and-standby fuzz case: x, y and z (fuzz/surface.ts, fuzz/dml.ts) made on a primary with
 * a streaming standby (in process) and on PGlite; random writes compared by their RETURNING rows,
 * counts and errors; then, once the standby has replayed them, random reads compared three ways:
 * the standby against PostgreSQL, and the standby against its primary.
 */
import type { PGlite } from '@electric-sql/pglite';
import { memoryCluster, caughtUp, primaryWithStandby } from '../../../../test/cluster.ts';
import { prng } from '../../../../test/prng.ts';
import { judge, onPglite, onWalrtc } from './compare.ts';
import { dmlStatement, zTable } from './dml.ts';
import type { Query } from './queries.ts';
import { Rand } from './schema.ts';
import { aggQuery, exprQuery, setQuery, windowQuery, xTable } from './surface.ts';

export interface DmlResult { mismatches: string[]; refused: string[]; errorOrder: string[]; statements: number; context: string[] }

const UNORDERED = { params: [], keys: null, determined: false, limited: false, loose: false };
/** z and its serial's position, compared after every write. */
const TABLE = "select *, (select last_value from pg_sequences where sequencename = 'z_q_seq') from z order by id";

export async function runDml(pg: PGlite, seed: number, writes: number, reads: number): Promise<DmlResult> {
  const r = new Rand(prng(seed));
  const setup = [...xTable(r), ...zTable(r)];
  const result: DmlResult = { mismatches: [], refused: [], errorOrder: [], statements: 0, context: [...setup] };
  const c = memoryCluster();
  try {
    const { p, s } = await primaryWithStandby(c);
    const primary = p.node, standby = s.node;
    await pg.exec("set timezone to 'UTC'");
    for (const sql of setup) {
      const bad = judge(UNORDERED, await onWalrtc(primary, sql), await onPglite(pg, sql));
      if (bad) {
        result.mismatches.push(`seed ${seed}, setup: ${sql}\n  ${bad}`);
        return result;
      }
    }
    for (let k = 0; k < writes; k++) {
      const q = dmlStatement(r);
      result.statements++;
      result.context.push(q.sql);
      const w = await onWalrtc(primary, q.sql), pgo = await onPglite(pg, q.sql);
      // both failed, so both rolled back: which error comes first is the evaluation order's (see run-surface.ts)
      if (w.error && pgo.error && w.error !== pgo.error) {
        result.errorOrder.push(`${q.sql}\n  walrtc ${w.error} ${w.message}, PostgreSQL ${pgo.error} ${pgo.message}`);
        // the one that failed later may have drawn serials first: compare no further once z differs
        if (judge({ ...UNORDERED, keys: [0], determined: true }, await onWalrtc(primary, TABLE), await onPglite(pg, TABLE))) return result;
        continue;
      }
      if (w.error === '0A000') {
        result.refused.push(`${q.sql}: ${w.message}`);
        // the data no longer matches PostgreSQL's: compare no further
        if (!pgo.error) return result;
        continue;
      }
      const bad = judge(q, w, pgo) ?? (!w.error && w.count !== pgo.count ? `affected ${w.count} vs ${pgo.count}` : null);
      if (bad) {
        result.mismatches.push(`seed ${seed}, write ${k}: ${q.sql}\n  ${bad}`);
        return result;
      }
      const tableBad = judge({ ...UNORDERED, keys: [0], determined: true }, await onWalrtc(primary, TABLE), await onPglite(pg, TABLE));
      if (tableBad) {
        result.mismatches.push(`seed ${seed}, z after write ${k}: ${q.sql}\n  ${tableBad}`);
        return result;
      }
    }
    await caughtUp(primary, standby);
    const makers = [exprQuery, aggQuery, windowQuery, setQuery];
    const queries: Query[] = [
      { ...UNORDERED, sql: 'select * from z order by id', keys: [0], determined: true },
      { ...UNORDERED, sql: "select nextval('z_q_seq') is not null, currval('z_q_seq') > 0" },
      ...Array.from({ length: reads }, () => r.pick(makers)(r)),
    ];
    for (const q of queries) {
      result.statements++;
      const onStandby = await onWalrtc(standby, q.sql);
      const onPrimary = await onWalrtc(primary, q.sql);
      const pgo = await onPglite(pg, q.sql);
      // a standby refuses nextval (25006) where the primary and PostgreSQL answer
      if (q.sql.includes('nextval')) {
        if (onStandby.error !== '25006') result.mismatches.push(`seed ${seed}, standby: ${q.sql}\n  expected 25006, got ${onStandby.error ?? 'rows'}`);
        continue;
      }
      if (onStandby.error === '0A000') {
        result.refused.push(`${q.sql}: ${onStandby.message}`);
        continue;
      }
      const bad = judge(q, onStandby, pgo);
      if (bad) result.mismatches.push(`seed ${seed}, standby vs PostgreSQL: ${q.sql}\n  ${bad}`);
      const apart = judge({ ...q, floats: false, loose: false }, onStandby, onPrimary);
      if (apart) result.mismatches.push(`seed ${seed}, standby vs primary: ${q.sql}\n  ${apart}`);
    }
  } finally {
    await c.closeAll();
  }
  return result;
}
