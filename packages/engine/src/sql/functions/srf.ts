/**
 * Set-returning functions in FROM: `unnest(array)`, `generate_series(start, stop [, step])`
 * (integers, numerics, timestamps) and the json(b)_each/array_elements/object_keys family, with
 * `WITH ORDINALITY` and alias column lists. Their arguments may read parameters and the outer query's row, not other items of the same FROM (LATERAL is refused).
 */
import type { FuncCall, Node, RangeFunction } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { retype, type Expr } from '../compiled.ts';
import { Numeric } from '../numeric.ts';
import { commonType } from '../operators.ts';
import type { EvalContext, RowTypeRef, Scope } from '../scope.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { elementType, flatElements, isArrayType } from '../types/array.ts';
import { int8Add, int8Compare, type Int8 } from '../int8.ts';
import { POPULATE, populateSet } from '../rowtype/populate.ts';
import { lastName, strings } from '../names.ts';
import { compareTimestamps } from '../types/timestamp.ts';
import { addInterval, type Interval } from '../types/interval.ts';
import { JSON_SETS, jsonSet, type JsonSet } from './json-sets.ts';
import { RECORD_SETS } from './sets.ts';
import { positionalPathCall } from '../jsonpath/functions.ts';
import { TO_RECORD, toRecordSet } from './json-record.ts';
import { sqlFunctionInFrom } from '../function/from-item.ts';

export interface FunctionItem {
  columns: { name: string; type: SqlType }[];
  /** A function returning a table's row type (json_populate_record): a whole-row reference reports it. */
  rowType?: RowTypeRef;
  rows: (outer: readonly Value[], ctx: EvalContext) => Value[][];
  label: string;
}

type Series = { type: SqlType; run: (args: Value[]) => Value[] };

const zeroStep = (): SqlError => new SqlError(SQLSTATE.invalid_parameter_value, 'step size cannot equal zero');

function intSeries(type: 'int4' | 'int8'): Series['run'] {
  return ([start, stop, step = 1]) => {
    if (int8Compare(step as Int8, 0) === 0) throw zeroStep();
    const up = int8Compare(step as Int8, 0) > 0;
    const out: Value[] = [];
    for (let v = start as Int8; up ? int8Compare(v, stop as Int8) <= 0 : int8Compare(v, stop as Int8) >= 0;) {
      out.push(v);
      if (type === 'int4') {
        const next = (v as number) + (step as number);
        if (next > 2147483647 || next < -2147483648) break;
        v = next;
      } else {
        try {
          v = int8Add(v, step as Int8);
        } catch {
          break;
        }
      }
    }
    return out;
  };
}

function numericSeries([start, stop, step = Numeric.fromInt(1)]: Value[]): Value[] {
  const a = start as Numeric, b = stop as Numeric, s = step as Numeric;
  for (const [v, what] of [[a, 'start'], [b, 'stop'], [s, 'step size']] as const) {
    if (v.isNaN) throw new SqlError(SQLSTATE.invalid_parameter_value, `${what} value cannot be NaN`);
    if (!v.isFinite) throw new SqlError(SQLSTATE.invalid_parameter_value, `${what} value cannot be infinity`);
  }
  if (s.sign === 0) throw zeroStep();
  const out: Value[] = [];
  for (let v = a; s.sign > 0 ? Numeric.compare(v, b) <= 0 : Numeric.compare(v, b) >= 0; v = v.add(s)) out.push(v);
  return out;
}

function timestampSeries([start, stop, step]: Value[]): Value[] {
  const s = step as Interval;
  const sign = s.span();
  if (sign === 0n) throw new SqlError(SQLSTATE.invalid_parameter_value, 'step size cannot equal zero');
  const out: Value[] = [];
  const end = stop as Date;
  for (let v = start as Date; sign > 0n ? compareTimestamps(v, end) <= 0 : compareTimestamps(v, end) >= 0; v = addInterval(v, s, 1)) out.push(v);
  return out;
}

function generateSeries(args: Expr[]): { args: Expr[]; series: Series } {
  if (args.length < 2 || args.length > 3) throw noFunction('generate_series', args);
  const datetime = (t: SqlType) => t === 'timestamp' || t === 'timestamptz' || t === 'date';
  if (args.length === 3 && (args[2]!.type === 'interval' || datetime(args[0]!.type) || datetime(args[1]!.type))) {
    const type: SqlType = args[0]!.type === 'timestamp' && args[1]!.type !== 'timestamptz' ? 'timestamp' : 'timestamptz';
    return { args: [retype(args[0]!, type), retype(args[1]!, type), retype(args[2]!, 'interval')], series: { type, run: timestampSeries } };
  }
  const t = commonType(args.map((a) => a.type), 'generate_series');
  const type: SqlType = t === 'int2' ? 'int4' : t;
  if (type !== 'int4' && type !== 'int8' && type !== 'numeric') throw noFunction('generate_series', args);
  return { args: args.map((a) => retype(a, type)), series: { type, run: type === 'numeric' ? numericSeries : intSeries(type) } };
}

