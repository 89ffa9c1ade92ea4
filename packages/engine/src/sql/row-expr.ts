/**
 * Row-valued expressions (types/record.ts holds the value): `ROW(a, b)` / `(a, b)`, whole-row
 * references (`t`, `t.*` inside an expression), row comparisons `(a, b) < (c, d)` with
 * PostgreSQL's RowCompareExpr semantics, `(a, b) [NOT] IN ((…), …)`, `IS [NOT] NULL` of a row,
 * and row_to_json. Comparing row values other than two ROW constructors is refused (0A000).
 */
import type { A_Expr, A_Indirection, ColumnRef, Node, RowExpr } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../errors.ts';
import { expr, type Expr } from './compiled.ts';
import { pos } from './from.ts';
import { strings } from './names.ts';
import type { Evaluator, Scope } from './scope.ts';
import type { SqlType, Value } from './types.ts';
import { anonymousNames, recordJsonText, rowIsNull, RowValue } from './types/record.ts';
import { toJsonText } from './functions/json.ts';
import { compositeOf, isCompositeType, isRowType } from './composite/type.ts';

type Compile = (node: Node, scope: Scope) => Expr;

/** A row value whose fields are known when it is planned (a whole-row reference, ROW(…)). */
type RowExprOut = Expr & { fields?: SqlType[]; fieldNames?: readonly string[]; alias?: string };

/** `ROW(a, b)` and `(a, b)`: fields named f1, f2, … */
export function compileRowConstructor(r: RowExpr, scope: Scope, compile: Compile): RowExprOut {
  // ROW(t.*, x): t's columns are fields of their own
  const args = (r.args ?? []).flatMap((a) => {
    const whole = 'ColumnRef' in a && 'A_Star' in (a.ColumnRef.fields ?? []).at(-1)! ? compileWholeRow(a.ColumnRef, scope, () => compile(a, scope)) : undefined;
    if (!whole) return [compile(a, scope)];
    const fields = whole.eval;
    return (whole.fields ?? []).map((type, i) => expr(type, (row, ctx) => (fields(row, ctx) as RowValue | null)?.values[i] ?? null));
  });
  const types = args.map((a) => (a.type === 'unknown' ? 'text' : a.type));
  const names = anonymousNames(args.length);
  const evals = args.map((a) => a.eval);
  return { ...expr('record', (row, ctx) => new RowValue(evals.map((e) => e(row, ctx)), types, names)), fields: types, fieldNames: names };
}

/**
 * `t.*` inside an expression, or `t` when no column of that name is in scope (a column wins, as
 * in PostgreSQL): the row of FROM item `t`. Undefined when the reference is not a whole row.
 */
export function compileWholeRow(ref: ColumnRef, scope: Scope, columnMissing: () => Expr): RowExprOut | undefined {
  const fields = ref.fields ?? [];
  const star = fields.length > 0 && 'A_Star' in fields[fields.length - 1]!;
  const names = strings(fields.filter((f) => 'String' in f));
  if (!star && names.length !== 1) return undefined;
  if (star && names.length !== 1) throw featureNotSupported('a schema-qualified table.* inside an expression');
  const alias = names[0]!;
  if (!star) {
    try {
      return columnMissing();
    } catch (e) {
      if (!(e instanceof SqlError) || e.code !== SQLSTATE.undefined_column) throw e;
      if (!scope.wholeRow?.(alias)) throw e;
    }
  }
  const whole = scope.wholeRow?.(alias, ref.location);
  if (!whole) {
    if (star) throw new SqlError(SQLSTATE.undefined_table, `missing FROM-clause entry for table "${alias}"`, { position: pos(ref.location) });
    return undefined;
  }
  // a row an outer join filled with NULLs is itself NULL, as PostgreSQL's whole-row Var is
  const marker = whole.nullable ? whole.marker : undefined;
  if (whole.nullable && marker === undefined) throw featureNotSupported(`a whole-row reference to "${alias}", which an outer join may fill with NULLs and which has no NOT NULL column`);
  const slots = whole.slots.map((s) => s.index);
  const types = whole.slots.map((s) => s.type);
  const make = marker === undefined
    ? (row: readonly Value[]) => new RowValue(slots.map((i) => row[i]), types, whole.names)
    : (row: readonly Value[]) => (row[marker] === null ? null : new RowValue(slots.map((i) => row[i]), types, whole.names));
  return { ...expr('record', make), fields: types, fieldNames: whole.names, alias, ...(whole.rowType ? { rowType: whole.rowType } : {}) };
}

