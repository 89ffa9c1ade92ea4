/**
 * ALTER INDEX … RENAME, ALTER SEQUENCE / VIEW … RENAME, ALTER TABLE … RENAME of an index or a
 * sequence (PostgreSQL lets ALTER TABLE and ALTER INDEX rename any relation), ALTER TABLE …
 * RENAME CONSTRAINT and ALTER TABLE / SEQUENCE / VIEW … SET SCHEMA. Each is WAL (rename_table,
 * rename_index, alter_sequence, alter_table_def), so standbys, checkpoints and recovery keep it.
 * A UNIQUE or PRIMARY KEY constraint and its index share one name, as in PostgreSQL: renaming
 * either renames both. A table moves with its indexes and the sequences its columns own.
 */
import type { AlterObjectSchemaStmt, RenameStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { DbState } from '../state/state.ts';
import type { WriteTxn } from './env.ts';
import type { StatementPlan } from './plan.ts';
import { ownName, relationKey, splitKey } from './schema/keys.ts';
import { TEMP_OID_BASE } from './temp-tables.ts';
import { refuseIfViewed } from './view/ddl.ts';

type Kind = 'table' | 'view' | 'index' | 'sequence';

function ddl(command: string, run: (txn: WriteTxn) => void): StatementPlan {
  return { command, columns: [], writes: true, run(ctx) { run(ctx.env.txn!); return { rows: [], rowCount: 0 }; } };
}

const taken = (state: DbState, key: string) => state.tableNames.has(key) || state.indexNames.has(key) || state.sequenceNames.has(key);

/** What `key` names, or undefined. */
function relation(state: DbState, key: string): { kind: Kind; oid: number } | undefined {
  const table = state.tableNames.get(key);
  if (table !== undefined) return { kind: state.table(table).def.view ? 'view' : 'table', oid: table };
  const index = state.indexNames.get(key);
  if (index !== undefined) return { kind: 'index', oid: index };
  const seq = state.sequenceNames.get(key);
  if (seq !== undefined) return { kind: 'sequence', oid: seq };
  return undefined;
}

/** The relation an ALTER <what> names; PostgreSQL's 42809 when ALTER SEQUENCE or ALTER VIEW names another kind. */
function target(state: DbState, key: string, what: Kind, renaming: boolean): { kind: Kind; oid: number } | undefined {
  const found = relation(state, key);
  if (!found) return undefined;
  // a temporary table renames as before (rename_table is a temporary record); its indexes and sequences, and moves, are not handled
  if (found.oid >= TEMP_OID_BASE && (!renaming || found.kind === 'index' || found.kind === 'sequence')) {
    throw new SqlError(SQLSTATE.feature_not_supported, `${renaming ? 'renaming' : 'moving'} a temporary ${found.kind} is not supported`);
  }
  // ALTER TABLE takes any relation; ALTER INDEX too when renaming (PostgreSQL's compatibility rule)
  const loose = what === 'table' || (what === 'index' && renaming);
  if (!loose && found.kind !== what) throw new SqlError(SQLSTATE.wrong_object_type, `"${ownName(key)}" is not ${what === 'index' ? 'an index' : `a ${what}`}`);
  return found;
}

/** Rename or move relation `oid` of `kind` to catalog key `to`. */
function move(txn: WriteTxn, kind: Kind, oid: number, to: string): void {
  const state = txn.state;
  if (kind === 'index') {
    txn.write({ kind: 'rename_index', index: oid, name: to });
  } else if (kind === 'sequence') {
    const seq = state.sequences.get(oid)!;
    const from = seq.def.name;
    txn.write({ kind: 'alter_sequence', sequence: { ...seq.def, name: to }, value: seq.value, called: seq.called, version: seq.version ?? 0 });
    // PostgreSQL's defaults name the sequence by OID; here by name, so they follow the new one
    for (const t of state.tables.values()) {
      const columns = t.def.columns.map((c) => (c.default && mentionsSequence(c.default, from)
        ? { ...c, default: renameSequence(c.default, from, to), ...(c.defaultText && { defaultText: c.defaultText.split(`'${from}'::regclass`).join(`'${to}'::regclass`) }) }
        : c));
      if (columns.some((c, i) => c !== t.def.columns[i])) txn.write({ kind: 'alter_table_def', table: { ...t.def, columns } });
    }
  } else {
    refuseIfViewed(state, oid, kind === 'view' ? 'renaming a view' : 'renaming');
    txn.write({ kind: 'rename_table', table: oid, name: to });
  }
}

type Obj = Record<string, unknown>;

/** The `'name'` argument of a nextval call, if `n` is one. */
function nextvalArgument(n: unknown): { sval: string } | undefined {
  const call = (n as { FuncCall?: Obj } | undefined)?.FuncCall;
  const fn = call?.funcname as { String?: { sval?: string } }[] | undefined;
  if (fn?.at(-1)?.String?.sval !== 'nextval') return undefined;
  const first = (call!.args as Obj[] | undefined)?.[0];
  const inner = ((first?.TypeCast as Obj | undefined)?.arg as Obj | undefined) ?? first;
  return (inner?.A_Const as { sval?: { sval: string } } | undefined)?.sval;
}

function mentionsSequence(node: unknown, key: string): boolean {
  if (!node || typeof node !== 'object') return false;
  if (nextvalArgument(node)?.sval === key) return true;
  return Object.values(node).some((v) => mentionsSequence(v, key));
}

function renameSequence<T>(node: T, from: string, to: string): T {
  const copy = structuredClone(node);
  const visit = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    const arg = nextvalArgument(n);
    if (arg?.sval === from) arg.sval = to;
    for (const v of Object.values(n)) visit(v);
  };
  visit(copy);
  return copy;
}

