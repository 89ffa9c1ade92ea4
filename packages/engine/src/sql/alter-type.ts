/**
 * ALTER TABLE … ALTER [COLUMN] c [SET DATA] TYPE t [USING expr]: every ALTER TYPE of one ALTER
 * TABLE is applied together, as PostgreSQL does, each new value computed from the row as it was
 * (the cast, or the USING expression over the old columns). The whole table is rewritten in one
 * `rewrite_table` WAL record that carries the new definition and every row, so a standby replays
 * the result rather than the casts. Defaults, CHECK constraints, unique indexes and foreign keys
 * are checked against the rewritten table before anything is written; any failure fails the
 * statement with PostgreSQL's error.
 */
import type { AlterTableCmd, ColumnDef as PgColumnDef, Node } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../errors.ts';
import type { ColumnDef, TableDef } from '../catalog/types.ts';
import BTree, { NODE_SIZE } from '../state/btree.ts';
import { buildIndex, TableData, type DbState } from '../state/state.ts';
import type { RowId } from '../wal/record.ts';
import { assignable, coerceToColumn, formatTypeName, resolveTypeName } from './cast.ts';
import { checkRows } from './constraint-ddl.ts';
import type { RunContext, WriteTxn } from './env.ts';
import { compileExpr } from './expr.ts';
import { foreignKeyEvents } from './foreign-keys.ts';
import { RowScope, type SubqueryPlanner } from './from.ts';
import { category } from './operators.ts';
import type { Value } from './types.ts';
import { TYPE_NAME } from './types.ts';
import { checkStorableType } from './types/oid.ts';
import { dependentViews } from './view/ddl.ts';
import { assertNoDuplicates } from './ddl.ts';

type Convert = (row: readonly Value[]) => Value;

export function alterColumnTypes(cmds: readonly AlterTableCmd[], table: TableData, txn: WriteTxn, ctx: RunContext, planner: SubqueryPlanner): void {
  const def = table.def;
  const scope = () => new RowScope([{ alias: def.name, columns: def.columns.map((c) => ({ name: c.name, type: c.type })), offset: 0 }], def.columns.length, planner);
  const columns = [...def.columns];
  const converts = new Map<number, Convert>();
  for (const cmd of cmds) {
    const at = table.column(cmd.name ?? '');
    if (at < 0) throw new SqlError(SQLSTATE.undefined_column, `column "${cmd.name}" of relation "${def.name}" does not exist`);
    const old = def.columns[at]!;
    refuseDependents(txn.state, def, old);
    const cd = (cmd.def as { ColumnDef: PgColumnDef }).ColumnDef;
    const { type, typmod, domain } = resolveTypeName(cd.typeName!);
    if (domain !== undefined) throw featureNotSupported('ALTER COLUMN … TYPE to a domain');
    checkStorableType(old.name, type);
    const shown = formatTypeName(type, typmod);
    let convert: Convert;
    if (cd.raw_default) {
      const using = compileExpr(cd.raw_default, scope());
      if (!assignable(using.type, type)) {
        throw new SqlError(SQLSTATE.datatype_mismatch, `result of USING clause for column "${old.name}" cannot be cast automatically to type ${shown}`, { hint: 'You might need to add an explicit cast.' });
      }
      convert = (row) => coerceToColumn(using.eval(row as Value[], ctx), type, typmod, using.type);
    } else {
      if (!assignable(old.type, type)) {
        throw new SqlError(SQLSTATE.datatype_mismatch, `column "${old.name}" cannot be cast automatically to type ${shown}`, { hint: `You might need to specify "USING ${old.name}::${shown}".` });
      }
      convert = (row) => coerceToColumn(row[at], type, typmod, old.type);
    }
    // a default is stored coerced to its column's type: a literal has the old column type
    const defaultType = old.default && compileExpr(old.default, new RowScope([], 0, planner)).type;
    if (defaultType && !assignable(defaultType === 'unknown' ? old.type : defaultType, type)) {
      throw new SqlError(SQLSTATE.datatype_mismatch, `default for column "${old.name}" cannot be cast automatically to type ${shown}`);
    }
    // PostgreSQL checks each command's cast before it notices a column altered twice
    if (converts.has(at)) throw new SqlError(SQLSTATE.feature_not_supported, `cannot alter type of column "${old.name}" twice`);
    converts.set(at, convert);
    columns[at] = { ...old, type, typmod } satisfies ColumnDef;
  }
  const next: TableDef = { ...def, columns };
  checkForeignKeyTypes(txn.state, next);

  const rows: [RowId, Value[]][] = [];
  table.rows.forEachPair((id, row) => {
    const out = row.slice();
    for (const [at, convert] of converts) out[at] = convert(row);
    rows.push([id, out]);
  });
  const rewritten = new TableData(next, new BTree<RowId, Value[]>(undefined, undefined, NODE_SIZE));
  for (const [id, row] of rows) rewritten.rows.set(id, row);
  for (const at of converts.keys()) {
    const col = columns[at]!;
    if (col.notNull && rows.some(([, r]) => r[at] === null)) throw new SqlError(SQLSTATE.not_null_violation, `column "${col.name}" of relation "${def.name}" contains null values`);
  }
  const checkScope = new RowScope([{ alias: def.name, columns: columns.map((c) => ({ name: c.name, type: c.type })), offset: 0 }], columns.length, planner);
  checkScope.clause = 'check constraints';
  for (const ch of def.checks) {
    const compiled = compileExpr(ch.expr, checkScope);
    if (!ch.notValid) checkRows(def, ch.name, compiled, rewritten, ctx);
  }
  // expression and partial indexes are recompiled for the new types, as PostgreSQL rebuilds them
  for (const ix of table.indexes) {
    if (ix.def.unique) assertNoDuplicates(rewritten, ix.def);
    else if (ix.exprs) buildIndex(ix.def, rewritten);
  }

  txn.write({ kind: 'rewrite_table', table: next, rows });
  recheckForeignKeys(txn, ctx, planner, next, [...converts.keys()].map((at) => columns[at]!.name));
}

