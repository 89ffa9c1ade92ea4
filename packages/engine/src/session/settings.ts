/**
 * SET, SHOW and RESET of a session's run-time parameters (PostgreSQL's GUCs). Only parameters
 * whose behaviour walrtc has are known, each with PostgreSQL's canonical name and default: a
 * value walrtc would not honour (another time zone or encoding) is refused with 0A000
 * rather than accepted and ignored, an unknown name is PostgreSQL's 42704, and a read-only one 55P02.
 */
import type { A_Const, Node, VariableSetStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { Session } from './session.ts';
import { PLANNER_PARAMETERS } from './planner-settings.ts';

interface Parameter {
  /** PostgreSQL's spelling, which SHOW uses as its column name. */
  name: string;
  default: string;
  /** The value as SHOW prints it, or undefined when walrtc cannot behave that way. */
  accept?: (value: string) => string | undefined;
  readOnly?: boolean;
}

/** Accepts the spellings in `accepted` (lower case) and shows them as `shown`. */
const only = (shown: string, ...accepted: string[]) => (v: string) => (accepted.includes(v.toLowerCase()) ? shown : undefined);
const any = (v: string) => v;

/** The schema names of a search_path value as SHOW prints it. */
function pathNames(v: string): string[] {
  return v.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
}

/**
 * search_path: any list of schema names (sql/schema/resolve.ts looks names up through those that
 * exist, as PostgreSQL does); the system schemas are searched anyway.
 */
function searchPath(v: string): string | undefined {
  // shown as PostgreSQL shows a list of names: quoted where an identifier needs it
  return pathNames(v).map((n) => (/^[a-z_][a-z0-9_]*$/.test(n) ? n : `"${n}"`)).join(', ');
}

const PARAMETERS: Parameter[] = [
  { name: 'application_name', default: '', accept: any },
  { name: 'bytea_output', default: 'hex', accept: only('hex', 'hex') },
  { name: 'client_encoding', default: 'UTF8', accept: only('UTF8', 'utf8', 'utf-8', 'unicode') },
  { name: 'client_min_messages', default: 'notice', accept: only('notice', 'notice') },
  { name: 'DateStyle', default: 'ISO, MDY', accept: only('ISO, MDY', 'iso, mdy', 'iso') },
  { name: 'escape_string_warning', default: 'on', accept: only('on', 'on', 'true') },
  { name: 'extra_float_digits', default: '1', accept: only('1', '1') },
  { name: 'idle_in_transaction_session_timeout', default: '0', accept: only('0', '0') },
  { name: 'integer_datetimes', default: 'on', readOnly: true },
  { name: 'IntervalStyle', default: 'postgres', accept: only('postgres', 'postgres') },
  { name: 'lock_timeout', default: '0', accept: only('0', '0') },
  { name: 'max_identifier_length', default: '63', readOnly: true },
  { name: 'search_path', default: '"$user", public', accept: searchPath },
  { name: 'server_encoding', default: 'UTF8', readOnly: true },
  { name: 'standard_conforming_strings', default: 'on', accept: only('on', 'on', 'true') },
  { name: 'statement_timeout', default: '0', accept: only('0', '0') },
  { name: 'TimeZone', default: 'UTC', accept: only('UTC', 'utc', 'etc/utc', 'gmt', 'z', 'zulu') },
  ...PLANNER_PARAMETERS,
];
/** The default path's schemas. */
const DEFAULT_SEARCH_PATH = ['public'];
const BY_NAME = new Map(PARAMETERS.map((p) => [p.name.toLowerCase(), p]));

function unrecognized(name: string): SqlError {
  return new SqlError(SQLSTATE.undefined_object, `unrecognized configuration parameter "${name}"`);
}

function constText(n: Node): string {
  const c = (n as { A_Const?: A_Const }).A_Const;
  if (!c) return '';
  if (c.sval) return c.sval.sval ?? '';
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return c.fval.fval ?? '';
  if (c.boolval) return c.boolval.boolval ? 'on' : 'off';
  return '';
}

/** The session's parameters that differ from their defaults. */
export class Settings {
  private readonly values = new Map<string, string>();
  /** SET LOCAL: until the block ends, however it ends. */
  private readonly local = new Map<string, string>();

  /** The schemas of search_path in order ("$user" names no schema here: walrtc has no roles). */
  searchPath(): string[] {
    const v = this.local.get('search_path') ?? this.values.get('search_path');
    return v === undefined ? DEFAULT_SEARCH_PATH : pathNames(v).filter((n) => n !== '$user');
  }

  /** A live query's own session reads through its subscriber's search_path (PGlite runs it on the subscriber's connection). */
  adoptSearchPath(from: Settings): void {
    const v = from.local.get('search_path') ?? from.values.get('search_path');
    if (v !== undefined) this.values.set('search_path', v);
  }

  /** The block ended (committed or rolled back): SET LOCAL values lapse. */
  endBlock(): void {
    this.local.clear();
  }

  show(name: string, session: Session): { column: string; value: string } {
    const key = name.toLowerCase();
    if (key === 'all') throw new SqlError(SQLSTATE.feature_not_supported, 'SHOW ALL is not supported');
    if (key === 'transaction_isolation') return { column: 'transaction_isolation', value: session.isolation };
    if (key === 'transaction_read_only') return { column: 'transaction_read_only', value: session.readOnly ? 'on' : 'off' };
    if (key === 'transaction_deferrable') return { column: 'transaction_deferrable', value: session.deferrable ? 'on' : 'off' };
    const p = BY_NAME.get(key);
    if (!p) throw unrecognized(name);
    return { column: p.name, value: this.local.get(p.name) ?? this.values.get(p.name) ?? p.default };
  }

  /** SET / RESET; SET inside a block would need undoing at ROLLBACK, so only its current value is accepted there. */
  apply(stmt: VariableSetStmt, session: Session): void {
    if (stmt.kind === 'VAR_RESET_ALL') {
      if (session.txn && !session.implicit && this.values.size) throw new SqlError(SQLSTATE.feature_not_supported, 'RESET ALL inside a transaction block is not supported');
      this.values.clear();
      this.local.clear();
      return;
    }
    const name = stmt.name ?? '';
    if (stmt.is_local && (!session.txn || session.implicit)) {
      session.warn(SQLSTATE.no_active_sql_transaction, 'SET LOCAL can only be used in transaction blocks');
      return;
    }
    const p = BY_NAME.get(name.toLowerCase());
    if (/^transaction_|^session characteristics$/i.test(name)) throw new SqlError(SQLSTATE.feature_not_supported, `SET ${name} is not supported (use BEGIN … or SET TRANSACTION …)`);
    if (!p) throw unrecognized(name);
    if (p.readOnly) throw new SqlError('55P02', `parameter "${name.toLowerCase()}" cannot be changed`);
    let value: string;
    if (stmt.kind === 'VAR_SET_DEFAULT' || stmt.kind === 'VAR_RESET') value = p.default;
    else if (stmt.kind === 'VAR_SET_VALUE') {
      const text = (stmt.args ?? []).map(constText).join(', ');
      const accepted = p.accept!(text);
      if (accepted === undefined) {
        throw new SqlError(SQLSTATE.feature_not_supported, `SET ${p.name} to ${text === '' ? "''" : text} is not supported (walrtc runs with ${p.name} = ${p.default === '' ? "''" : p.default})`);
      }
      value = accepted;
    } else throw new SqlError(SQLSTATE.feature_not_supported, `SET ${p.name} FROM CURRENT is not supported`);
    if (stmt.is_local) {
      this.local.set(p.name, value);
      return;
    }
    const current = this.local.get(p.name) ?? this.values.get(p.name) ?? p.default;
    if (value !== current && session.txn && !session.implicit) {
      throw new SqlError(SQLSTATE.feature_not_supported, `changing ${p.name} inside a transaction block is not supported`);
    }
    if (value === p.default) this.values.delete(p.name);
    else this.values.set(p.name, value);
  }
}
