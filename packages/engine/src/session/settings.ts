/**
 * SET, SHOW, RESET, set_config and current_setting of a session's run-time parameters
 * (PostgreSQL's GUCs), with guc.c's transactional rules: a SET inside a block or savepoint that
 * rolls back is undone, SET LOCAL lasts until the block ends. The parameters walrtc honours are
 * listed here with PostgreSQL's canonical names and defaults: a value walrtc would not honour
 * (another time zone or encoding) is refused with 0A000 rather than accepted and ignored.
 * Parameters that never change a result are accepted and shown (planner-settings.ts); other
 * PostgreSQL parameters are refused (pg-parameters.ts); custom `prefix.name` parameters hold any
 * text, as PostgreSQL's placeholders do; an unknown name is PostgreSQL's 42704. Session-local:
 * nothing here reaches the WAL.
 */
import type { A_Const, Node, VariableSetStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { Session } from './session.ts';
import { PLANNER_PARAMETERS } from './planner-settings.ts';
import { SERVER_PARAMETERS, UNSUPPORTED } from './pg-parameters.ts';

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
const ISOLATION_LEVELS = ['serializable', 'repeatable read', 'read committed', 'read uncommitted'];

function isolationLevel(v: string): string {
  const level = ISOLATION_LEVELS.find((l) => l === v.trim().toLowerCase());
  if (level) return level;
  throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "default_transaction_isolation": "${v}"`, { hint: `Available values: ${ISOLATION_LEVELS.join(', ')}.` });
}

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
  // every level is honoured the same way (blocks never interleave their writes): see Session.setCharacteristics
  { name: 'default_transaction_isolation', default: 'read committed', accept: isolationLevel },
  { name: 'default_transaction_deferrable', default: 'off', accept: (v) => {
    const shown = ({ on: 'on', true: 'on', yes: 'on', '1': 'on', off: 'off', false: 'off', no: 'off', '0': 'off' } as Record<string, string>)[v.trim().toLowerCase()];
    if (!shown) throw new SqlError(SQLSTATE.invalid_parameter_value, 'parameter "default_transaction_deferrable" requires a Boolean value');
    return shown;
  } },
  { name: 'default_transaction_read_only', default: 'off', accept: only('off', 'off', 'false', 'no', '0') },
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
/** Parameters whose value is a list (`SET search_path = a, b`); others take one argument. */
const LIST_PARAMETERS = new Set(['search_path', 'datestyle', 'temp_tablespaces', 'local_preload_libraries', 'session_preload_libraries', 'backtrace_functions']);

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

type Values = Map<string, string>;

/** What a rollback restores: the session values and the SET LOCAL values. */
interface Snapshot {
  values: Values;
  local: Values;
}

/** The transaction a change happens in, as the caller knows it. */
export type Block = 'none' | 'implicit' | 'block';

/** A custom parameter's name (`myapp.user_id`): PostgreSQL accepts any such name as a placeholder. */
const CUSTOM = /^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)+$/;

/** The session's parameters that differ from their defaults, and how to undo their changes. */
export class Settings {
  private values: Values = new Map();
  /** SET LOCAL: until the block ends, however it ends. */
  private local: Values = new Map();
  /** The values before the current transaction's first change; absent while nothing changed. */
  private start?: Snapshot;
  private readonly savepoints: { name: string; snapshot: Snapshot }[] = [];
  /** Custom parameters set so far: once set they exist for the session, '' by default (even if that SET rolled back). */
  private readonly custom = new Set<string>();

  private snapshot(): Snapshot {
    return { values: new Map(this.values), local: new Map(this.local) };
  }

  private restore(s: Snapshot): void {
    this.values = new Map(s.values);
    this.local = new Map(s.local);
  }

  /** The current value by canonical name, or undefined for the default. */
  private current(name: string): string | undefined {
    return this.local.get(name) ?? this.values.get(name);
  }

  /** The schemas of search_path in order ("$user" names no schema here: walrtc has no roles). */
  searchPath(): string[] {
    const v = this.current('search_path');
    return v === undefined ? DEFAULT_SEARCH_PATH : pathNames(v).filter((n) => n !== '$user');
  }

  /** A live query's own session reads through its subscriber's search_path (PGlite runs it on the subscriber's connection). */
  adoptSearchPath(from: Settings): void {
    const v = from.current('search_path');
    if (v !== undefined) this.values.set('search_path', v);
  }

  /** SAVEPOINT: what ROLLBACK TO restores. */
  savepoint(name: string): void {
    this.savepoints.push({ name, snapshot: this.snapshot() });
  }

  /** RELEASE (rolledBack false) forgets the savepoint and later ones; ROLLBACK TO restores it and keeps it. */
  endSavepoint(name: string, rolledBack: boolean): void {
    let at = this.savepoints.length - 1;
    while (at >= 0 && this.savepoints[at]!.name !== name) at--;
    if (at < 0) return;
    if (rolledBack) this.restore(this.savepoints[at]!.snapshot);
    this.savepoints.length = rolledBack ? at + 1 : at;
  }

  /** The transaction ended: a commit keeps its SETs, a rollback undoes them; SET LOCAL values lapse either way. */
  end(committed: boolean): void {
    if (this.start && !committed) this.restore(this.start);
    this.start = undefined;
    // Map.clear allocates a new table even when empty: an autocommit statement ends here every time
    if (this.local.size) this.local.clear();
    this.savepoints.length = 0;
  }

  show(name: string, session: Session): { column: string; value: string } {
    const key = name.toLowerCase();
    if (key === 'all') throw new SqlError(SQLSTATE.feature_not_supported, 'SHOW ALL is not supported');
    const value = this.read(key, session);
    if (value === undefined) throw unrecognized(name);
    return { column: BY_NAME.get(key)?.name ?? key, value };
  }

  /** current_setting(name [, missing_ok]): null for an unknown name when missing_ok. */
  currentSetting(name: string, missingOk: boolean, session: Session): string | null {
    const value = this.read(name.toLowerCase(), session);
    if (value === undefined && !missingOk) throw unrecognized(name);
    return value ?? null;
  }

  /** A parameter's value as SHOW prints it, or undefined when the name is unknown. */
  private read(key: string, session: Session): string | undefined {
    // outside a block: the next transaction's, the session's defaults
    if (key === 'transaction_isolation') return session.txn ? session.isolation : this.read('default_transaction_isolation', session);
    if (key === 'transaction_read_only') return session.txn && session.readOnly ? 'on' : 'off';
    if (key === 'transaction_deferrable') return session.txn ? (session.deferrable ? 'on' : 'off') : this.read('default_transaction_deferrable', session);
    const p = BY_NAME.get(key);
    if (p) return this.current(p.name) ?? p.default;
    if (this.custom.has(key)) return this.current(key) ?? '';
    if (UNSUPPORTED.has(key) || SERVER_PARAMETERS.has(key)) throw new SqlError(SQLSTATE.feature_not_supported, `parameter "${key}" is not supported`);
    return undefined;
  }

  /** SET / SET LOCAL / RESET / SET … TO DEFAULT / RESET ALL. */
  apply(stmt: VariableSetStmt, session: Session): void {
    const block: Block = !session.txn ? 'none' : session.implicit ? 'implicit' : 'block';
    if (stmt.kind === 'VAR_RESET_ALL') {
      this.touch();
      this.values.clear();
      this.local.clear();
    } else {
      const name = stmt.name ?? '';
      if (/^session characteristics$/i.test(name)) {
        // SET SESSION CHARACTERISTICS AS TRANSACTION …: the default_transaction_* parameters
        for (const o of stmt.args ?? []) {
          if (!('DefElem' in o)) continue;
          const { defname, arg } = o.DefElem;
          const c = arg && 'A_Const' in arg ? arg.A_Const : undefined;
          const text = defname === 'transaction_isolation' ? c?.sval?.sval ?? '' : (c?.ival?.ival ?? 0) !== 0 ? 'on' : 'off';
          this.set(`default_${defname ?? ''}`, text, false);
        }
        if (block === 'none') this.end(true);
        return;
      }
      if (/^transaction_/i.test(name)) throw new SqlError(SQLSTATE.feature_not_supported, `SET ${name} is not supported (use BEGIN … or SET TRANSACTION …)`);
      // as PostgreSQL: outside a block SET LOCAL warns and does nothing (an implicit block of several statements is a block)
      if (stmt.is_local && block === 'none') {
        this.check(name);
        session.warn(SQLSTATE.no_active_sql_transaction, 'SET LOCAL can only be used in transaction blocks');
        return;
      }
      let text: string | undefined;
      if (stmt.kind === 'VAR_SET_VALUE') {
        const args = stmt.args ?? [];
        if (args.length > 1 && !LIST_PARAMETERS.has(name.toLowerCase())) throw new SqlError(SQLSTATE.invalid_parameter_value, `SET ${name.toLowerCase()} takes only one argument`);
        text = args.map(constText).join(', ');
      } else if (stmt.kind !== 'VAR_SET_DEFAULT' && stmt.kind !== 'VAR_RESET') {
        throw new SqlError(SQLSTATE.feature_not_supported, `SET ${name} FROM CURRENT is not supported`);
      }
      this.set(name, text, stmt.is_local === true);
    }
    if (block === 'none') this.end(true);
  }

  /**
   * set_config(name, value, is_local): the value as SHOW would now print it. Outside a block it
   * runs in the statement's own transaction (the caller ends it); a NULL value resets.
   */
  setConfig(name: string, value: string | null, isLocal: boolean): string {
    this.set(name, value ?? undefined, isLocal);
    return this.current(this.canonical(name)) ?? BY_NAME.get(name.toLowerCase())?.default ?? '';
  }

  private canonical(name: string): string {
    return BY_NAME.get(name.toLowerCase())?.name ?? name.toLowerCase();
  }

  /** The parameter `name` is one SET may change: PostgreSQL's error otherwise. */
  private check(name: string): Parameter | undefined {
    const key = name.toLowerCase();
    const p = BY_NAME.get(key);
    if (p?.readOnly) throw new SqlError('55P02', `parameter "${key}" cannot be changed`);
    if (p) return p;
    const server = SERVER_PARAMETERS.get(key);
    if (server) throw new SqlError('55P02', `parameter "${key}" ${server}`);
    if (UNSUPPORTED.has(key)) throw new SqlError(SQLSTATE.feature_not_supported, `SET ${key} is not supported`);
    if (!CUSTOM.test(key)) throw unrecognized(name);
    return undefined;
  }

  /** Set `name` to `text` (undefined: its default) for the session or, `local`, until the block ends. */
  private set(name: string, text: string | undefined, local: boolean): void {
    const p = this.check(name);
    const key = p?.name ?? name.toLowerCase();
    let value = text;
    if (p && text !== undefined) {
      value = p.accept!(text);
      if (value === undefined) {
        throw new SqlError(SQLSTATE.feature_not_supported, `SET ${p.name} to ${text === '' ? "''" : text} is not supported (walrtc runs with ${p.name} = ${p.default === '' ? "''" : p.default})`);
      }
    }
    this.touch();
    if (!p) this.custom.add(key);
    const shown = value ?? p?.default ?? '';
    if (local) {
      this.local.set(key, shown);
      return;
    }
    // SET overrides an earlier SET LOCAL of the same transaction (guc.c: GUC_SET wins over GUC_LOCAL)
    this.local.delete(key);
    if (p && shown === p.default) this.values.delete(key);
    else this.values.set(key, shown);
  }

  /** Remember what a rollback restores, before the transaction's first change. */
  private touch(): void {
    this.start ??= this.snapshot();
  }
}
