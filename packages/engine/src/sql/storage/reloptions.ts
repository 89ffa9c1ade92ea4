/**
 * Table storage parameters (CREATE TABLE … WITH (…), ALTER TABLE … SET / RESET (…)), checked as
 * PostgreSQL 15's reloptions.c checks a heap's: the name must be one of its parameters (a
 * partitioned table has none), the value of the parameter's kind and within its bounds. They
 * tune PostgreSQL's storage, vacuum and parallelism, none of which changes an answer, so walrtc
 * keeps them as written (pg_class.reloptions' `name=value` texts, in the table's definition) and
 * honours none. `toast.` parameters belong to the TOAST table, which walrtc has not: checked, not kept.
 */
import type { DefElem, Node } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';

type Kind =
  | { kind: 'bool' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'real'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[]; detail: string };

const INT_MAX = 2147483647;
const int = (min: number, max: number): Kind => ({ kind: 'int', min, max });
const real = (min: number, max: number): Kind => ({ kind: 'real', min, max });
const BOOL: Kind = { kind: 'bool' };

/** PostgreSQL 15's heap parameters; `toast`: also a parameter of the TOAST table. */
const HEAP: Record<string, Kind & { toast?: true }> = {
  autovacuum_enabled: { ...BOOL, toast: true },
  user_catalog_table: BOOL,
  vacuum_truncate: { ...BOOL, toast: true },
  fillfactor: int(10, 100),
  autovacuum_vacuum_threshold: { ...int(0, INT_MAX), toast: true },
  autovacuum_vacuum_insert_threshold: { ...int(-1, INT_MAX), toast: true },
  autovacuum_analyze_threshold: int(0, INT_MAX),
  autovacuum_vacuum_cost_limit: { ...int(1, 10000), toast: true },
  autovacuum_freeze_min_age: { ...int(0, 1000000000), toast: true },
  autovacuum_multixact_freeze_min_age: { ...int(0, 1000000000), toast: true },
  autovacuum_freeze_max_age: { ...int(100000, 2000000000), toast: true },
  autovacuum_multixact_freeze_max_age: { ...int(10000, 2000000000), toast: true },
  autovacuum_freeze_table_age: { ...int(0, 2000000000), toast: true },
  autovacuum_multixact_freeze_table_age: { ...int(0, 2000000000), toast: true },
  log_autovacuum_min_duration: { ...int(-1, INT_MAX), toast: true },
  toast_tuple_target: int(128, 8160),
  parallel_workers: int(0, 1024),
  autovacuum_vacuum_cost_delay: { ...real(-1, 100), toast: true },
  autovacuum_vacuum_scale_factor: { ...real(0, 100), toast: true },
  autovacuum_vacuum_insert_scale_factor: { ...real(0, 100), toast: true },
  autovacuum_analyze_scale_factor: real(0, 100),
  vacuum_index_cleanup: { kind: 'enum', values: ['auto', 'on', 'off', 'true', 'false', 'yes', 'no', '1', '0'], detail: 'Valid values are "on", "off", and "auto".', toast: true },
};

const invalid = (message: string, detail?: string) => new SqlError(SQLSTATE.invalid_parameter_value, message, detail ? { detail } : undefined);

/** The value as reloptions keeps it: the text written, `true` when none is. */
function valueText(d: DefElem): string {
  const a = d.arg as Node | undefined;
  if (!a) return 'true';
  if ('String' in a) return a.String.sval ?? '';
  if ('Integer' in a) return String(a.Integer.ival ?? 0);
  if ('Float' in a) return a.Float.fval ?? '';
  if ('Boolean' in a) return a.Boolean.boolval ? 'true' : 'false';
  if ('TypeName' in a) return (a.TypeName.names ?? []).map((n) => ('String' in n ? n.String.sval : '')).join('.');
  return '';
}

function parseBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (['t', 'tr', 'tru', 'true', 'y', 'ye', 'yes', 'on', '1'].includes(t)) return true;
  if (['f', 'fa', 'fal', 'fals', 'false', 'n', 'no', 'off', '0'].includes(t)) return false;
  return undefined;
}

const REAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

