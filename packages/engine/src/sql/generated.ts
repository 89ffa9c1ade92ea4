/**
 * Identity and generated columns on writes: a value given for a GENERATED ALWAYS identity column
 * (without OVERRIDING SYSTEM VALUE) or for a generated column is PostgreSQL's 428C9, a stored
 * generated column is computed from the row's other columns after defaults and SET, before the
 * constraints are checked, and such a column added to a table with rows is filled row by row.
 */
import type { ColumnDef, Oid, TableDef } from '../catalog/types.ts';
import type { RowId } from '../wal/record.ts';
import { canonical } from './int8.ts';
import { params } from './sequence/options.ts';
import { followingVersion } from './sequence/functions.ts';
import { SqlError } from '../errors.ts';
import { coerceToColumn } from './cast.ts';
import { tableScope } from './constraints.ts';
import type { RunContext, WriteTxn } from './env.ts';
import { compileExpr } from './expr.ts';
import type { SubqueryPlanner } from './from.ts';
import type { Value } from './types.ts';

const GENERATED_ALWAYS = '428C9';

function why(col: ColumnDef): string {
  return col.generated ? `Column "${col.name}" is a generated column.` : `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.`;
}

/** INSERT giving `col` a value that is not DEFAULT. */
export function checkInsertValue(col: ColumnDef, overridingSystemValue: boolean): void {
  if (col.generated || (col.identity === 'a' && !overridingSystemValue)) {
    throw new SqlError(GENERATED_ALWAYS, `cannot insert a non-DEFAULT value into column "${col.name}"`, {
      detail: why(col),
      ...(col.generated ? {} : { hint: 'Use OVERRIDING SYSTEM VALUE to override.' }),
    });
  }
}

/** UPDATE … SET col = something other than DEFAULT. */
export function checkUpdateValue(col: ColumnDef): void {
  if (col.generated || col.identity === 'a') {
    throw new SqlError(GENERATED_ALWAYS, `column "${col.name}" can only be updated to DEFAULT`, { detail: why(col) });
  }
}

/**
 * ALTER TABLE … ADD COLUMN of a serial, identity or generated column: each existing row gets its
 * value (the sequence's next ones in row order, or the generation expression) as an update record,
 * and a sequence's new position is a transactional sequence_reset after them.
 */
export function fillAddedColumn(txn: WriteTxn, ctx: RunContext, oid: Oid, planner: SubqueryPlanner): void {
  const table = txn.state.table(oid);
  const def = table.def;
  const at = def.columns.length - 1;
  const col = def.columns[at]!;
  const rows: [RowId, Value[]][] = [];
  table.rows.forEachPair((id, row) => { rows.push([id, row]); });
  if (!rows.length) return;
  if (col.generated) {
    const fill = generatedColumns(def, planner)!;
    for (const [id, old] of rows) {
      const row = [...old];
      fill(row, ctx);
      txn.write({ kind: 'update', table: oid, rowid: id, row });
    }
    return;
  }
  const seq = [...txn.state.sequences.values()].find((s) => s.def.ownedBy?.table === oid && s.def.ownedBy.column === col.name)!;
  const p = params(seq.def);
  let next = BigInt(seq.value);
  let last = next;
  for (const [id, old] of rows) {
    if (next > p.max || next < p.min) {
      throw new SqlError('2200H', `nextval: reached ${next > p.max ? 'maximum' : 'minimum'} value of sequence "${seq.def.name}" (${next > p.max ? p.max : p.min})`);
    }
    const row = [...old];
    row[at] = canonical(next);
    txn.write({ kind: 'update', table: oid, rowid: id, row });
    last = next;
    next += p.increment;
  }
  txn.write({ kind: 'sequence_reset', sequence: seq.def.oid, value: canonical(last), called: true, version: followingVersion(seq) });
}

export type FillGenerated = (row: Value[], ctx: RunContext) => void;

const compiled = new WeakMap<TableDef, FillGenerated | null>();

/** What computes the table's generated columns into a row (undefined when it has none); compiled once per definition. */
export function generatedColumns(def: TableDef, planner?: SubqueryPlanner): FillGenerated | undefined {
  const hit = compiled.get(def);
  if (hit !== undefined || !planner) return hit ?? undefined;
  const exprs = def.columns.flatMap((c, i) => {
    if (!c.generated) return [];
    const scope = tableScope(def, planner);
    scope.clause = 'column generation expressions';
    return [{ i, col: c, expr: compileExpr(c.generated, scope) }];
  });
  const fill: FillGenerated | null = exprs.length
    ? (row, ctx) => {
      for (const g of exprs) row[g.i] = coerceToColumn(g.expr.eval(row, ctx), g.col.type, g.col.typmod, g.expr.type);
    }
    : null;
  compiled.set(def, fill);
  return fill ?? undefined;
}
