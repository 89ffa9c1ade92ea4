/**
 * Aggregates a whole table answers without reading its rows: count(*) is the row tree's size
 * (O(1): the B+ tree keeps subtree sizes), min/max of a column that leads an index are the index's
 * first or last non-NULL key.
 */
import type { IndexData, TableData } from '../../state/state.ts';
import { NAN_KEY } from '../../state/keys.ts';
import { castFunction } from '../cast.ts';
import type { Expr } from '../compiled.ts';
import type { RunContext } from '../env.ts';
import type { AggregateCall } from '../group.ts';
import type { SqlType, Value } from '../types.ts';

/** Column types whose index order is SQL's order for min/max. */
const ORDERED: ReadonlySet<SqlType> = new Set(['int2', 'int4', 'int8', 'text', 'varchar', 'date', 'timestamp', 'timestamptz']);
const toInt8 = castFunction('int4', 'int8');

export function fastAggregates(table: TableData, calls: readonly AggregateCall[]): { details: string[]; values(ctx: RunContext): Value[] } | undefined {
  const oid = table.def.oid;
  const details: string[] = [];
  const getters: Array<(t: TableData) => Value> = [];
  for (const c of calls) {
    if (c.filter) return undefined;
    if (c.name === 'count' && c.star) {
      getters.push((t) => toInt8(t.rows.size));
      details.push('count(*) from the row count');
      continue;
    }
    const slot = c.arg ? (c.arg as Expr).slot : undefined;
    if ((c.name !== 'min' && c.name !== 'max') || slot === undefined || !ORDERED.has(table.def.columns[slot]!.type)) return undefined;
    const ix = table.indexes.find((i) => i.cols[0] === slot && !i.def.where);
    if (!ix) return undefined;
    const ixOid = ix.def.oid, max = c.name === 'max';
    getters.push((t) => indexEnd(t.indexes.find((i) => i.def.oid === ixOid)!, max));
    details.push(`${c.name}(${table.def.columns[slot]!.name}) from the ${max ? 'last' : 'first'} key of ${ix.def.name}`);
  }
  return { details, values: (ctx) => { const t = ctx.env.state.table(oid); return getters.map((g) => g(t)); } };
}

/** The smallest or largest non-NULL value of the index's first column (NULLs sort last), or NULL. */
function indexEnd(ix: IndexData, max: boolean): Value {
  const first = (k: Value): Value => {
    const v = (ix.composite ? (k as Value[])[0] : k) ?? null;
    return v === NAN_KEY ? NaN : v;
  };
  if (!max) {
    for (const [k] of ix.tree.entries()) return first(k);
    return null;
  }
  for (const [k] of ix.tree.entriesReversed()) {
    const v = first(k);
    if (v !== null) return v;
  }
  return null;
}
