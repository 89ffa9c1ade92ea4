/**
 * Temporary tables (CREATE TEMP TABLE … [ON COMMIT PRESERVE ROWS | DELETE ROWS | DROP]): owned by
 * one Session's TempSpace and kept out of everything shared. They live in the session's own schema
 * `pg_temp_N` (named `pg_temp` in SQL), found before the search_path's schemas as in PostgreSQL;
 * their oids come from a range of their own, so the permanent catalog's next oid never moves; a
 * transaction that uses them has them put into its state (`attach`) and taken out again before it
 * commits (`detach`), so no published state, checkpoint or base backup holds them; and their
 * records are applied to the transaction's state but never logged (`isTempRecord`), so no WAL,
 * standby or recovery sees them, nor the advances of their serial and identity sequences. They end
 * with their session (the node's close). Their foreign keys reference the session's temporary
 * tables only, as in PostgreSQL.
 */
import type { Node } from '@pgsql/types';
import type { Oid, TableDef } from '../catalog/types.ts';
import { SqlError, SQLSTATE } from '../errors.ts';
import { buildIndex, nextCatalogVersion, TableData, type DbState, type SequenceState } from '../state/state.ts';
import type { WalRecord } from '../wal/record.ts';
import type { StatementPlan } from './plan.ts';
import { isTempSchema, splitKey } from './schema/keys.ts';

/** Oids of temporary objects start here, far above any permanent one. */
export const TEMP_OID_BASE = 0x40000000;

let spaces = 0;

export function isTempKey(key: string | undefined): boolean {
  return key !== undefined && isTempSchema(splitKey(key).schema);
}

/** A record about a temporary object: applied to the transaction's state, never written to the WAL. */
export function isTempRecord(rec: WalRecord): boolean {
  switch (rec.kind) {
    case 'create_table': case 'alter_table_def': case 'rewrite_table': return rec.table.oid >= TEMP_OID_BASE;
    case 'create_index': return rec.index.table >= TEMP_OID_BASE;
    case 'drop_index': return rec.index >= TEMP_OID_BASE;
    case 'create_sequence': case 'alter_sequence': return rec.sequence.oid >= TEMP_OID_BASE;
    case 'drop_sequence': case 'sequence_set': case 'sequence_reset': return rec.sequence >= TEMP_OID_BASE;
    default: return 'table' in rec && typeof rec.table === 'number' && rec.table >= TEMP_OID_BASE;
  }
}

export class TempSpace {
  /** The schema its tables are keyed under (`pg_temp_3.t`). */
  readonly schema = `pg_temp_${++spaces}`;
  /** The tables as the session's last commit left them. */
  private tables = new Map<Oid, TableData>();
  /** Their serial and identity columns' sequences: counters shared with every fork, never rolled back, as permanent ones. */
  private sequences = new Map<Oid, SequenceState>();
  /** The catalog version its last committed DDL left: an attached state's version is at least this, so plans made before it are recompiled. */
  private version = 0;

  /** Whether `state` holds this session's temporary tables (forks of an attached state do too). */
  private attached(state: DbState): boolean {
    return state.schemas.has(this.schema);
  }

  /** The search_path a statement on `state` resolves names with: the temporary schema first, when there may be temporary tables or the statement creates one. */
  path(path: readonly string[], stmt: Node, state: DbState): readonly string[] {
    return this.tables.size || this.attached(state) || createsTemp(stmt) ? [this.schema, ...path] : path;
  }

  /** Whether a statement may use temporary tables: the session has some, or it creates one. */
  wanted(stmt: Node): boolean {
    return this.tables.size > 0 || createsTemp(stmt);
  }

  /** A state that reads like `state` plus the temporary tables (`state` itself when there are none). */
  view(state: DbState): DbState {
    if (!this.tables.size || this.attached(state)) return state;
    const fork = state.fork();
    this.attach(fork);
    return fork;
  }