function noFunction(name: string, args: Expr[]): SqlError {
  return new SqlError(SQLSTATE.undefined_function, `function ${name}(${args.map((a) => TYPE_NAME[a.type]).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

/** The set-returning functions this engine has, for the select-list refusal. */
export const SET_RETURNING = new Set(['unnest', 'generate_series', ...Object.keys(JSON_SETS), ...Object.keys(RECORD_SETS), ...Object.keys(TO_RECORD)]);

/** A function in FROM that names columns of the FROM items before it: it needs those items' rows (LATERAL). */
export class LateralReference extends SqlError {}

/**
 * Compile a FROM-clause function call. `scope` resolves parameters and outer columns, and with
 * `lateral` also the columns of the FROM item it is joined to.
 */
export function planFunctionItem(rf: RangeFunction, scope: Scope, compile: (n: Node, scope: Scope) => Expr, lateral = false): FunctionItem {
  if (rf.lateral && !lateral) throw new LateralReference(SQLSTATE.feature_not_supported, 'LATERAL is not supported here');
  if (rf.is_rowsfrom || (rf.functions ?? []).length !== 1) throw featureNotSupported('ROWS FROM');
  const pair = rf.functions![0]!;
  const items = 'List' in pair ? pair.List.items ?? [] : [];
  const call = positionalPathCall((items[0] as { FuncCall: FuncCall }).FuncCall);
  const name = lastName(call.funcname).toLowerCase();
  if (rf.coldeflist?.length && (TO_RECORD[name] || SET_RETURNING.has(name))) {
    if (!TO_RECORD[name]) throw new SqlError(SQLSTATE.syntax_error, 'a column definition list is only allowed for functions returning "record"');
    if (rf.ordinality) throw new SqlError(SQLSTATE.syntax_error, 'WITH ORDINALITY cannot be used with a column definition list');
  } else if ((items[1] && Object.keys(items[1]).length) || rf.coldeflist?.length) throw featureNotSupported('a column definition list');
  if (!SET_RETURNING.has(name) && !POPULATE[name]) return sqlFunctionInFrom(rf, call, scope, compile) ?? (() => { throw featureNotSupported(`function ${name} in FROM`); })();
  let args: Expr[];
  let populated: (JsonSet & { rowType?: RowTypeRef }) | undefined;
  try {
    if (POPULATE[name]) populated = populateSet(name, call, scope, compile) ?? (() => { throw featureNotSupported(`${name} with a base other than a table's row type`); })();
    args = populated ? populated.args : (call.args ?? []).map((a) => compile(a, scope));
  } catch (e) {
    // functions in FROM see the items before them in PostgreSQL (an implicit LATERAL)
    if (!lateral && e instanceof SqlError && (e.code === SQLSTATE.undefined_table || e.code === SQLSTATE.undefined_column)) {
      throw new LateralReference(SQLSTATE.feature_not_supported, `a function in FROM that refers to FROM items other than the one before it (LATERAL) is not supported: ${e.message}`);
    }
    throw e;
  }
  let series: Series;
  let record: JsonSet | undefined;
  if (populated) {
    record = populated;
    series = { type: 'unknown', run: () => [] };
  } else if (TO_RECORD[name]) {
    record = toRecordSet(name, args, rf.coldeflist);
    args = record.args;
    series = { type: 'unknown', run: () => [] };
  } else if (JSON_SETS[name] || RECORD_SETS[name]) {
    record = JSON_SETS[name] ? jsonSet(name, args) : RECORD_SETS[name]!(name, args);
    args = record.args;
    series = { type: 'unknown', run: () => [] };
  } else if (name === 'unnest') {
    if (args.length !== 1) throw featureNotSupported('unnest with several arguments');
    const a = args[0]!;
    if (a.type === 'unknown') {
      throw new SqlError('42725', 'function unnest(unknown) is not unique', {
        hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
      });
    }
    if (!isArrayType(a.type)) throw noFunction('unnest', args);
    series = { type: elementType(a.type), run: ([v]) => flatElements(v as Value[]) };
  } else {
    const g = generateSeries(args);
    args = g.args;
    series = g.series;
  }
  const alias = rf.alias?.aliasname ?? name;
  const colnames = strings(rf.alias?.colnames);
  // a function of one result column names it after the alias; a record's columns keep their names
  const own = record ? record.columns.map((c) => (c.name === name ? { ...c, name: alias } : c)) : [{ name: alias, type: series.type }];
  const width = own.length + (rf.ordinality ? 1 : 0);
  if (colnames.length > width) {
    throw new SqlError(SQLSTATE.invalid_column_reference, `table "${alias}" has ${width} columns available but ${colnames.length} columns specified`);
  }
  const columns = own.map((c, i) => ({ name: colnames[i] ?? c.name, type: c.type }));
  if (rf.ordinality) columns.push({ name: colnames[own.length] ?? 'ordinality', type: 'int8' });
  const evals = args.map((a) => a.eval);
  return {
    columns,
    ...(populated?.rowType && !rf.ordinality ? { rowType: populated.rowType } : {}),
    label: `Function Scan on ${name}${alias === name ? '' : ` ${alias}`}`,
    rows: (outer, ctx) => {
      const vals = evals.map((e) => e(outer, ctx));
      if (!record?.nullable && vals.some((v) => v === null)) return [];
      const out = record ? record.run(vals) : series.run(vals).map((v) => [v]);
      return rf.ordinality ? out.map((r, i) => [...r, i + 1]) : out;
    },
  };
}