/** The renames planRename does not handle itself; undefined for those it does. */
export function planRelationRename(stmt: RenameStmt): StatementPlan | undefined {
  const type = stmt.renameType;
  const key = stmt.relation?.relname ?? '';
  const what: Kind | undefined = type === 'OBJECT_INDEX' ? 'index' : type === 'OBJECT_SEQUENCE' ? 'sequence' : type === 'OBJECT_VIEW' ? 'view' : type === 'OBJECT_TABLE' ? 'table' : undefined;
  if (type === 'OBJECT_TABCONSTRAINT') return renameConstraint(stmt);
  if (!what) return undefined;
  return ddl(`ALTER ${what.toUpperCase()}`, (txn) => {
    const found = target(txn.state, key, what, true);
    if (!found) {
      if (stmt.missing_ok) return;
      throw new SqlError(SQLSTATE.undefined_table, `relation "${ownName(key)}" does not exist`);
    }
    const to = stmt.newname!;
    if (taken(txn.state, to)) throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(to)}" already exists`);
    move(txn, found.kind, found.oid, to);
  });
}

function renameConstraint(stmt: RenameStmt): StatementPlan {
  return ddl('ALTER TABLE', (txn) => {
    const key = stmt.relation?.relname ?? '';
    const oid = txn.state.tableNames.get(key);
    if (oid === undefined) {
      if (stmt.missing_ok) return;
      throw new SqlError(SQLSTATE.undefined_table, `relation "${ownName(key)}" does not exist`);
    }
    const table = txn.state.table(oid);
    const def = table.def;
    const from = stmt.subname!, to = stmt.newname!;
    const schema = splitKey(def.name).schema;
    const index = table.indexes.find((ix) => ix.def.constraint && ownName(ix.def.name) === from);
    const names = [...def.checks.map((c) => c.name), ...(def.foreignKeys ?? []).map((f) => f.name), ...table.indexes.filter((ix) => ix.def.constraint).map((ix) => ownName(ix.def.name))];
    if (!index && !names.includes(from)) throw new SqlError(SQLSTATE.undefined_object, `constraint "${from}" for table "${ownName(def.name)}" does not exist`);
    if (names.includes(to)) throw new SqlError(SQLSTATE.duplicate_object, `constraint "${to}" for relation "${ownName(def.name)}" already exists`);
    if (index) {
      const newKey = schema === 'public' ? to : relationKey(schema, to);
      if (taken(txn.state, newKey)) throw new SqlError(SQLSTATE.duplicate_table, `relation "${to}" already exists`);
      txn.write({ kind: 'rename_index', index: index.def.oid, name: newKey });
      return;
    }
    const checks = def.checks.map((c) => (c.name === from ? { ...c, name: to } : c));
    const foreignKeys = def.foreignKeys?.map((f) => (f.name === from ? { ...f, name: to } : f));
    txn.write({ kind: 'alter_table_def', table: { ...def, checks, ...(foreignKeys && { foreignKeys }) } });
  });
}

/** ALTER TABLE / SEQUENCE / VIEW … SET SCHEMA. */
export function planSetSchema(stmt: AlterObjectSchemaStmt): StatementPlan {
  const type = stmt.objectType;
  const what: Kind | undefined = type === 'OBJECT_TABLE' ? 'table' : type === 'OBJECT_SEQUENCE' ? 'sequence' : type === 'OBJECT_VIEW' ? 'view' : undefined;
  if (!what) throw new SqlError(SQLSTATE.feature_not_supported, `ALTER ${(type ?? '').replace('OBJECT_', '')} … SET SCHEMA is not supported`);
  return ddl(`ALTER ${what.toUpperCase()}`, (txn) => {
    const state = txn.state;
    const key = stmt.relation?.relname ?? '';
    const found = target(state, key, what, false);
    if (!found) {
      if (stmt.missing_ok) return;
      throw new SqlError(SQLSTATE.undefined_table, `relation "${ownName(key)}" does not exist`);
    }
    if (found.kind === 'index') throw new SqlError(SQLSTATE.wrong_object_type, `cannot change schema of index "${ownName(key)}"`, { hint: 'Change the schema of the table instead.' });
    const schema = stmt.newschema!;
    if (schema !== 'public' && !state.schemas.has(schema)) throw new SqlError('3F000', `schema "${schema}" does not exist`);
    const keyIn = (k: string) => (schema === 'public' ? ownName(k) : relationKey(schema, ownName(k)));
    if (splitKey(key).schema === schema) return;
    if (found.kind === 'sequence' && state.sequences.get(found.oid)!.def.ownedBy) {
      throw new SqlError(SQLSTATE.feature_not_supported, `moving sequence "${ownName(key)}", which a column owns, is not supported (move its table)`);
    }
    const moves: [Kind, number, string][] = [[found.kind, found.oid, keyIn(key)]];
    if (found.kind === 'table') {
      for (const ix of state.table(found.oid).indexes) moves.push(['index', ix.def.oid, keyIn(ix.def.name)]);
      for (const s of state.sequences.values()) if (s.def.ownedBy?.table === found.oid) moves.push(['sequence', s.def.oid, keyIn(s.def.name)]);
    }
    for (const [kind, oid, to] of moves) {
      if (taken(state, to)) throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(to)}" already exists in schema "${schema}"`);
      move(txn, kind, oid, to);
    }
  });
}