  /** Put the temporary tables into a transaction's own state (once; a fork of it inherits them). */
  attach(state: DbState): void {
    if (this.attached(state)) return;
    state.schemas = new Set([...state.schemas, this.schema]);
    state.catalogVersion = Math.max(state.catalogVersion, this.version);
    for (const [oid, t] of this.tables) {
      state.adopt(oid, t.clone());
      state.ownCatalog().tableNames.set(t.def.name, oid);
      for (const ix of t.indexes) {
        state.ownCatalog().indexNames.set(ix.def.name, ix.def.oid);
        state.ownCatalog().indexTables.set(ix.def.oid, oid);
      }
    }
    for (const [oid, s] of this.sequences) {
      state.ownCatalog().sequences.set(oid, s);
      state.ownCatalog().sequenceNames.set(s.def.name, oid);
    }
  }

  /**
   * Before a transaction's state is published: take the temporary tables out of it, with the ON
   * COMMIT actions applied. `keep()` makes them the session's once the commit went through.
   */
  detach(state: DbState): { keep(): void } | undefined {
    if (!this.attached(state)) return undefined;
    const kept = new Map<Oid, TableData>();
    let dropped = false;
    for (const [name, oid] of [...state.tableNames]) {
      if (!isTempKey(name)) continue;
      const t = state.table(oid);
      for (const ix of t.indexes) {
        state.ownCatalog().indexNames.delete(ix.def.name);
        state.ownCatalog().indexTables.delete(ix.def.oid);
      }
      state.ownCatalog().tableNames.delete(name);
      state.tables.delete(oid);
      if (t.def.onCommit === 'drop') {
        dropped = true;
        continue;
      }
      if (t.def.onCommit === 'delete') {
        const empty = new TableData(t.def, undefined, t.nextRowId);
        empty.indexes = t.indexes.map((ix) => buildIndex(ix.def, empty));
        kept.set(oid, empty);
      } else kept.set(oid, t);
    }
    const sequences = new Map<Oid, SequenceState>();
    for (const [name, oid] of [...state.sequenceNames]) {
      if (!isTempKey(name)) continue;
      state.ownCatalog().sequenceNames.delete(name);
      const s = state.sequences.get(oid)!;
      state.ownCatalog().sequences.delete(oid);
      // a sequence goes with its table (ON COMMIT DROP)
      if (s.def.ownedBy === undefined || kept.has(s.def.ownedBy.table)) sequences.set(oid, s);
    }
    state.schemas = new Set([...state.schemas].filter((s) => s !== this.schema));
    // ON COMMIT DROP changes the catalog without a record: plans made with the table must go
    const version = dropped ? nextCatalogVersion() : state.catalogVersion;
    return {
      keep: () => {
        this.tables = kept;
        this.sequences = sequences;
        this.version = Math.max(this.version, version);
      },
    };
  }
}

/** CREATE TEMP TABLE, CREATE TEMP TABLE … AS, SELECT … INTO TEMP. */
function createsTemp(stmt: Node): boolean {
  if ('CreateStmt' in stmt) return stmt.CreateStmt.relation?.relpersistence === 't';
  if ('CreateTableAsStmt' in stmt) return stmt.CreateTableAsStmt.into?.rel?.relpersistence === 't';
  if ('SelectStmt' in stmt) return stmt.SelectStmt.intoClause?.rel?.relpersistence === 't';
  return false;
}

/** The relation a DDL statement creates or changes, when the statement is one that may name a temporary table. */
function ddlTarget(stmt: Node): string | undefined {
  if ('CreateStmt' in stmt) return stmt.CreateStmt.relation?.relname;
  if ('CreateTableAsStmt' in stmt) return stmt.CreateTableAsStmt.into?.rel?.relname;
  if ('SelectStmt' in stmt) return stmt.SelectStmt.intoClause?.rel?.relname;
  if ('IndexStmt' in stmt) return stmt.IndexStmt.relation?.relname;
  if ('AlterTableStmt' in stmt) return stmt.AlterTableStmt.relation?.relname;
  return undefined;
}