/** The slots a column reference reads: its column's, or every column of a whole-row reference `t`. */
export function refSlots(scope: Scope, fields: string[], location?: number): { slots: number[]; whole: boolean } {
  // a plain table's tableoid is a constant: it reads no slot and is no column to look up by
  if (scope.tableOid?.(fields) !== undefined) return { slots: [], whole: true };
  try {
    return { slots: [scope.column(fields, location).index], whole: false };
  } catch (e) {
    const whole = fields.length === 1 && e instanceof SqlError && e.code === SQLSTATE.undefined_column ? scope.wholeRow?.(fields[0]!, location) : undefined;
    if (!whole) throw e;
    return { slots: whole.slots.map((s) => s.index), whole: true };
  }
}

/**
 * `(r).f`: a field of a row whose fields are known when it is planned; undefined for other
 * indirections (subscripts). Selecting from another row value is refused (0A000).
 */
export function compileFieldSelection(ind: A_Indirection, scope: Scope, compile: Compile): Expr | undefined {
  const steps = ind.indirection ?? [];
  const first = steps[0];
  if (!first || !('String' in first)) return undefined;
  let base = compile(ind.arg!, scope) as RowExprOut;
  for (const [n, step] of steps.entries()) {
    const known = fieldsOf(base);
    if (!known) {
      if (n === 0) return undefined;
      throw featureNotSupported('field selection followed by more indirection');
    }
    if (!('String' in step)) throw featureNotSupported('field selection followed by more indirection');
    const name = step.String.sval ?? '';
    const i = known.names.indexOf(name);
    if (i < 0) {
      const message = base.alias !== undefined ? `column ${base.alias}.${name} does not exist`
        : isCompositeType(base.type) ? `column "${name}" not found in data type ${compositeOf(base.type).name}` : `could not identify column "${name}" in record data type`;
      throw new SqlError(SQLSTATE.undefined_column, message);
    }
    const ev = base.eval;
    base = expr(known.types[i]!, (row, ctx) => {
      const v = ev(row, ctx) as RowValue | null;
      return v === null ? null : v.values[i];
    });
  }
  return base;
}

/** The fields of a row value known when it is planned: a composite type's, or a ROW(…)'s / whole row's. */
export function fieldsOf(e: RowExprOut): { names: readonly string[]; types: readonly SqlType[] } | undefined {
  if (isCompositeType(e.type)) return compositeOf(e.type);
  return e.type === 'record' && e.fields && e.fieldNames ? { names: e.fieldNames, types: e.fields } : undefined;
}

/** `row IS [NOT] NULL`. */
export function compileRowNullTest(arg: Expr, not: boolean): Expr {
  const ev = arg.eval;
  return expr('bool', (row, ctx) => rowIsNull(ev(row, ctx), not));
}

const ROW_OPS = new Set(['=', '<>', '<', '<=', '>', '>=']);

function rowArgs(node: Node | undefined): Node[] | undefined {
  return node && 'RowExpr' in node ? node.RowExpr.args ?? [] : undefined;
}

function opNode(op: string, l: Node, r: Node): Node {
  return { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: op } }], lexpr: l, rexpr: r } };
}

/**
 * An A_Expr with a row constructor on either side, or undefined when it has none: comparisons
 * between two constructors as PostgreSQL's RowCompareExpr (`=`: every pair equal, `<>`: some pair
 * unequal, `<` …: decided by the first unequal pair, NULL when a pair compared before it is NULL),
 * and `IN` lists of constructors.
 */
