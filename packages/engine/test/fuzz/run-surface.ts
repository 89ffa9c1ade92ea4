/**
 * One surface-fuzz case: table x (fuzz/surface.ts) made on a walrtc node and on PGlite, then
 * random expression, aggregate, window and set/subquery queries compared one by one.
 */
import type { PGlite } from '@electric-sql/pglite';
import { openNode, type Node } from '../../src/index.ts';
import { memoryStorage } from '../../src/storage/memory.ts';
import { prng } from '../../../../test/prng.ts';
import { judge, onPglite, onWalrtc } from './compare.ts';
import type { Query } from './queries.ts';
import { Rand } from './schema.ts';
import { aggQuery, exprQuery, setQuery, windowQuery, xTable } from './surface.ts';

/**
 * `errorOrder`: both engines failed, with different SQLSTATEs. PostgreSQL type-checks the whole
 * statement (42883, 42725, 42804) before it folds or runs anything; walrtc folds constants while it
 * compiles, so a division by zero or an overflow under an operator that does not exist, or one
 * row's error before another's, can surface first. Loud on both sides; listed, not failed.
 */
export interface SurfaceResult { mismatches: string[]; refused: string[]; errorOrder: string[]; queries: number; setup: string[] }

let opened = 0;

/** Mismatches a case may not report: statements listed in `known` (exact text) are skipped. */
export async function runSurface(pg: PGlite, seed: number, count: number, known: ReadonlySet<string> = new Set()): Promise<SurfaceResult> {
  const r = new Rand(prng(seed));
  const setup = xTable(r);
  const result: SurfaceResult = { mismatches: [], refused: [], errorOrder: [], queries: 0, setup };
  const node: Node = await openNode({ cluster: `surface-${process.pid}-${++opened}`, nodeId: 'n1', storage: memoryStorage(), log: () => {} });
  try {
    await pg.exec("set timezone to 'UTC'");
    await node.exec("set timezone to 'UTC'");
    for (const s of setup) {
      const [w, p] = [await onWalrtc(node, s), await onPglite(pg, s)];
      const bad = judge({ keys: null, determined: false, limited: false, loose: false }, w, p);
      if (bad) {
        result.mismatches.push(`seed ${seed}, setup: ${s}\n  ${bad}`);
        return result;
      }
    }
    const makers = [exprQuery, exprQuery, exprQuery, aggQuery, windowQuery, setQuery];
    for (let k = 0; k < count; k++) {
      const q: Query = r.pick(makers)(r);
      if (known.has(q.sql)) continue;
      result.queries++;
      // a statement that kills the process (an allocation too large) is found by its last line
      if (process.env.FUZZ_TRACE) process.stderr.write(`${q.sql}\n`);
      const w = await onWalrtc(node, q.sql, q.params);
      const p = await onPglite(pg, q.sql, q.params);
      if (w.error === '0A000') {
        result.refused.push(`${q.sql}: ${w.message}`);
        continue;
      }
      if (w.error && p.error && w.error !== p.error) {
        result.errorOrder.push(`${q.sql}\n  walrtc ${w.error} ${w.message}, PostgreSQL ${p.error} ${p.message}`);
        continue;
      }
      const bad = judge(q, w, p);
      if (bad) result.mismatches.push(`seed ${seed}: ${q.sql}\n  ${bad}`);
    }
  } finally {
    await node.close();
  }
  return result;
}
