/**
 * Views: CREATE [OR REPLACE] VIEW, DROP VIEW [IF EXISTS] [CASCADE], and the dependencies that
 * keep a view's relations from being dropped, renamed or altered under it. A view is a TableDef
 * with `view` set and no rows, so it is WAL-logged, checkpointed and backed up as a table is;
 * sql/from.ts plans its query where it is named. Writing through a view: view/dml.ts.
 */
import type { Node, SelectStmt, ViewStmt } from '@pgsql/types';
import type { Oid, TableDef } from '../../catalog/types.ts';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import type { WriteTxn } from '../env.ts';
import { pos } from '../from.ts';
import { strings } from '../names.ts';
import type { StatementPlan } from '../plan.ts';
import { ddlSchemaOk } from '../schema.ts';
import type { SelectPlanner } from '../select.ts';
import { TYPE_NAME, type SqlType } from '../types.ts';
import { ownName } from '../schema/keys.ts';
import { viewCheckOption } from './updatable.ts';

const HINT_CASCADE = 'Use DROP ... CASCADE to drop the dependent objects too.';

function ddl(command: string, run: (txn: WriteTxn) => void): StatementPlan {
  return { command, columns: [], writes: true, run(ctx) { run(ctx.env.txn!); return { rows: [], rowCount: 0 }; } };
}

/** The relations a query names (CTE names that shadow nothing are skipped: they are not relations). */
function namedRelations(node: unknown, state: DbState, out: Set<Oid>): Set<Oid> {
  if (!node || typeof node !== 'object') return out;
  if ('RangeVar' in node) {
    const rv = (node as { RangeVar: { relname?: string; schemaname?: string } }).RangeVar;
    const oid = rv.schemaname && rv.schemaname !== 'public' ? undefined : state.tableNames.get(rv.relname!);
    if (oid !== undefined) out.add(oid);
    return out;
  }
  for (const v of Object.values(node)) {
    if (Array.isArray(v)) for (const x of v) namedRelations(x, state, out);
    else namedRelations(v, state, out);
  }
  return out;
}

/**
 * The columns of a relation made from a query (a view, CREATE TABLE AS): renamed by `aliases`,
 * unknown as text, each name once.
 */
export function relationColumns(columns: readonly { name: string; type: SqlType }[], aliases: readonly string[], tooMany: string): { name: string; type: SqlType }[] {
  if (aliases.length > columns.length) throw new SqlError(SQLSTATE.syntax_error, tooMany);
  const out = columns.map((c, i) => ({ name: aliases[i] ?? c.name, type: (c.type === 'unknown' ? 'text' : c.type) as SqlType }));
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c.name)) throw new SqlError(SQLSTATE.duplicate_column, `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  return out;
}

/** Views that name `oid` (directly). */
export function dependentViews(state: DbState, oid: Oid): TableDef[] {
  return [...state.tables.values()].map((t) => t.def).filter((d) => d.view?.dependsOn.includes(oid));
}

export function planCreateView(stmt: ViewStmt, planner: SelectPlanner, state: DbState): StatementPlan {
  const rv = stmt.view!;
  ddlSchemaOk(rv.schemaname, false, rv.location);
  if (rv.relpersistence === 't') throw new SqlError(SQLSTATE.feature_not_supported, 'temporary views are not supported');
  if (stmt.options?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'view options (WITH (…)) are not supported');
  const select = (stmt.query as { SelectStmt: SelectStmt }).SelectStmt;
  if (select.intoClause) throw new SqlError(SQLSTATE.feature_not_supported, 'views must not contain SELECT INTO');
  const plan = planner.plan(select);
  const columns = relationColumns(plan.columns, strings(stmt.aliases), 'CREATE VIEW specifies more column names than columns');
  const name = rv.relname!;
  const query: Node = { SelectStmt: select };
  const checkOption = viewCheckOption(stmt, select, state);
  return ddl(stmt.replace ? 'CREATE VIEW' : 'CREATE VIEW', (txn) => {
    const s = txn.state;
    const dependsOn = [...namedRelations(query, s, new Set())];
    const existing = s.tableNames.get(name);
    const def: TableDef = {
      oid: existing ?? 0,
      name,
      columns: columns.map((c) => ({ name: c.name, type: c.type, typmod: -1, notNull: false })),
      checks: [],
      view: { query, dependsOn, ...(checkOption ? { checkOption } : {}) },
    };
    if (existing === undefined) {
      if (s.indexNames.has(name) || s.sequenceNames.has(name)) throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(name)}" already exists`);
      def.oid = s.allocateOid();
      def.rowType = s.allocateOid();
      txn.write({ kind: 'create_table', table: def });
      return;
    }
    const old = s.table(existing).def;
    if (!stmt.replace) throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(name)}" already exists`);
    if (!old.view) throw new SqlError(SQLSTATE.wrong_object_type, `"${name}" is not a view`);
    if (dependsOn.includes(existing) || reaches(s, dependsOn, existing)) {
      throw new SqlError('42P17', `infinite recursion detected in rules for relation "${name}"`);
    }
    if (columns.length < old.columns.length) throw new SqlError(SQLSTATE.invalid_table_definition, 'cannot drop columns from view');
    old.columns.forEach((c, i) => {
      const now = columns[i]!;
      if (now.name !== c.name) {
        throw new SqlError(SQLSTATE.invalid_table_definition, `cannot change name of view column "${c.name}" to "${now.name}"`, {
          hint: 'Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.',
        });
      }
      if (now.type !== c.type) throw new SqlError(SQLSTATE.invalid_table_definition, `cannot change data type of view column "${c.name}" from ${TYPE_NAME[c.type]} to ${TYPE_NAME[now.type]}`);
    });
    if (old.rowType !== undefined) def.rowType = old.rowType;
    txn.write({ kind: 'alter_table_def', table: def });
  });
}