export function compileRowAExpr(e: A_Expr, scope: Scope, compile: Compile): Expr | undefined {
  const left = rowArgs(e.lexpr);
  if (e.kind === 'AEXPR_IN' && left) {
    const items = (e.rexpr && 'List' in e.rexpr ? e.rexpr.List.items : undefined) ?? [];
    const op = strings(e.name)[0] === '<>' ? '<>' : '=';
    const tests = items.map((item) => {
      if (!rowArgs(item)) throw featureNotSupported('IN with a row on the left and a list element that is not a row constructor');
      return compileRowCompare(op, left, rowArgs(item)!, scope, compile, e.location);
    });
    // NOT IN: every comparison true; IN: some comparison true
    return threeValued(tests.map((t) => t.eval), op === '<>');
  }
  const right = rowArgs(e.rexpr);
  if (!left && !right) return undefined;
  // (a, b) op (SELECT x, y): PostgreSQL's row comparison with a one-row sub-select (sql/row-sublink.ts)
  const sub = e.rexpr && 'SubLink' in e.rexpr && e.rexpr.SubLink.subLinkType === 'EXPR_SUBLINK' ? e.rexpr.SubLink : undefined;
  if (left && sub && e.kind === 'AEXPR_OP') {
    return compile({ SubLink: { ...sub, subLinkType: 'ROWCOMPARE_SUBLINK', testexpr: e.lexpr, operName: e.name, location: e.location } }, scope);
  }
  if (e.kind !== 'AEXPR_OP') throw featureNotSupported(`${(e.kind ?? '').replace('AEXPR_', '')} with row values`);
  const op = strings(e.name).join('.');
  if (!left || !right) throw featureNotSupported('comparison of a row constructor with a row value that is not a constructor');
  return compileRowCompare(op, left, right, scope, compile, e.location);
}

/** AND (`all`) or OR of boolean tests with SQL's NULL rules: NULL when no test decides and one was NULL. */
function threeValued(tests: Evaluator[], all: boolean): Expr {
  return expr('bool', (row, ctx) => {
    let sawNull = false;
    for (const t of tests) {
      const v = t(row, ctx);
      if (v === null) sawNull = true;
      else if (v !== all) return !all;
    }
    return sawNull ? null : all;
  });
}

function compileRowCompare(op: string, left: Node[], right: Node[], scope: Scope, compile: Compile, location?: number): Expr {
  if (left.length !== right.length) throw new SqlError(SQLSTATE.syntax_error, 'unequal number of entries in row expressions', { position: pos(location) });
  // an operator that does not exist for the first pair fails as PostgreSQL reports it
  if (!ROW_OPS.has(op)) compile(opNode(op, left[0]!, right[0]!), scope);
  if (!ROW_OPS.has(op)) throw new SqlError(SQLSTATE.undefined_function, `could not determine interpretation of row comparison operator ${op}`, { position: pos(location) });
  const eqs = left.map((l, i) => compile(opNode('=', l, right[i]!), scope).eval);
  if (op === '=') return threeValued(eqs, true);
  if (op === '<>') return threeValued(left.map((l, i) => compile(opNode('<>', l, right[i]!), scope).eval), false);
  const strict = left.map((l, i) => compile(opNode(op, l, right[i]!), scope).eval);
  const orEqual = op === '<=' || op === '>=';
  return expr('bool', (row, ctx) => {
    for (let i = 0; i < eqs.length; i++) {
      const eq: Value = eqs[i]!(row, ctx);
      if (eq === null) return null;
      if (eq !== true) return strict[i]!(row, ctx);
    }
    return orEqual;
  });
}

/** row_to_json(record [, pretty]); undefined for other names or arguments (then 42883). */
export function compileRowFunction(name: string, args: Expr[]): Expr | undefined {
  if (name !== 'row_to_json' || !args.length || args.length > 2 || !isRowType(args[0]!.type)) return undefined;
  if (args[1] && args[1].type !== 'bool' && args[1].type !== 'unknown') return undefined;
  const r = args[0]!.eval, pretty = args[1]?.eval;
  return expr('json', (row, ctx) => {
    const v = r(row, ctx);
    if (v === null) return null;
    const p = pretty?.(row, ctx);
    return recordJsonText(v as RowValue, toJsonText, p === true || p === 't' || p === 'true');
  });
}
