/**
 * CREATE TABLE … (LIKE source [INCLUDING | EXCLUDING …]): the source's columns (names, types,
 * NOT NULL) and, as the options ask, its defaults, identity (a new sequence with the same
 * options), generation expressions, CHECK constraints (under their own names) and indexes (named
 * for the new table, as PostgreSQL chooses names). Foreign keys are never copied, as in PostgreSQL.
 */
import type { Node, TableLikeClause } from '@pgsql/types';
import type { CheckDef, ColumnDef, IndexDef } from '../catalog/types.ts';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { DbState } from '../state/state.ts';
import type { ColumnPlan } from './ddl.ts';
import { funcName } from './expr.ts';
import { pos } from './from.ts';
import { qualifiedName, userRelationName } from './schema.ts';

// PostgreSQL's CreateTableLikeOption bits (COMMENTS, COMPRESSION, STATISTICS and STORAGE change nothing here)
const CONSTRAINTS = 1 << 2, DEFAULTS = 1 << 3, GENERATED = 1 << 4, IDENTITY = 1 << 5, INDEXES = 1 << 6;

/** An index to create on the new table: its definition without identity, and the words its name is made of. */
export interface LikeIndex {
  def: Omit<IndexDef, 'oid' | 'name' | 'table'>;
  nameParts: string[];
}

export interface LikeCopy {
  columns: ColumnPlan[];
  checks: CheckDef[];
  indexes: LikeIndex[];
}

export function copyLike(clause: TableLikeClause, state: DbState): LikeCopy {
  const rv = clause.relation!;
  const key = userRelationName(rv);
  const oid = key === undefined ? undefined : state.tableNames.get(key);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${qualifiedName(rv)}" does not exist`, { position: pos(rv.location) });
  const table = state.table(oid);
  const options = clause.options ?? 0;
  const columns = table.def.columns.map((source): ColumnPlan => {
    const column: ColumnDef = { name: source.name, type: source.type, typmod: source.typmod, notNull: source.notNull };
    const plan: ColumnPlan = { column, serial: false, primary: false, unique: false, checks: [], foreign: [] };
    if (source.identity) {
      if (options & IDENTITY) plan.identity = { when: source.identity, options: identityOptions(state, oid, source.name) };
    } else if (source.generated) {
      if (options & GENERATED) column.generated = source.generated;
    } else if (source.default && options & DEFAULTS) {
      column.default = source.default;
      if (source.defaultText) column.defaultText = source.defaultText;
    }
    return plan;
  });
  const checks = options & CONSTRAINTS ? table.def.checks.map((c) => ({ ...c })) : [];
  const indexes = options & INDEXES ? table.indexes.map((ix) => likeIndex(ix.def)) : [];
  return { columns, checks, indexes };
}

function likeIndex(def: IndexDef): LikeIndex {
  const { oid: _oid, name: _name, table: _table, ...rest } = def;
  const nameParts = def.columns.map((c, i) => {
    const e = def.exprs?.[i];
    if (!e) return c;
    return 'FuncCall' in e ? funcName(e.FuncCall) : 'expr';
  });
  return { def: rest, nameParts };
}

/** The options of the sequence behind an identity column, as the DefElems CREATE TABLE would carry. */
function identityOptions(state: DbState, table: number, column: string): Node[] {
  const seq = [...state.sequences.values()].find((s) => s.def.ownedBy?.table === table && s.def.ownedBy.column === column)?.def;
  if (!seq) return [];
  const number = (defname: string, v: number | bigint | undefined): Node[] =>
    (v === undefined ? [] : [{ DefElem: { defname, arg: { Float: { fval: String(v) } } } } as Node]);
  return [
    ...number('increment', seq.increment), ...number('minvalue', seq.min), ...number('maxvalue', seq.max),
    ...number('start', seq.start), ...number('cache', seq.cache),
    ...(seq.cycle ? [{ DefElem: { defname: 'cycle', arg: { Boolean: { boolval: true } } } }] : []),
  ];
}

/** Gathers one LIKE's checks and indexes into `all`; returns its columns. */
export function addLike(all: Omit<LikeCopy, 'columns'>, copy: LikeCopy): ColumnPlan[] {
  all.checks.push(...copy.checks);
  all.indexes.push(...copy.indexes);
  return copy.columns;
}