function namesTemp(node: unknown, key: string): boolean {
  let found = false;
  JSON.stringify(node, (k, v: unknown) => {
    if (k === key && isTempKey((v as { relname?: string }).relname)) found = true;
    return v;
  });
  return found;
}

/** The catalog keys of the tables a statement's foreign keys reference. */
function pkTables(node: unknown): string[] {
  const out: string[] = [];
  JSON.stringify(node, (k, v: unknown) => {
    if (k === 'pktable') out.push((v as { relname?: string }).relname ?? '');
    return v;
  });
  return out;
}

/**
 * A statement on a temporary table, after name resolution: what walrtc does not offer there is
 * refused, and its DDL allocates oids from the temporary range (the permanent next oid stays put).
 */
export function tempStatement(stmt: Node, plan: StatementPlan): StatementPlan {
  const target = ddlTarget(stmt);
  if (!isTempKey(target)) {
    // only a session's statements have a temporary schema: elsewhere TEMP would make a permanent table
    if (createsTemp(stmt)) throw new SqlError(SQLSTATE.feature_not_supported, 'temporary tables outside a session are not supported');
    const onCommit = 'CreateStmt' in stmt ? stmt.CreateStmt.oncommit : 'CreateTableAsStmt' in stmt ? stmt.CreateTableAsStmt.into?.onCommit : undefined;
    if (onCommit && onCommit !== 'ONCOMMIT_NOOP') throw new SqlError('42P16', 'ON COMMIT can only be used on temporary tables');
    if (target !== undefined && namesTemp(stmt, 'pktable')) throw new SqlError('42P16', 'constraints on permanent tables may reference only permanent tables');
    if ('ViewStmt' in stmt && namesTemp(stmt, 'RangeVar')) throw new SqlError(SQLSTATE.feature_not_supported, 'views of temporary tables are not supported');
    return plan;
  }
  const referenced = pkTables(stmt);
  const onCommit = 'CreateStmt' in stmt ? stmt.CreateStmt.oncommit : 'CreateTableAsStmt' in stmt ? stmt.CreateTableAsStmt.into?.onCommit : undefined;
  return {
    ...plan,
    run(ctx) {
      const state = ctx.env.txn!.state;
      // PostgreSQL's rule: a temporary table's foreign keys reference temporary tables only (a missing one fails later, 42P01)
      if (referenced.some((key) => !isTempKey(key) && state.tableNames.has(key))) throw new SqlError('42P16', 'constraints on temporary tables may reference only temporary tables');
      const permanent = state.nextOid;
      state.nextOid = nextTempOid(state);
      try {
        const out = plan.run(ctx);
        const oid = state.tableNames.get(target!);
        if (oid !== undefined && (onCommit === 'ONCOMMIT_DELETE_ROWS' || onCommit === 'ONCOMMIT_DROP')) {
          const t = state.writable(oid);
          t.def = { ...t.def, onCommit: onCommit === 'ONCOMMIT_DROP' ? 'drop' : 'delete' } satisfies TableDef;
        }
        // detach empties or drops such a table without looking at the foreign keys between them
        const def = oid === undefined ? undefined : state.table(oid).def;
        if (def?.foreignKeys?.some((fk) => def.onCommit || state.tables.get(fk.refTable)?.def.onCommit)) {
          throw new SqlError(SQLSTATE.feature_not_supported, 'foreign keys on temporary tables with ON COMMIT DELETE ROWS or DROP are not supported');
        }
        return out;
      } finally {
        state.nextOid = permanent;
      }
    },
  };
}

/** The next unused oid of the temporary range in `state`. */
function nextTempOid(state: DbState): number {
  let next = TEMP_OID_BASE;
  for (const [oid, t] of state.tables) {
    if (oid < TEMP_OID_BASE) continue;
    next = Math.max(next, oid + 1, ...t.indexes.map((ix) => ix.def.oid + 1));
  }
  for (const oid of state.sequences.keys()) if (oid >= TEMP_OID_BASE) next = Math.max(next, oid + 1);
  return next;
}
