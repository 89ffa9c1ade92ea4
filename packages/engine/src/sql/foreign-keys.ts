/**
 * Foreign keys at run time. A statement records its row changes as events; at the end of the
 * statement (PostgreSQL's after-row triggers) each event is checked: a referencing row's key must
 * exist in the referenced table (23503 "insert or update on table …"), and a referenced key that
 * went away applies the constraint's action — NO ACTION and RESTRICT refuse (23503 "update or
 * delete on table …"), CASCADE deletes or updates the referencing rows, SET NULL and SET DEFAULT
 * update them. Changes made by an action are events too, so actions chain. Every change is a
 * WAL record written through the transaction, so standbys replay the effects, not the rules.
 */
import { foreignKeyOwner } from './inherit/tree.ts';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { ForeignKeyDef, Oid, TableDef } from '../catalog/types.ts';
import type { DbState, IndexData, TableData } from '../state/state.ts';
import type { RowId } from '../wal/record.ts';
import { castFunction } from './cast.ts';
import { rowChecker, type RowChecker } from './constraints.ts';
import type { RunContext, WriteTxn } from './env.ts';
import { compileExpr } from './expr.ts';
import { RowScope, type SubqueryPlanner } from './from.ts';
import type { Compiled } from './scope.ts';
import type { SqlType, Value } from './types.ts';
import { distinctKey, formatValue } from './values.ts';
import { rowKeyFor } from './types/bpchar.ts';
import { ownName } from './schema/keys.ts';

type Event =
  | { kind: 'insert'; table: Oid; id: RowId }
  | { kind: 'update'; table: Oid; id: RowId; old: Value[]; row: Value[] }
  | { kind: 'delete'; table: Oid; id: RowId; old: Value[] };

type Defer = (check: (state: DbState) => void) => void;

interface Link {
  fk: ForeignKeyDef;
  child: Oid;
}

/** One statement's foreign-key work; undefined from `foreignKeyEvents` when no table has a foreign key. */
export interface ForeignKeyEvents {
  /** Forget what an earlier run of the same plan left behind (it failed before `finish`). */
  reset(): void;
  inserted(table: Oid, id: RowId): void;
  updated(table: Oid, id: RowId, old: Value[], row: Value[]): void;
  deleted(table: Oid, id: RowId, old: Value[]): void;
  /**
   * Run every check and action the statement's changes call for (its end). Checks of deferred
   * constraints go to the transaction's COMMIT unless `immediate` (ADD CONSTRAINT validates now).
   */
  finish(txn: WriteTxn, ctx: RunContext, immediate?: boolean): void;
}

