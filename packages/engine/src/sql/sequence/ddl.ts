/**
 * CREATE SEQUENCE and ALTER SEQUENCE: the definition is a WAL record (create_sequence,
 * alter_sequence), so standbys, checkpoints and recovery keep it; ALTER … RESTART is a
 * sequence_reset in the same transaction. Options and their checks are options.ts.
 */
import type { AlterSeqStmt, CreateSeqStmt } from '@pgsql/types';
import type { SequenceDef } from '../../catalog/types.ts';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import type { WriteTxn } from '../env.ts';
import { pos } from '../from.ts';
import type { StatementPlan } from '../plan.ts';
import { ddlSchemaOk, qualifiedName } from '../schema.ts';
import { canonical } from '../int8.ts';
import { mergeOptions, params, parseOptions, type ParsedOptions } from './options.ts';
import { followingVersion } from './functions.ts';
import { ownName } from '../schema/keys.ts';

function ddl(command: string, run: (txn: WriteTxn) => void): StatementPlan {
  return {
    command,
    columns: [],
    writes: true,
    run(ctx) {
      run(ctx.env.txn!);
      return { rows: [], rowCount: 0 };
    },
  };
}

/** OWNED BY table.column: the table must exist and have the column. */
function owner(state: DbState, names: string[] | null | undefined): SequenceDef['ownedBy'] | null | undefined {
  if (names === undefined || names === null) return names;
  if (names.length < 2) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, 'invalid OWNED BY option', { hint: 'Specify OWNED BY table.column or OWNED BY NONE.' });
  }
  const [table, column] = names.slice(-2) as [string, string];
  const oid = state.tableNames.get(table);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${table}" does not exist`);
  if (!state.table(oid).def.columns.some((c) => c.name === column)) {
    throw new SqlError(SQLSTATE.undefined_column, `column "${column}" of relation "${table}" does not exist`);
  }
  return { table: oid, column };
}

/**
 * DROP SEQUENCE of a sequence a column's default or identity uses: PostgreSQL's 2BP01. `table`:
 * the sequence goes with DROP TABLE of its owner, while another table's default still uses it.
 */
export function refuseSequenceInUse(state: DbState, name: string, table?: { name: string; cascade: boolean; dropped: ReadonlySet<number> }): void {
  const call = JSON.stringify({ sval: name });
  for (const t of state.tables.values()) {
    if (table?.dropped.has(t.def.oid)) continue;
    for (const c of t.def.columns) {
      if (!c.default || !JSON.stringify(c.default).includes(call)) continue;
      if (table?.cascade) throw new SqlError(SQLSTATE.feature_not_supported, `DROP TABLE ${table.name} CASCADE is not supported while the default of column ${c.name} of table ${t.def.name} uses its sequence ${name}`);
      if (table) {
        throw new SqlError('2BP01', `cannot drop table ${table.name} because other objects depend on it`, {
          detail: `default value for column ${c.name} of table ${t.def.name} depends on sequence ${name}`,
          hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
        });
      }
      if (c.identity) {
        throw new SqlError('2BP01', `cannot drop sequence ${name} because column ${c.name} of table ${t.def.name} requires it`, {
          hint: `You can drop column ${c.name} of table ${t.def.name} instead.`,
        });
      }
      throw new SqlError('2BP01', `cannot drop sequence ${name} because other objects depend on it`, {
        detail: `default value for column ${c.name} of table ${t.def.name} depends on sequence ${name}`,
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
  }
}

/** The definition of a new sequence from its options (identity columns use it too). */
export function newSequence(state: DbState, name: string, o: ParsedOptions, defaults: Partial<SequenceDef> = {}): SequenceDef {
  const def = mergeOptions({ oid: state.allocateOid(), name, ...defaults }, o);
  const ownedBy = owner(state, o.ownedBy);
  if (ownedBy) def.ownedBy = ownedBy;
  return def;
}

export function planCreateSequence(stmt: CreateSeqStmt): StatementPlan {
  const rv = stmt.sequence!;
  ddlSchemaOk(rv.schemaname, false, rv.location);
  if (rv.relpersistence === 't') throw new SqlError(SQLSTATE.feature_not_supported, 'temporary sequences are not supported');
  const options = parseOptions(stmt.options, false);
  return ddl('CREATE SEQUENCE', (txn) => {
    const state = txn.state;
    const name = rv.relname!;
    if (state.tableNames.has(name) || state.indexNames.has(name) || state.sequenceNames.has(name)) {
      if (stmt.if_not_exists) return;
      throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(name)}" already exists`);
    }
    txn.write({ kind: 'create_sequence', sequence: newSequence(state, name, options) });
  });
}

export function planAlterSequence(stmt: AlterSeqStmt): StatementPlan {
  const rv = stmt.sequence!;
  if (!ddlSchemaOk(rv.schemaname, stmt.missing_ok, rv.location)) return ddl('ALTER SEQUENCE', () => {});
  const options = parseOptions(stmt.options, true);
  return ddl('ALTER SEQUENCE', (txn) => {
    const state = txn.state;
    const oid = state.sequenceNames.get(rv.relname!);
    if (oid === undefined) {
      if (stmt.missing_ok) return;
      const what = state.tableNames.has(rv.relname!) ? SQLSTATE.wrong_object_type : SQLSTATE.undefined_table;
      throw new SqlError(what, what === SQLSTATE.undefined_table ? `relation "${qualifiedName(rv)}" does not exist` : `"${rv.relname}" is not a sequence`, { position: pos(rv.location) });
    }
    const seq = state.sequences.get(oid)!;
    const def = mergeOptions(seq.def, options, seq.def);
    const ownedBy = owner(state, options.ownedBy);
    if (ownedBy === null) delete def.ownedBy;
    else if (ownedBy) def.ownedBy = ownedBy;
    txn.write({ kind: 'alter_sequence', sequence: def, value: seq.value, called: seq.called, version: followingVersion(seq) });
    if (options.restart !== undefined) {
      const value = options.restart === true ? params(def).start : options.restart;
      txn.write({ kind: 'sequence_reset', sequence: oid, value: canonical(value), called: false, version: followingVersion(txn.state.sequences.get(oid)!) });
    }
  });
}
