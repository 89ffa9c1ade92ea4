/**
 * PARTITION BY RANGE | LIST | HASH (columns and expressions): the partitioned table's key as
 * catalog data, and the compiled function that reads a row's key values (cached per table
 * definition, which is replaced, never changed, when the table is altered).
 */
import type { PartitionElem, PartitionSpec } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { ColumnDef, PartitionKey, TableDef } from '../../catalog/types.ts';
import { compileExpr } from '../expr.ts';
import { pos, type SubqueryPlanner } from '../from.ts';
import { tableScope } from '../constraints.ts';
import { checkNoSubquery, SYSTEM_COLUMNS } from '../ddl-checks.ts';
import { deparse } from '../plan/explain.ts';
import type { EvalContext } from '../scope.ts';
import type { Value } from '../types.ts';

const STRATEGY = { PARTITION_STRATEGY_RANGE: 'range', PARTITION_STRATEGY_LIST: 'list', PARTITION_STRATEGY_HASH: 'hash' } as const;

export function planPartitionKey(spec: PartitionSpec, name: string, columns: ColumnDef[], planner: SubqueryPlanner): PartitionKey {
  const strategy = STRATEGY[spec.strategy as keyof typeof STRATEGY];
  if (!strategy) throw new SqlError(SQLSTATE.feature_not_supported, `partition strategy ${spec.strategy} is not supported`);
  const params = (spec.partParams ?? []).map((p) => (p as { PartitionElem: PartitionElem }).PartitionElem);
  if (strategy === 'list' && params.length > 1) throw new SqlError('42P17', 'cannot use "list" partition strategy with more than one column', { position: pos(spec.location) });
  const def = { name, columns } as TableDef;
  const keys = params.map((p) => {
    if (p.collation?.length || p.opclass?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'a collation or operator class in a partition key is not supported');
    if (p.name) {
      const col = columns.find((c) => c.name === p.name);
      if (!col && SYSTEM_COLUMNS.has(p.name)) throw new SqlError('42P17', `cannot use system column "${p.name}" in partition key`, { position: pos(p.location) });
      if (!col) throw new SqlError(SQLSTATE.undefined_column, `column "${p.name}" named in partition key does not exist`, { position: pos(p.location) });
      return { column: p.name, text: p.name, type: col.type };
    }
    const expr = p.expr!;
    checkNoSubquery(expr, 'partition key expression');
    const scope = tableScope(def, planner);
    scope.clause = 'partition key expressions';
    const c = compileExpr(expr, scope);
    if (!JSON.stringify(expr).includes('"ColumnRef"')) throw new SqlError('42P17', 'cannot use constant expression as partition key', { position: pos(p.location) });
    // a bare column in parentheses is that column, as PostgreSQL keeps it
    if ('ColumnRef' in expr) return { column: deparse(expr), text: deparse(expr), type: c.type };
    return { expr, text: `(${deparse(expr)})`, type: c.type };
  });
  return { strategy, keys };
}

export type KeyReader = (row: readonly Value[], ctx: EvalContext) => Value[];
const readers = new WeakMap<TableDef, KeyReader>();

/** The function reading `def`'s partition key values from one of its rows. */
export function keyReader(def: TableDef, planner: SubqueryPlanner): KeyReader {
  let r = readers.get(def);
  if (r) return r;
  const parts = def.partitionKey!.keys.map((k) => {
    if (k.column !== undefined) {
      const i = def.columns.findIndex((c) => c.name === k.column);
      return (row: readonly Value[]) => row[i] ?? null;
    }
    const c = compileExpr(k.expr!, tableScope(def, planner));
    return (row: readonly Value[], ctx: EvalContext) => c.eval(row as Value[], ctx) ?? null;
  });
  r = (row, ctx) => parts.map((p) => p(row, ctx));
  readers.set(def, r);
  return r;
}

/** Columns a partition key reads: they cannot be dropped or have their type changed. */
export function keyColumns(key: PartitionKey): string[] {
  const out = new Set<string>();
  for (const k of key.keys) {
    if (k.column !== undefined) out.add(k.column);
    else JSON.stringify(k.expr, (key, v) => {
      if (key === 'ColumnRef') {
        const f = (v as { fields?: { String?: { sval: string } }[] }).fields ?? [];
        const last = f[f.length - 1]?.String?.sval;
        if (last) out.add(last);
      }
      return v;
    });
  }
  return [...out];
}