export function foreignKeyEvents(state: DbState, planner: SubqueryPlanner, only?: string): ForeignKeyEvents | undefined {
  const links: Link[] = [];
  // `only`: the one foreign key whose existing rows ADD/VALIDATE CONSTRAINT checks
  for (const t of state.tables.values()) for (const fk of t.def.foreignKeys ?? []) if (only === undefined || fk.name === only) links.push({ fk, child: t.def.oid });
  if (!links.length) return undefined;
  const events: Event[] = [];
  const checkers = new Map<Oid, RowChecker>();
  const defaults = new Map<string, Compiled | undefined>();

  const checkerOf = (def: TableDef) => {
    let c = checkers.get(def.oid);
    if (!c) checkers.set(def.oid, (c = rowChecker(def, planner)));
    return c;
  };
  const defaultOf = (def: TableDef, col: number): Compiled | undefined => {
    const key = `${def.oid}:${col}`;
    if (!defaults.has(key)) {
      const d = def.columns[col]!.default;
      defaults.set(key, d ? compileExpr(d, new RowScope([], 0, planner)) : undefined);
    }
    return defaults.get(key);
  };

  return {
    reset: () => { events.length = 0; },
    inserted: (table, id) => { events.push({ kind: 'insert', table, id }); },
    updated: (table, id, old, row) => { events.push({ kind: 'update', table, id, old, row }); },
    deleted: (table, id, old) => { events.push({ kind: 'delete', table, id, old }); },
    finish(txn, ctx, immediate = false) {
      const defer = immediate ? undefined : txn.defer?.bind(txn);
      // actions append events while this runs; every one is handled in order
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        if (e.kind !== 'delete') checkReferencing(txn.state, e, defer);
        if (e.kind !== 'insert') {
          for (const link of links) if (link.fk.refTable === e.table) referencedGone(txn, ctx, e, link, defer);
        }
      }
      events.length = 0;
    },
  };

  /** A new or changed row's keys must exist in the tables they reference. */
  function checkReferencing(state: DbState, e: Extract<Event, { kind: 'insert' | 'update' }>, defer: Defer | undefined): void {
    const table = state.table(e.table);
    const row = table.rows.get(e.id);
    if (!row) return;
    for (const fk of table.def.foreignKeys ?? []) {
      if (only !== undefined && fk.name !== only) continue;
      const cols = fk.columns.map((c) => table.column(c));
      if (e.kind === 'update' && sameKey(cols.map((c) => e.old[c]), cols.map((c) => row[c]))) continue;
      if (fk.deferred && defer) defer((final) => keyPresent(final, e.table, e.id, fk));
      else keyPresent(state, e.table, e.id, fk);
    }
  }

  /** A referenced row was deleted, or its key changed: apply the constraint's action. */
  function referencedGone(txn: WriteTxn, ctx: RunContext, e: Extract<Event, { kind: 'update' | 'delete' }>, link: Link, defer: Defer | undefined): void {
    const { fk } = link;
    const parent = txn.state.table(e.table);
    const pcols = fk.refColumns.map((c) => parent.column(c));
    const key = pcols.map((c) => e.old[c] ?? null);
    if (key.some((v) => v === null)) return;
    if (e.kind === 'update' && sameKey(key, pcols.map((c) => e.row[c]))) return;
    const action = e.kind === 'delete' ? fk.onDelete : fk.onUpdate;
    const ptypes = pcols.map((c) => parent.def.columns[c]!.type);
    if (action === 'a') {
      // NO ACTION is satisfied when the key exists again by the end of the statement (or the COMMIT)
      const old = e.old, parentOid = e.table;
      if (fk.deferred && defer) defer((final) => notReferenced(final, parentOid, link, old, true));
      else notReferenced(txn.state, parentOid, link, old, true);
      return;
    }
    if (action === 'r') {
      notReferenced(txn.state, e.table, link, e.old, false);
      return;
    }
    const child = txn.state.table(link.child);
    const ids = referencingRows(child, fk, key, ptypes);
    const ccols = fk.columns.map((c) => child.column(c));
    for (const id of ids) {
      const t = txn.state.table(link.child);
      const old = t.rows.get(id);
      if (!old) continue;
      if (action === 'c' && e.kind === 'delete') {
        txn.write({ kind: 'delete', table: link.child, rowid: id });
        events.push({ kind: 'delete', table: link.child, id, old });
        continue;
      }
      const row = [...old];
      ccols.forEach((c, k) => {
        const type = t.def.columns[c]!.type;
        if (action === 'c') row[c] = castFunction(ptypes[k]!, type, t.def.columns[c]!.typmod, false)((e as { row: Value[] }).row[pcols[k]!] ?? null);
        else if (action === 'n') row[c] = null;
        else row[c] = defaultOf(t.def, c)?.eval([], ctx) ?? null;
      });
      checkerOf(t.def).check(t, row, ctx, id);
      txn.write({ kind: 'update', table: link.child, rowid: id, row });
      events.push({ kind: 'update', table: link.child, id, old, row });
    }
    // a default equal to the key that went away leaves the row referencing it unchanged: PostgreSQL's ri_set runs the NO ACTION check
    if (action === 'd' && ids.length) notReferenced(txn.state, e.table, link, e.old, true);
  }
}

/** The row's key (when it has one) exists in the referenced table; 23503 otherwise. */
function keyPresent(state: DbState, oid: Oid, id: RowId, wanted: ForeignKeyDef): void {
  const table = state.table(oid);
  const row = table.rows.get(id);
  // a row gone by now, or a constraint dropped since, has nothing to check
  const fk = table.def.foreignKeys?.find((f) => f.name === wanted.name);
  if (!row || !fk) return;
  const cols = fk.columns.map((c) => table.column(c));
  const values = cols.map((c) => row[c] ?? null);
  const nulls = values.filter((v) => v === null).length;
  if (nulls && fk.matchFull && nulls < values.length) {
    throw new SqlError(SQLSTATE.foreign_key_violation, `insert or update on table "${ownName(table.def.name)}" violates foreign key constraint "${fk.name}"`, {
      detail: 'MATCH FULL does not allow mixing of null and nonnull key values.',
    });
  }
  if (nulls) return;
  const parent = state.table(fk.refTable);
  if (keyExists(parent, fk.refColumns, values, cols.map((c) => table.def.columns[c]!.type))) return;
  throw new SqlError(SQLSTATE.foreign_key_violation, `insert or update on table "${ownName(table.def.name)}" violates foreign key constraint "${fk.name}"`, {
    detail: `Key (${fk.columns.join(', ')})=(${shown(table.def, cols, row)}) is not present in table "${parent.def.name}".`,
  });
}