/** Whether any of `from` depends, through views, on `target`. */
function reaches(state: DbState, from: readonly Oid[], target: Oid, seen = new Set<Oid>()): boolean {
  for (const oid of from) {
    if (oid === target) return true;
    if (seen.has(oid)) continue;
    seen.add(oid);
    const view = state.tables.get(oid)?.def.view;
    if (view && reaches(state, view.dependsOn, target, seen)) return true;
  }
  return false;
}

/**
 * Before `oid` (a table or view) is dropped: views on it refuse the drop (2BP01), or with CASCADE
 * are dropped first (and the views on them in turn).
 */
export function dropDependentViews(txn: WriteTxn, oid: Oid, droppedWith: ReadonlySet<Oid>, cascade: boolean): void {
  const def = txn.state.table(oid).def;
  for (const v of dependentViews(txn.state, oid)) {
    if (droppedWith.has(v.oid) || !txn.state.tables.has(v.oid)) continue;
    if (!cascade) {
      const kind = def.view ? 'view' : 'table';
      throw new SqlError('2BP01', `cannot drop ${kind} ${def.name} because other objects depend on it`, {
        detail: `view ${v.name} depends on ${kind} ${def.name}`, hint: HINT_CASCADE,
      });
    }
    dropDependentViews(txn, v.oid, droppedWith, cascade);
    txn.write({ kind: 'drop_table', table: v.oid });
  }
}

/** ALTER/RENAME of a relation a view names: the view holds names, so it is refused rather than left pointing elsewhere. */
export function refuseIfViewed(state: DbState, oid: Oid, what: string): void {
  const v = dependentViews(state, oid)[0];
  if (v) throw new SqlError(SQLSTATE.feature_not_supported, `${what} of "${state.table(oid).def.name}", which view "${v.name}" depends on, is not supported`);
}

/** A view named where a table is needed: PostgreSQL's wrong_object_type, or 0A000 for writes view/dml.ts does not take (EXPLAIN, ON CONFLICT's target). */
export function refuseView(def: TableDef, action: 'write' | 'table', location?: number): void {
  if (!def.view) return;
  if (action === 'write') throw new SqlError(SQLSTATE.feature_not_supported, `writing to view "${def.name}" is not supported`, { position: pos(location) });
  throw new SqlError(SQLSTATE.wrong_object_type, `"${def.name}" is not a table`, { position: pos(location) });
}

/** DROP VIEW: like DROP TABLE, for views only. */
export function planDropView(names: readonly string[], missingOk: boolean, cascade: boolean): StatementPlan {
  return ddl('DROP VIEW', (txn) => {
    const oids = names.map((n) => txn.state.tableNames.get(n));
    const dropped = new Set(oids.filter((o): o is Oid => o !== undefined));
    names.forEach((name, i) => {
      const oid = oids[i];
      if (oid === undefined || !txn.state.tables.has(oid)) {
        if (missingOk) return;
        throw new SqlError(SQLSTATE.undefined_table, `view "${ownName(name)}" does not exist`);
      }
      if (!txn.state.table(oid).def.view) {
        throw new SqlError(SQLSTATE.wrong_object_type, `"${name}" is not a view`, { hint: 'Use DROP TABLE to remove a table.' });
      }
      dropDependentViews(txn, oid, dropped, cascade);
      txn.write({ kind: 'drop_table', table: oid });
    });
  });
}
