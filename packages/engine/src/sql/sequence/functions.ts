/**
 * nextval, setval and currval with PostgreSQL's semantics for every sequence option: INCREMENT
 * (either sign), MINVALUE/MAXVALUE (2200H once passed, or a wrap with CYCLE), setval's bounds
 * (22003). The counter is shared by every fork and never rolled back; each change is a WAL record
 * that the statement logs even if its transaction rolls back (ExecEnv.sequenceWrites), stamped
 * with the sequence's next version so that replay applies changes in the order they were made.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { SequenceState } from '../../state/state.ts';
import type { RunContext } from '../env.ts';
import { canonical, type Int8 } from '../int8.ts';
import type { Value } from '../types.ts';
import { params } from './options.ts';
import { isTempSchema, splitKey } from '../schema/keys.ts';
import { TEMP_OID_BASE } from '../temp-tables.ts';
import type { WalRecord } from '../../wal/record.ts';

/** A change to log with the statement; a temporary table's sequence is the session's alone (sql/temp-tables.ts). */
function logChange(ctx: RunContext, seq: SequenceState, rec: WalRecord): void {
  if (seq.def.oid < TEMP_OID_BASE) ctx.env.sequenceWrites.push(rec);
}

export function nextval(seq: SequenceState, ctx: RunContext): Int8 {
  const mine = ctx.env.sequences;
  if (mine) mine.last = seq.def.oid;
  if (!seq.called) {
    seq.called = true;
    logChange(ctx, seq, { kind: 'sequence_set', sequence: seq.def.oid, value: seq.value, version: nextVersion(seq) });
    mine?.values.set(seq.def.oid, seq.value);
    return seq.value;
  }
  const p = params(seq.def);
  let next = BigInt(seq.value) + p.increment;
  let wrapped = false;
  if (p.increment > 0n && next > p.max) {
    if (!p.cycle) throw new SqlError('2200H', `nextval: reached maximum value of sequence "${seq.def.name}" (${p.max})`);
    next = p.min;
    wrapped = true;
  } else if (p.increment < 0n && next < p.min) {
    if (!p.cycle) throw new SqlError('2200H', `nextval: reached minimum value of sequence "${seq.def.name}" (${p.min})`);
    next = p.max;
    wrapped = true;
  }
  seq.value = canonical(next);
  const version = nextVersion(seq);
  logChange(ctx, seq, wrapped
    ? { kind: 'sequence_reset', sequence: seq.def.oid, value: seq.value, called: true, version }
    : { kind: 'sequence_set', sequence: seq.def.oid, value: seq.value, version });
  mine?.values.set(seq.def.oid, seq.value);
  return seq.value;
}

/** currval: this session's last nextval of the sequence (55000 before the first). */
export function currval(seq: SequenceState, ctx: RunContext): Int8 {
  const v = ctx.env.sequences ? ctx.env.sequences.values.get(seq.def.oid) : seq.called ? seq.value : undefined;
  if (v === undefined) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `currval of sequence "${seq.def.name}" is not yet defined in this session`);
  return v;
}

/** lastval: the value of this session's latest nextval, of whichever sequence (55000 before the first). */
export function lastval(ctx: RunContext): Int8 {
  const mine = ctx.env.sequences;
  const oid = mine?.last;
  const v = oid === undefined || !ctx.env.state.sequences.has(oid) ? undefined : mine!.values.get(oid);
  if (v === undefined) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'lastval is not yet defined in this session');
  return v;
}

export function setval(seq: SequenceState, value: Int8, called: boolean, ctx: RunContext): Int8 {
  const p = params(seq.def);
  const v = BigInt(value);
  if (v < p.min || v > p.max) {
    throw new SqlError(SQLSTATE.numeric_value_out_of_range, `setval: value ${v} is out of bounds for sequence "${seq.def.name}" (${p.min}..${p.max})`);
  }
  seq.value = canonical(v);
  seq.called = called;
  // as PostgreSQL's setval, a value set as called is this session's currval too
  if (called) ctx.env.sequences?.values.set(seq.def.oid, seq.value);
  logChange(ctx, seq, { kind: 'sequence_reset', sequence: seq.def.oid, value: seq.value, called, version: nextVersion(seq) });
  return seq.value;
}

/** pg_get_serial_sequence(table, column): the sequence a serial or identity column owns, schema-qualified, or NULL. */
export function serialSequence(ctx: RunContext, table: Value, column: Value): Value {
  if (table === null || column === null) return null;
  const state = ctx.env.state;
  const name = String(table).replace(/^public\./, '');
  // a bare name finds the session's temporary table first, as search_path's implicit pg_temp does
  const temp = name.includes('.') ? undefined : [...state.schemas].find(isTempSchema);
  const oid = (temp === undefined ? undefined : state.tableNames.get(`${temp}.${name}`)) ?? state.tableNames.get(name);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${table}" does not exist`);
  const def = state.table(oid).def;
  if (!def.columns.some((c) => c.name === column)) throw new SqlError(SQLSTATE.undefined_column, `column "${column}" of relation "${def.name}" does not exist`);
  for (const s of state.sequences.values()) {
    if (s.def.ownedBy?.table === oid && s.def.ownedBy.column === column) {
      const { schema, name: own } = splitKey(s.def.name);
      return `${schema}.${own}`;
    }
  }
  return null;
}

/**
 * Stamp the next change of `seq`: records reach the WAL in commit order, not in the order they were
 * made, and replay keeps only the newest by this number.
 */
export function nextVersion(seq: SequenceState): number {
  seq.version = (seq.version ?? 0) + 1;
  return seq.version;
}

/** The version a transactional change (ALTER, RESTART) carries: its redo sets it, in the transaction's own copy. */
export function followingVersion(seq: SequenceState): number {
  return (seq.version ?? 0) + 1;
}
