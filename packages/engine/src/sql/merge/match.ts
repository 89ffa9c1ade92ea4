/**
 * MERGE's join: for each source row, the target rows its ON condition matches, found before any
 * action runs (so every action sees the target as it was before the statement, as PostgreSQL's
 * snapshot does). Equalities between a target column and the source become index lookups on the
 * target (when the source is small next to it) or one hash table of the target's rows; without an
 * equality each source row is checked against every target row, as PostgreSQL's nested loop does.
 */
import type { Node } from '@pgsql/types';
import type { IndexData, TableData } from '../../state/state.ts';
import type { RowId } from '../../wal/record.ts';
import type { RunContext } from '../env.ts';
import { compile } from '../expr.ts';
import type { RowScope } from '../from.ts';
import { strings } from '../names.ts';
import { conjuncts, probeBound, referencedSlots } from '../plan/access.ts';
import { hashKey } from '../plan/join.ts';
import { hashKeysOf } from '../plan/left-join.ts';
import type { Compiled } from '../scope.ts';
import type { Value } from '../types.ts';

export interface Match {
  id: RowId;
  row: Value[];
}

/** Finds, per source row (laid out after the target's `width` slots in `joined`), its matching target rows. */
export type Matcher = (table: TableData, sources: readonly Value[][], ctx: RunContext) => Match[][];

/** An index on one target column that `t.col = <source expression>` can probe. */
interface Probe {
  index: IndexData;
  source: Compiled;
  cast: (v: Value) => Value;
}

export function planMatcher(on: Node, onCompiled: Compiled, scope: RowScope, width: number, table: TableData): Matcher {
  const total = scope.width;
  const keys = hashKeysOf(on, scope, width, total);
  const probe = indexProbe(on, scope, width, total, table);
  const joined: Value[] = new Array(total).fill(null);
  const holds = (target: readonly Value[], source: readonly Value[], ctx: RunContext): boolean => {
    for (let i = 0; i < width; i++) joined[i] = target[i];
    for (let i = 0; i < source.length; i++) joined[width + i] = source[i];
    return onCompiled.eval(joined, ctx) === true;
  };

  return (target, sources, ctx) => {
    const size = target.rows.size;
    if (probe && sources.length * 8 < size) {
      return sources.map((source) => {
        for (let i = 0; i < source.length; i++) joined[width + i] = source[i];
        const v = probe.source.eval(joined, ctx);
        if (v === null || v === undefined) return [];
        const out: Match[] = [];
        for (const id of probe.index.lookup(probe.cast(v))) {
          const row = target.rows.get(id)!;
          if (holds(row, source, ctx)) out.push({ id, row });
        }
        return out;
      });
    }
    const all: Match[] = [];
    target.rows.forEachPair((id, row) => { all.push({ id, row }); });
    if (!keys) return sources.map((source) => all.filter((m) => holds(m.row, source, ctx)));
    const single = keys.left.length === 1;
    const byKey = new Map<Value, Match[]>();
    for (const m of all) {
      const k = hashKey(keys.left, m.row, ctx, single);
      if (k === undefined) continue;
      const list = byKey.get(k);
      if (list) list.push(m);
      else byKey.set(k, [m]);
    }
    return sources.map((source) => {
      for (let i = 0; i < source.length; i++) joined[width + i] = source[i];
      const k = hashKey(keys.right, joined, ctx, single);
      const list = k === undefined ? undefined : byKey.get(k);
      return list ? list.filter((m) => holds(m.row, source, ctx)) : [];
    });
  };
}

/** `t.col = expr-of-source` where a plain (not partial, not expression) index starts with t.col alone. */
function indexProbe(on: Node, scope: RowScope, width: number, total: number, table: TableData): Probe | undefined {
  for (const c of conjuncts(on)) {
    if (!('A_Expr' in c) || c.A_Expr.kind !== 'AEXPR_OP' || strings(c.A_Expr.name).join('.') !== '=' || !c.A_Expr.lexpr || !c.A_Expr.rexpr) continue;
    for (const [a, b] of [[c.A_Expr.lexpr, c.A_Expr.rexpr], [c.A_Expr.rexpr, c.A_Expr.lexpr]] as const) {
      if (!('ColumnRef' in a)) continue;
      const sa = referencedSlots(a, scope), sb = referencedSlots(b, scope);
      if (sa?.length !== 1 || sa[0]! >= width || !sb?.length || !sb.every((x) => x >= width && x < total)) continue;
      const column = sa[0]!;
      const index = table.indexes.find((ix) => !ix.exprs && !ix.composite && ix.cols[0] === column);
      if (!index) continue;
      const source = compile(b, scope);
      const bound = probeBound(source.type, table.def.columns[column]!.type);
      if (bound) return { index, source, cast: bound.cast };
    }
  }
  return undefined;
}