/** No row references the old key (NO ACTION also accepts the key existing again); 23503 otherwise. */
function notReferenced(state: DbState, parentOid: Oid, link: Link, old: readonly Value[], again: boolean): void {
  const fk = state.table(link.child).def.foreignKeys?.find((f) => f.name === link.fk.name);
  if (!fk) return;
  const parent = state.table(parentOid);
  const pcols = fk.refColumns.map((c) => parent.column(c));
  const key = pcols.map((c) => old[c] ?? null);
  const ptypes = pcols.map((c) => parent.def.columns[c]!.type);
  if (again && keyExists(parent, fk.refColumns, key, ptypes)) return;
  const child = state.table(link.child);
  if (!referencingRows(child, fk, key, ptypes).length) return;
  const named = foreignKeyOwner(state, child.def, fk.name).name;
  throw new SqlError(SQLSTATE.foreign_key_violation, `update or delete on table "${ownName(parent.def.name)}" violates foreign key constraint "${fk.name}" on table "${ownName(named)}"`, {
    detail: `Key (${fk.refColumns.join(', ')})=(${shown(parent.def, pcols, old)}) is still referenced from table "${named}".`,
  });
}

function sameKey(a: readonly Value[], b: readonly Value[]): boolean {
  return a.every((v, i) => distinctKey(v ?? null) === distinctKey(b[i] ?? null));
}

function shown(def: TableDef, cols: readonly number[], row: readonly Value[]): string {
  return cols.map((c) => formatValue(row[c], def.columns[c]!.type) ?? 'null').join(', ');
}

/** The unique index whose columns are exactly `columns` (any order), as a foreign key requires. */
export function matchingUniqueIndex(table: TableData, columns: readonly string[]): IndexData | undefined {
  return table.indexes.find((ix) => ix.def.unique && !ix.exprs && ix.def.columns.length === columns.length && columns.every((c) => ix.def.columns.includes(c)));
}

/** Whether `table` has a row whose `columns` equal `values` (of `types`, cast to the columns' types). */
function keyExists(table: TableData, columns: readonly string[], values: readonly Value[], types: readonly SqlType[]): boolean {
  const ix = matchingUniqueIndex(table, columns);
  if (!ix) throw new Error(`foreign key on ${table.def.name} lost its unique index`);
  const parts: Value[] = [];
  for (const name of ix.def.columns) {
    const k = columns.indexOf(name);
    const col = table.def.columns[table.column(name)]!;
    const v = convert(values[k], types[k]!, col.type);
    if (v === undefined) return false;
    parts.push(v);
  }
  return ix.lookup(ix.composite ? parts : parts[0]!).length > 0;
}

/** Rows of `child` whose foreign-key columns equal the referenced key. */
function referencingRows(child: TableData, fk: ForeignKeyDef, key: readonly Value[], types: readonly SqlType[]): RowId[] {
  const cols = fk.columns.map((c) => child.column(c));
  const want: Value[] = [];
  for (let k = 0; k < cols.length; k++) {
    const v = convert(key[k], types[k]!, child.def.columns[cols[k]!]!.type);
    if (v === undefined) return [];
    want.push(v);
  }
  const ix = child.indexes.find((i) => !i.exprs && i.def.columns.length === fk.columns.length && i.def.columns.every((c, k) => c === fk.columns[k]));
  if (ix) return [...ix.lookup(ix.composite ? want : want[0]!)];
  const rowKey = rowKeyFor(cols.map((c) => child.def.columns[c]!.type));
  const wanted = rowKey(want);
  const ids: RowId[] = [];
  child.rows.forEachPair((id, row) => {
    if (rowKey(cols.map((c) => row[c] ?? null)) === wanted) ids.push(id);
  });
  return ids;
}

/** A key value in another column type; undefined when it cannot be one (then nothing matches). */
function convert(v: Value, from: SqlType, to: SqlType): Value | undefined {
  if (from === to) return v;
  try {
    return castFunction(from, to, -1, false)(v);
  } catch {
    return undefined;
  }
}