/** PostgreSQL's 0A000 for a column a view or a generated column reads. */
function refuseDependents(state: DbState, def: TableDef, col: ColumnDef): void {
  for (const v of dependentViews(state, def.oid)) {
    if (readsColumn(v.view!.query, col.name)) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'cannot alter type of a column used by a view or rule', { detail: `rule _RETURN on view ${v.name} depends on column "${col.name}"` });
    }
  }
  for (const g of def.columns) {
    if (g.generated && readsColumn(g.generated, col.name)) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'cannot alter type of a column used by a generated column', { detail: `Column "${col.name}" is used by generated column "${g.name}".` });
    }
  }
}

/** Whether `node` names the column (or `*`, which a view expands to every column). */
function readsColumn(node: Node, column: string): boolean {
  let found = false;
  JSON.stringify(node, (k, v: unknown) => {
    if (k === 'ColumnRef') {
      const fields = (v as { fields: { String?: { sval?: string }; A_Star?: unknown }[] }).fields;
      if (fields.some((f) => f.String?.sval === column || f.A_Star !== undefined)) found = true;
    }
    return v;
  });
  return found;
}

/** A foreign key whose two sides no longer compare (int against text) cannot be implemented: 42804. */
function checkForeignKeyTypes(state: DbState, next: TableDef): void {
  const typeOf = (t: TableDef, name: string) => t.columns.find((c) => c.name === name)!.type;
  const tableOf = (oid: number) => (oid === next.oid ? next : state.table(oid).def);
  for (const t of state.tables.values()) {
    const child = tableOf(t.def.oid);
    for (const fk of child.foreignKeys ?? []) {
      if (child.oid !== next.oid && fk.refTable !== next.oid) continue;
      const parent = tableOf(fk.refTable);
      fk.columns.forEach((c, i) => {
        const r = fk.refColumns[i]!;
        const a = typeOf(child, c);
        const b = typeOf(parent, r);
        if (category(a) !== category(b)) {
          throw new SqlError(SQLSTATE.datatype_mismatch, `foreign key constraint "${fk.name}" cannot be implemented`, {
            detail: `Key columns "${c}" and "${r}" are of incompatible types: ${TYPE_NAME[a]} and ${TYPE_NAME[b]}.`,
          });
        }
      });
    }
  }
}

/** Rewritten key values must still match: every foreign key on or to the changed columns is checked again. */
function recheckForeignKeys(txn: WriteTxn, ctx: RunContext, planner: SubqueryPlanner, next: TableDef, changed: readonly string[]): void {
  for (const t of [...txn.state.tables.values()]) {
    for (const fk of t.def.foreignKeys ?? []) {
      const own = t.def.oid === next.oid && fk.columns.some((c) => changed.includes(c));
      const referenced = fk.refTable === next.oid && fk.refColumns.some((c) => changed.includes(c));
      if (!own && !referenced) continue;
      const events = foreignKeyEvents(txn.state, planner, fk.name)!;
      txn.state.table(t.def.oid).rows.forEachPair((id) => events.inserted(t.def.oid, id));
      events.finish(txn, ctx, true);
    }
  }
}