function checkValue(name: string, kind: Kind, text: string): void {
  switch (kind.kind) {
    case 'bool':
      if (parseBool(text) === undefined) throw invalid(`invalid value for boolean option "${name}": ${text}`);
      return;
    case 'enum':
      if (!kind.values.includes(text.toLowerCase())) throw invalid(`invalid value for enum option "${name}": ${text}`, kind.detail);
      return;
    case 'int': {
      // PostgreSQL's parse_int takes a fractional number too, rounded
      const n = REAL.test(text) ? Math.round(Number(text)) : NaN;
      if (Number.isNaN(n)) throw invalid(`invalid value for integer option "${name}": ${text}`);
      if (n < kind.min || n > kind.max) throw invalid(`value ${text} out of bounds for option "${name}"`, `Valid values are between "${kind.min}" and "${kind.max}".`);
      return;
    }
    case 'real': {
      const n = REAL.test(text) ? Number(text) : NaN;
      if (Number.isNaN(n)) throw invalid(`invalid value for floating point option "${name}": ${text}`);
      if (n < kind.min || n > kind.max) throw invalid(`value ${text} out of bounds for option "${name}"`, `Valid values are between "${kind.min.toFixed(6)}" and "${kind.max.toFixed(6)}".`);
    }
  }
}

/** The parameter a DefElem names, checked; undefined for a `toast.` one (checked, kept nowhere). */
function checked(d: DefElem, partitioned: boolean): { name: string; text: string } | undefined {
  const name = d.defname ?? '';
  if (d.defnamespace !== undefined && d.defnamespace !== 'toast') throw invalid(`unrecognized parameter namespace "${d.defnamespace}"`);
  const kind = HEAP[name];
  const toast = d.defnamespace === 'toast';
  if (!kind || partitioned || (toast && !kind.toast)) throw invalid(`unrecognized parameter "${name}"`);
  const text = valueText(d);
  checkValue(name, kind, text);
  return toast ? undefined : { name, text };
}

const defElems = (options: readonly Node[] | undefined): DefElem[] => (options ?? []).flatMap((o) => ('DefElem' in o ? [o.DefElem] : []));

/**
 * CREATE TABLE … WITH (…): the reloptions to keep. `oids = false` is accepted and dropped, as
 * PostgreSQL does; WITH OIDS is refused with its message.
 */
export function createOptions(options: readonly Node[] | undefined, partitioned: boolean): string[] | undefined {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const d of defElems(options)) {
    if (d.defname === 'oids' && d.defnamespace === undefined) {
      if (parseBool(valueText(d)) === false) continue;
      throw new SqlError(SQLSTATE.feature_not_supported, 'tables declared WITH OIDS are not supported');
    }
    const key = `${d.defnamespace ?? ''}.${d.defname}`;
    if (seen.has(key)) throw invalid(`parameter "${d.defname}" specified more than once`);
    seen.add(key);
    const c = checked(d, partitioned);
    if (c) out.push(`${c.name}=${c.text}`);
  }
  return out.length ? out : undefined;
}

/** ALTER TABLE … SET (…) / RESET (…) over `current`: kept ones in place, set ones at the end, as transformRelOptions orders them. */
export function alterOptions(current: readonly string[] | undefined, options: readonly Node[] | undefined, partitioned: boolean, reset: boolean): string[] | undefined {
  const changes: { name: string; text: string }[] = [];
  for (const d of defElems(options)) {
    if (!reset) {
      const c = checked(d, partitioned);
      if (c) changes.push(c);
      continue;
    }
    // RESET takes any name, as PostgreSQL does (it only removes what is there)
    if (d.arg) throw new SqlError(SQLSTATE.syntax_error, 'RESET must not include values for parameters');
    if (d.defnamespace === undefined) changes.push({ name: d.defname ?? '', text: '' });
  }
  const named = new Set(changes.map((c) => c.name));
  const kept = (current ?? []).filter((o) => !named.has(o.slice(0, o.indexOf('='))));
  const out = reset ? kept : [...kept, ...changes.map((c) => `${c.name}=${c.text}`)];
  return out.length ? out : undefined;
}
